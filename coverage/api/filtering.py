"""The machinery of the API's query parameters (the declarations are in coverage.api.filtersets): a FilterSet that
starts cheaply, conditions applied in one filter() call, and a backend that refuses a parameter nobody reads.

Multi-valued parameters accept ``?region=64.71,64.74`` and ``?region=64.71&region=64.74`` alike; codes are checked
for shape before they reach the database and an unknown code is a 400 that names it.
"""

import copy

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters import utils
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.settings import api_settings

from .filterfields import CodeListField, CodeSystemFilter, ConditionFilter, takes_region_codes


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

    @classmethod
    def get_filters(cls):
        """The declared filters, and ``code_system`` wherever a parameter names regions: every request that takes
        region codes can give them as BPS codes."""
        filters = super().get_filters()
        if "code_system" not in filters and any(takes_region_codes(f) for f in filters.values()):
            filters["code_system"] = CodeSystemFilter()
        return filters

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
            # Codes are looked up against the version of reference data the request read (see CodeListField).
            # BPS codes are read as such where the request says so (an invalid code_system is its own error).
            version = getattr(self.request, "reference_version", None)
            system = self.data.get("code_system")
            for field in form.fields.values():
                if isinstance(field, CodeListField):
                    field.reference_version, field.code_system = version, system
        return self._form


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
        if getattr(view, "action", None) == "retrieve":
            known.discard("code_system")  # a path names its record by Kemendagri code or id: nothing to read as BPS
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
