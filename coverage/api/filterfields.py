"""The kinds of query parameter the API takes: lists of codes or choices (comma-separated or repeated, never
empty), strict booleans, dates exactly as YYYY-MM-DD, RFC 3339 moments, years, an ordering that breaks ties."""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ..figures.values import MOMENT_YEARS, UNKNOWN_INDICATOR, check_indicator_code, parse_iso_date, parse_moment
from ..models import BpsCode, Indicator, Region
from ..regions import crosswalk
from ..regions.codes import UNKNOWN_REGION, check_region_code


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

    def __init__(self, *args, check_code, from_bps=None, **kwargs):
        self.check_code = check_code  # the shape of a code (coverage.regions.codes, coverage.figures.values)
        self.from_bps = from_bps  # region codes: BPS codes to Kemendagri ones (coverage.regions.crosswalk)
        super().__init__(*args, **kwargs)

    reference_version = None  # set per request by FilterSet.form
    code_system = None  # the request's code_system, set by FilterSet.form

    def clean(self, value):
        if value is None and not self.required:
            return []  # not queryset.none(): testing that for truth ran it through the SQL compiler
        return super().clean(value)

    def _check_values(self, value):
        if self.from_bps is not None and self.code_system == crosswalk.BPS:
            value = self.from_bps(value)  # Kemendagri codes, or unknown_bps_code / ambiguous_bps_code
        for code in value:
            self.check_code(code)
        if self.reference_version is None or self.queryset.query.where:
            return super()._check_values(value)  # the memo is of whole tables, not of a filtered queryset
        known = _known_codes(self.queryset.model, self.reference_version)
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


def _known_codes(model, reference_version) -> dict:
    """The regions (or indicators) this process has looked up by code, as of one version of reference data: any
    write of a region or indicator moves it on, so an entry can never outlive a change of the row it stands for (its
    code, its parent), while figures come and go. Rows are read-only here; they only supply the primary key and code
    that filters need."""
    version, known = _KNOWN_CODES.get(model, (None, None))
    if version != reference_version or len(known) > _KNOWN_CODES_MAX:
        known = {}
        _KNOWN_CODES[model] = (reference_version, known)
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
    """A parameter that names regions: Kemendagri codes, or BPS codes with ``code_system=bps`` (a FilterSet with one
    takes ``code_system``, see coverage.api.filtering.FilterSet.get_filters)."""
    return filter_class(
        queryset=Region.objects.all(),
        check_code=check_region_code,
        from_bps=crosswalk.from_bps,
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


def takes_region_codes(filter_) -> bool:
    return getattr(filter_, "extra", {}).get("from_bps") is not None


@extend_schema_field({"type": "string", "enum": list(crosswalk.CODE_SYSTEMS), "default": crosswalk.KEMENDAGRI})
class CodeSystemFilter(ConditionFilter, django_filters.ChoiceFilter):
    """``code_system``: how the request's region codes are read (kemendagri, the default, or bps). It selects no rows
    itself; the region parameters read it (CodeListField.code_system). Answers keep Kemendagri codes."""

    field_class = ChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "help_text",
            _(
                "How this request's region codes (region, parent, within) are read: kemendagri (default, 64.07) or "
                "bps (6402), by the BPS crosswalk. Answers keep Kemendagri codes; region_bps_code gives BPS's."
            ),
        )
        super().__init__(*args, choices=[(system, system) for system in crosswalk.CODE_SYSTEMS], **kwargs)

    def condition(self, value):
        return None


class BpsCodeListField(ValueListMixin, forms.Field):
    widget = CommaSeparatedWidget

    def to_python(self, value):
        return value or []

    def validate(self, value):
        super().validate(value)
        known = crosswalk.regions_of(value)
        for code in value:
            if not known.get(code):
                raise crosswalk.unknown_bps_code(code)


class BpsCodeFilter(ConditionFilter, django_filters.Filter):
    """``bps_code`` on regions: the regions the BPS codes stand for (every pair of the crosswalk, so a kecamatan BPS
    counts as two is found by either code); an unknown BPS code is a 400 that names it."""

    field_class = BpsCodeListField

    def condition(self, value):
        if not value:
            return None
        return Q(code__in=BpsCode.objects.filter(code__in=value).values("region"))


class ChoiceListFilter(ConditionFilter, django_filters.MultipleChoiceFilter):
    field_class = ChoiceListField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


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


class OrderingTermsField(ValueListMixin, django_filters.fields.BaseCSVField):
    """``ordering``'s comma-separated terms, read as every list is (CommaSeparatedWidget): spaces around a term
    dropped, an empty term refused (``?ordering=,``)."""

    def clean(self, value):
        return super().clean(None if value is None else [term.strip(" ") for term in value])


class TieBreakingOrderingFilter(django_filters.OrderingFilter):
    """Orders as asked, then by the resource's default order, so pages never overlap or skip rows."""

    base_field_class = OrderingTermsField
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
