"""Pages of ``page`` and ``page_size`` as in the contract, counted only when a page is full."""

from django.core.paginator import EmptyPage, Page
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class RowsPage(Page):
    """A page whose rows are a list already: iterated as that list (a Page is a Sequence, read an index at a time)."""

    def __iter__(self):
        return iter(self.object_list)


class CountSavingPaginator(DjangoPaginator):
    """Reads one row more than a page: when that row is missing, this is the last page and the total is
    known without a COUNT(*) over the whole result (which, for latest=true, would compute it twice)."""

    def page(self, number):
        number = int(number)
        offset = (number - 1) * self.per_page
        rows = list(self.object_list[offset : offset + self.per_page + 1])
        if len(rows) <= self.per_page:
            if not rows and number > 1:
                raise EmptyPage(_("That page contains no results"))
            self.__dict__["count"] = offset + len(rows)  # Paginator.count is a cached_property
        return self._get_page(rows[: self.per_page], number, self)

    def _get_page(self, *args, **kwargs):
        return RowsPage(*args, **kwargs)


class StrictPageNumberPagination(pagination.PageNumberPagination):
    """``page`` and ``page_size`` (at most 1000) as in the contract; a bad value is a 400, never clipped."""

    django_paginator_class = CountSavingPaginator
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size_query_description = _(
        "Rows per page, 1 to 1000 (default 50); all, with format=csv, streams every matching row."
    )
    page_query_description = _("Page number, from 1.")
    invalid_page_message = _("Page {page_number} does not exist: {message}")

    max_page = 1_000_000

    def get_schema_operation_parameters(self, view):
        page_size = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        if hasattr(view, "export"):  # coverage.api.views.base.ExportMixin: all, with CSV, streams every row
            page_size = {"oneOf": [page_size, {"type": "string", "enum": ["all"]}]}
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": str(self.page_query_description),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(self.page_size_query_description),
                "schema": page_size,
            },
        ]

    def get_page_size(self, request):
        return self._positive_int(
            request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size
        )

    def get_page_number(self, request, paginator):
        return self._positive_int(request, self.page_query_param, default=1, maximum=self.max_page)

    def _positive_int(self, request, name, *, default, maximum=None):
        raw = request.query_params.get(name)
        if raw is None:
            return default
        # Digits only: int() also takes " 5", "5_0" and other scripts' digits, which no schema calls an integer (and
        # refuses more than 4,300 of them with an error of its own).
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 20 else None
        if number is None or number < 1 or (maximum is not None and number > maximum):
            message = (
                _("Must be a whole number from 1 to %(maximum)s.") % {"maximum": maximum}
                if maximum
                else _("Must be a whole number from 1.")
            )
            raise exceptions.ValidationError({name: [exceptions.ErrorDetail(message, code="invalid")]})
        return number
