"""Query-parameter filters of the v1 API, one FilterSet per resource, names exactly as in DESIGN.md.

Multi-valued parameters accept ``?region=64.71,64.74`` and ``?region=64.71&region=64.74`` alike; codes
are checked for shape before they reach the database and an unknown code is a 400 that names it.
"""

import copy
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import utils
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.settings import api_settings

from ..figures import access, quality
from ..figures.latest import latest_measurements
from ..figures.values import MOMENT_YEARS, UNKNOWN_INDICATOR, check_indicator_code, parse_iso_date, parse_moment
from ..models import Indicator, Measurement, NationalTarget, Partnership, Region
from ..regions.codes import UNKNOWN_REGION, check_region_code
from .permissions import actor_of


class ParameterForm(forms.Form):
    """A form for query parameters. Django's Form deep-copies every field for each instance, so that rendering
    one form cannot change another; these forms only clean, and their fields keep no state while cleaning, so
    each instance gets shallow copies (its own attributes, shared querysets and widgets that nobody changes)."""

    def __init__(self, *args, **kwargs):
        self.base_fields = {}  # what BaseForm.__init__ deep-copies
        super().__init__(*args, **kwargs)
        del self.base_fields
        self.fields = {name: copy.copy(field) for name, field in type(self).base_fields.items()}


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with a cheaper start: each request copies the declared filters shallowly
    (with their own ``extra``) instead of deep-copying them and their querysets and choices, which cost
    several milliseconds a request. Filters keep no other per-request state."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, declared in self.base_filters.items():
            filter_ = copy.copy(declared)
            filter_.extra = dict(declared.extra)
            if declared.method is not None:
                filter_.method = declared.method  # rebinds its FilterMethod to the copy
            filter_.model, filter_.parent = queryset.model, self
            self.filters[name] = filter_

    def get_form_class(self):
        # Built once per FilterSet class, not once per request: its fields depend on the declarations only.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            fields = {name: filter_.field for name, filter_ in self.filters.items()}
            base = ParameterForm if self._meta.form is forms.Form else self._meta.form
            form_class = type(f"{type(self).__name__}Form", (base,), fields)
            type(self)._form_class = form_class
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            # Codes are looked up against the data version the request read (see CodeListField).
            version = getattr(self.request, "data_version", None)
            for field in form.fields.values():
                if isinstance(field, CodeListField):
                    field.data_version = version
        return self._form


class CommaSeparatedWidget(forms.TextInput):
    """Reads every occurrence of a parameter and splits each on commas; spaces around a value are dropped, an empty
    value is kept (and refused by ValueListMixin: ``?region=64.71,`` is a mistake, not one code)."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]
        return list(dict.fromkeys(part.strip(" ") for value in raw for part in value.split(",")))

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ",".join(str(v) for v in value)
        return super().format_value(value)


class ValueListMixin:
    """A parameter given with no value (``?region=``) is a mistake, not "no filter"; and a list is bounded."""

    def __init__(self, *args, max_values=1000, **kwargs):
        self.max_values = max_values
        super().__init__(*args, **kwargs)

    def clean(self, value):
        if value is not None and (value == [] or "" in value):
            raise ValidationError(_("Give at least one value, or leave the parameter out."), code="empty")
        if value and len(value) > self.max_values:
            raise ValidationError(_("At most %(max)s values."), code="too_many_values", params={"max": self.max_values})
        return super().clean(value)


class NamesChoicesMixin:
    """An invalid choice is refused with the list of valid ones."""

    def validate(self, value):
        try:
            super().validate(value)
        except ValidationError as exc:
            if getattr(exc, "code", None) != "invalid_choice":
                raise
            choices = ", ".join(str(choice) for choice, _label in self.choices if choice != "")
            raise ValidationError(
                _("%(value)s is not a valid choice; use one of: %(choices)s."),
                code="invalid_choice",
                params={"value": str((exc.params or {}).get("value", ""))[:50], "choices": choices},
            ) from None


class ChoiceListField(ValueListMixin, NamesChoicesMixin, forms.TypedMultipleChoiceField):
    widget = CommaSeparatedWidget


class ChoiceField(NamesChoicesMixin, django_filters.fields.ChoiceField):
    pass


class CodeListField(ValueListMixin, forms.ModelMultipleChoiceField):
    """Model instances named by code; malformed codes are refused before any query."""

    widget = CommaSeparatedWidget

    def __init__(self, *args, check_code, **kwargs):
        self.check_code = check_code  # the shape of a code (coverage.regions.codes, coverage.figures.values)
        super().__init__(*args, **kwargs)

    data_version = None  # set per request by FilterSet.form

    def clean(self, value):
        if value is None and not self.required:
            return []  # not queryset.none(): testing that for truth ran it through the SQL compiler
        return super().clean(value)

    def _check_values(self, value):
        for code in value:
            self.check_code(code)
        if self.data_version is None or self.queryset.query.where:
            return super()._check_values(value)  # the memo is of whole tables, not of a filtered queryset
        known = _known_codes(self.queryset.model, self.data_version)
        missing = [code for code in value if code not in known]
        if missing:
            known.update((row.code, row) for row in self.queryset.filter(code__in=missing))
        for code in value:
            if code not in known:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code}
                )
        return [known[code] for code in value]


_KNOWN_CODES = {}
_KNOWN_CODES_MAX = 20_000


def _known_codes(model, data_version) -> dict:
    """The regions (or indicators) this process has looked up by code, as of one data version: any write moves the
    version on, so an entry can never outlive a change of the row it stands for (its code, its parent). Rows are
    read-only here; they only supply the primary key and code that filters need."""
    version, known = _KNOWN_CODES.get(model, (None, None))
    if version != data_version or len(known) > _KNOWN_CODES_MAX:
        known = {}
        _KNOWN_CODES[model] = (data_version, known)
    return known


class ConditionFilter:
    """A filter that is one condition (a Q) on the queryset's fields: ``condition()`` says which, so that
    MeasurementFilterSet can apply several in one ``filter()`` (see lookup_condition)."""

    def filter(self, qs, value):
        condition = self.condition(value)
        return qs if condition is None else qs.filter(condition)

    def condition(self, value):
        return Q(**{f"{self.field_name}__in": list(value)}) if value else None


@extend_schema_field(OpenApiTypes.STR)
class CodeListFilter(ConditionFilter, django_filters.ModelMultipleChoiceFilter):
    """``field_name__in`` the regions (or indicators) named by code."""

    field_class = CodeListField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class WithinFilter(CodeListFilter):
    """All descendants of the named regions (not the regions themselves), by code prefix."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_values", 100)  # one LIKE each
        super().__init__(*args, **kwargs)

    def condition(self, value):
        if not value:
            return None
        return reduce(or_, (Q(**{f"{self.field_name}__startswith": f"{r.code}."}) for r in value))


def region_code_filter(filter_class=CodeListFilter, **kwargs):
    return filter_class(
        queryset=Region.objects.all(),
        check_code=check_region_code,
        error_messages={"invalid_choice": UNKNOWN_REGION},
        **kwargs,
    )


def indicator_code_filter(**kwargs):
    return CodeListFilter(
        queryset=Indicator.objects.all(),
        check_code=check_indicator_code,
        error_messages={"invalid_choice": UNKNOWN_INDICATOR},
        **kwargs,
    )


class ChoiceListFilter(ConditionFilter, django_filters.MultipleChoiceFilter):
    field_class = ChoiceListField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


def lookup_condition(filter_, value):
    """``filter_``'s condition on ``value`` as a Q (None: it keeps every row) when it is plain lookups on the
    queryset's fields, so that several can be applied in one ``filter()`` (each call clones and resolves the
    whole query again); NotImplemented for a filter with a method, distinct or exclude, which filters itself."""
    if filter_.method is not None or filter_.distinct or filter_.exclude:
        return NotImplemented
    if isinstance(filter_, ConditionFilter):
        return filter_.condition(value)
    if type(filter_).filter is django_filters.Filter.filter:
        return None if value in EMPTY_VALUES else Q(**{f"{filter_.field_name}__{filter_.lookup_expr}": value})
    return NotImplemented


@extend_schema_field({"type": "integer", "enum": Region.Level.values})
class LevelListFilter(ChoiceListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[(str(v), label) for v, label in Region.Level.choices], coerce=int, **kwargs)


@extend_schema_field({"type": "string", "enum": Region.Kind.values})
class KindListFilter(ChoiceListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=Region.Kind.choices, **kwargs)


class StrictBooleanField(forms.TypedChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.pop("empty_value", None)
        super().__init__(
            *args,
            choices=[("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")],
            coerce=lambda value: value in ("true", "1"),
            empty_value=None,
            error_messages={"invalid_choice": _("Use true or false (or 1 or 0), not %(value)s.")},
            **kwargs,
        )


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField


class MomentField(forms.Field):
    """A moment as RFC 3339 (ISO 8601 with its offset) between 1900 and 2100."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = parse_moment(value)
        if moment is not None:
            return moment
        if isinstance(value, str) and " " in value.strip():
            # A + left unencoded in a query string arrives as a space: 2024-06-21T00:00:00 07:00.
            raise ValidationError(
                _("%(value)s is not a moment: a + in a query string must be sent as %%2B (…T00:00:00%%2B07:00)."),
                code="invalid",
                params={"value": value[:50]},
            )
        raise ValidationError(
            _("%(value)s is not a moment: give date, time and offset (2024-06-21T00:00:00Z, …T08:00:00%%2B08:00)."),
            code="invalid",
            params={"value": str(value)[:50]},
        )

    def validate(self, value):
        super().validate(value)
        first, last = MOMENT_YEARS
        if value is not None and not first <= value.year <= last:
            raise ValidationError(
                _("Give a moment between %(first)s and %(last)s."),
                code="out_of_range",
                params={"first": first, "last": last},
            )


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class UpdatedAfterFilter(MomentFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "help_text",
            _(
                "Only rows created or changed after this moment (ISO 8601, e.g. 2024-06-21T00:00:00Z; "
                "encode + as %2B). Deletions are listed by the matching deleted/ endpoint."
            ),
        )
        super().__init__(*args, field_name="updated_at", lookup_expr="gt", **kwargs)


class IsoDateField(forms.DateField):
    default_error_messages = {"invalid": _("Enter a real date as YYYY-MM-DD.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        day = parse_iso_date(value)
        if day is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return day


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateField


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1900, max_value=2100, **kwargs)


class TieBreakingOrderingFilter(django_filters.OrderingFilter):
    """Orders as asked, then by the resource's default order, so pages never overlap or skip rows."""

    field_class = ChoiceField

    def __init__(self, *args, tie_breakers, **kwargs):
        self.tie_breakers = tie_breakers
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        named = {field.lstrip("-") for field in ordering}
        return qs.order_by(*ordering, *(field for field in self.tie_breakers if field.lstrip("-") not in named))


class RegionFilterSet(FilterSet):
    level = LevelListFilter(
        field_name="level", help_text=_("Region level: 1 province, 2 regency/city, 3 district, 4 village.")
    )
    kind = KindListFilter(field_name="kind", help_text=_("Region kind: province, regency, city, district, village."))
    parent = region_code_filter(field_name="parent", help_text=_("Direct children of these regions (codes)."))
    within = region_code_filter(
        WithinFilter,
        field_name="code",
        help_text=_("All descendants of these regions (codes), not the regions themselves."),
    )
    search = django_filters.CharFilter(
        method="search_name_or_code", max_length=100, help_text=_("Part of the name, or the start of the code.")
    )

    class Meta:
        model = Region
        fields = []

    def search_name_or_code(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class NationalTargetFilterSet(FilterSet):
    indicator = indicator_code_filter(field_name="indicator", help_text=_("Indicator codes."))
    year = YearFilter(field_name="year", help_text=_("Target year."))
    updated_after = UpdatedAfterFilter()

    class Meta:
        model = NationalTarget
        fields = []


class DateRangeForm(ParameterForm):
    """``as_of_from`` after ``as_of_to`` selects nothing, surely not what was meant: a 400, not an empty list."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("as_of_from"), cleaned.get("as_of_to")
        if start is not None and end is not None and start > end:
            self.add_error(
                "as_of_from",
                ValidationError(
                    _("as_of_from (%(start)s) is after as_of_to (%(end)s)."),
                    code="invalid_range",
                    params={"start": start.isoformat(), "end": end.isoformat()},
                ),
            )
        return cleaned


class MeasurementFilterSet(FilterSet):
    region = region_code_filter(field_name="region", help_text=_("Figures of these regions (codes)."))
    indicator = indicator_code_filter(field_name="indicator", help_text=_("Figures of these indicators (codes)."))
    parent = region_code_filter(
        field_name="region__parent", help_text=_("Figures of the direct children of these regions (codes).")
    )
    within = region_code_filter(
        WithinFilter,
        field_name="region__code",
        help_text=_("Figures of all descendants of these regions (codes), not of the regions themselves."),
    )
    level = LevelListFilter(field_name="region__level", help_text=_("Figures of regions of these levels."))
    kind = KindListFilter(field_name="region__kind", help_text=_("Figures of regions of these kinds."))
    as_of = IsoDateFilter(field_name="as_of", help_text=_("Figures as of exactly this date (YYYY-MM-DD)."))
    as_of_from = IsoDateFilter(
        field_name="as_of", lookup_expr="gte", help_text=_("Figures as of this date or later (inclusive).")
    )
    as_of_to = IsoDateFilter(
        field_name="as_of", lookup_expr="lte", help_text=_("Figures as of this date or earlier (inclusive).")
    )
    year = YearFilter(field_name="as_of", lookup_expr="year", help_text=_("Figures as of a date in this year."))
    updated_after = UpdatedAfterFilter()
    status = ChoiceListFilter(
        field_name="status",
        choices=Measurement.Status.choices,
        help_text=_(
            "Publication status (default: published). draft and verified need the permission to see unpublished "
            "figures."
        ),
    )
    flag = ChoiceListFilter(
        method="filter_flags",
        choices=list(quality.FLAGS.items()),
        help_text=_(
            "Figures with any of these data-quality flags: above_100 (value over 100 %), jump (more than QUALITY_JUMP "
            "points from the region's previous figure), rollup_mismatch (differs from the roll-up of its children's "
            "counts by more than ROLLUP_TOLERANCE)."
        ),
    )
    known_at = MomentFilter(
        method="keep_all",
        help_text=_(
            "The figures as the service served them at this moment (ISO 8601), from the change history: "
            "reproduces a report after later corrections."
        ),
    )
    latest = StrictBooleanFilter(
        help_text=_(
            "true: only the most recent figure per region and indicator among those that match the other "
            "filters (with as_of_to: each region's latest figure on or before that date)."
        ),
    )
    ordering = TieBreakingOrderingFilter(
        fields=(("region__code", "region"), ("as_of", "as_of"), ("value", "value"), ("updated_at", "updated_at")),
        tie_breakers=["region__code", "indicator__code", "as_of", "id"],
        help_text=_(
            "Sort by region, as_of, value or updated_at, each optionally prefixed with - (descending); comma-separated."
        ),
    )

    class Meta:
        model = Measurement
        fields = []
        form = DateRangeForm

    def keep_all(self, queryset, name, value):
        return queryset  # known_at is applied by the view, which swaps in the historical rows

    def filter_flags(self, queryset, name, value):
        return quality.with_quality(queryset).filter(quality.flag_condition(value)) if value else queryset

    def filter_queryset(self, queryset):
        # latest=true picks among the rows every other filter kept; ordering comes last.
        data = dict(self.form.cleaned_data)
        latest = data.pop("latest", None)
        ordering = data.pop("ordering", None)
        queryset = self.filter_status(queryset, data.pop("status", None))
        # One filter() for all plain lookups: the same rows as one call each, since every relation followed
        # (region, its parent, indicator) is a foreign key, where chained filter() calls share their joins.
        conditions = []
        for name, value in data.items():
            condition = lookup_condition(self.filters[name], value)
            if condition is NotImplemented:
                queryset = self.filters[name].filter(queryset, value)
            elif condition is not None:
                conditions.append(condition)
        queryset = queryset.filter(*conditions)
        if latest:
            selecting_series = {"region", "indicator", "parent", "within", "level", "kind"}
            published_only = queryset.model is Measurement and set(self.statuses) == {Measurement.Status.PUBLISHED}
            if published_only and not any(value for name, value in data.items() if name not in selecting_series):
                # Precomputed: each series' latest published figure, kept current on every write.
                queryset = queryset.filter(is_latest=True)
            else:
                queryset = latest_measurements(queryset)
        if "ordering" in self.filters:
            queryset = self.filters["ordering"].filter(queryset, ordering)
        return queryset

    def filter_status(self, queryset, statuses):
        view = self.request.parser_context.get("view") if self.request is not None else None
        self.statuses = statuses or [Measurement.Status.PUBLISHED]
        if not statuses and getattr(view, "detail", False):
            return queryset  # one figure by id: the view applies who may see it
        actor = actor_of(self.request)
        if set(self.statuses) != {Measurement.Status.PUBLISHED}:
            access.check_may_ask_for_unpublished(actor)
        return access.visible_figures(queryset.filter(status__in=self.statuses), actor)


class AnswerParametersMixin:
    """Parameters that shape an answer rather than select rows: validated, then read from cleaned_data."""

    def keep_all(self, queryset, name, value):
        return queryset


class RegionScopeFilterSet(FilterSet):
    parent = region_code_filter(field_name="parent", help_text=_("Rank the direct children of these regions (codes)."))
    within = region_code_filter(
        WithinFilter, field_name="code", help_text=_("Rank all descendants of these regions (codes).")
    )
    level = LevelListFilter(field_name="level", help_text=_("Rank regions of these levels."))
    kind = KindListFilter(field_name="kind", help_text=_("Rank regions of these kinds."))

    class Meta:
        model = Region
        fields = []


class RankingFilterSet(AnswerParametersMixin, RegionScopeFilterSet):
    as_of = IsoDateFilter(
        method="keep_all", help_text=_("Rank each region's latest figure on or before this date (default: today).")
    )


class AttainmentFilterSet(AnswerParametersMixin, FilterSet):
    region = region_code_filter(field_name="code", required=True, help_text=_("The region (one code)."))
    year = YearFilter(
        method="keep_all",
        required=True,
        help_text=_("The year: its national target and the region's latest figure in it."),
    )
    children = StrictBooleanFilter(
        method="keep_all", help_text=_("true: also each direct child region with a figure in the year.")
    )

    class Meta:
        model = Region
        fields = []


class SummaryFilterSet(AnswerParametersMixin, FilterSet):
    as_of = IsoDateFilter(method="keep_all", help_text=_("Latest figures on or before this date (default: today)."))
    rollup = StrictBooleanFilter(
        method="keep_all",
        help_text=_("true: also compute each figure from the children's numerators and denominators."),
    )

    class Meta:
        model = Region
        fields = []


class AvailabilityFilterSet(MeasurementFilterSet):
    """The measurement filters that select rows to count (no latest, no ordering)."""


for _name in ("latest", "ordering", "known_at", "flag"):
    del AvailabilityFilterSet.base_filters[_name]


class DeletedFilterSet(FilterSet):
    deleted_after = MomentFilter(
        field_name="deleted_at",
        lookup_expr="gt",
        help_text=_("Only deletions after this moment (ISO 8601, e.g. 2024-06-21T00:00:00Z)."),
    )


class PartnershipFilterSet(FilterSet):
    indicator = indicator_code_filter(field_name="indicator", help_text=_("Programmes for these indicators (codes)."))
    region = region_code_filter(field_name="regions", help_text=_("Programmes running in these regions (codes)."))

    class Meta:
        model = Partnership
        fields = []


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend that also refuses query parameters nobody reads.

    A misspelled filter (``?indicatr=…``) would otherwise silently return the whole table.
    """

    def filter_queryset(self, request, queryset, view):
        filterset = self.validated_filterset(request, queryset, view)
        return queryset if filterset is None else filterset.qs

    def get_filterset_class(self, view, queryset=None):
        # known_at swaps a model's queryset for its historical table (same fields): the FilterSet still applies.
        tracked = getattr(getattr(queryset, "model", None), "instance_type", None)
        if tracked is not None:
            queryset = tracked.objects.none()
        return super().get_filterset_class(view, queryset)

    def validated_filterset(self, request, queryset, view):
        """The view's FilterSet bound to the query string, after every parameter has been checked."""
        self.reject_unknown_parameters(request, queryset, view)
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None and not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        return filterset

    def reject_unknown_parameters(self, request, queryset, view):
        known = {api_settings.URL_FORMAT_OVERRIDE}
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            known |= {paginator.page_query_param, paginator.page_size_query_param}
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        check_query_parameters(request, known)


def check_query_parameters(request, known):
    """Refuse a query parameter nobody reads, and one given without a value (``?as_of=``): either would otherwise be
    ignored without a word, answering for today or for the whole table."""
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise exceptions.ValidationError(
            {
                name: [
                    exceptions.ErrorDetail(
                        _("Unknown query parameter. Known here: %(known)s.") % {"known": ", ".join(sorted(known))},
                        code="unknown_parameter",
                    )
                ]
                for name in unknown
            }
        )
    empty = [name for name in request.query_params if not any(v.strip() for v in request.query_params.getlist(name))]
    if empty:
        raise exceptions.ValidationError(
            {
                name: [exceptions.ErrorDetail(_("Give at least one value, or leave the parameter out."), code="empty")]
                for name in empty
            }
        )
