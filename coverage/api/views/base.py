"""What the API's viewsets share: a 404 that names the unknown code, strict query strings, conditional writes
(If-Match, 412), the streamed CSV export, answers' parameters and the deleted/ lists."""

import itertools

from django.db import transaction
from django.db.models import F
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.settings import api_settings

from ...figures import access
from ...figures.values import UNKNOWN_INDICATOR
from ...models import Indicator, Region
from ...regions.codes import BPS_CODE, UNKNOWN_REGION, bps_code_given
from ..clients import actor_of
from ..filtering import StrictFilterBackend, check_query_parameters
from ..renderers import csv_chunks


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = _("The record changed since you read it (If-Match does not match its ETag); read it again.")
    default_code = "precondition_failed"


def etag(obj) -> str:
    return f'"{obj.version}"'


UNKNOWN_CODE = {Region: UNKNOWN_REGION, Indicator: UNKNOWN_INDICATOR}


def by_code(model, code):
    """The region or indicator a path names, or a 404 that names the unknown code, as the filters do."""
    try:
        return model.objects.get(code=code)
    except model.DoesNotExist:
        raise exceptions.NotFound(UNKNOWN_CODE[model] % {"value": code}) from None


class NamedLookupMixin:
    """A path naming a record that does not exist is a 404 that says which, as filters name unknown codes."""

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
            model = self.get_queryset().model
            message = UNKNOWN_CODE.get(model) or _("No %(model)s with id %(value)s.")
            message = message % {"model": model._meta.verbose_name, "value": value}
            if model is Region and value and BPS_CODE.fullmatch(str(value)):
                message = bps_code_given(str(value), in_path=True).messages[0]  # says it is a BPS code, and of what
            raise exceptions.NotFound(message) from None


class StrictQueryMixin(NamedLookupMixin):
    """The query string of a create, and of an action without filters, is checked too: only ``format`` and the
    action's own ``query_parameters``, each with a value (``POST …?dry_run=true`` must not quietly create)."""

    query_parameters = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "create" or not self.filter_backends:
            check_query_parameters(request, {api_settings.URL_FORMAT_OVERRIDE, *self.query_parameters})


class ConditionalWriteMixin:
    """No lost updates. Every write locks its row for the length of the request, so concurrent writes of
    different fields apply one after the other to the current row; a write that names the version it read
    (If-Match: the ETag of a GET) is refused with 412 if the row has changed since."""

    conditional_writes = True  # documents If-Match and the 412 (coverage.api.schema)

    def check_write(self, actor, obj) -> None:
        """Raise coverage.figures.access's refusal unless ``actor`` may write ``obj`` (None: create); asked before the
        request's data is validated, so that a refusal never depends on, or tells about, other rows."""
        access.check_may_change_reference(actor)

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            self.check_write(actor_of(self.request), obj)
            wanted = self.request.headers.get("If-Match")
            if wanted is not None and wanted.strip() != "*":
                tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
                if etag(obj) not in tags:
                    raise PreconditionFailed()
        return obj

    @staticmethod
    def with_etag(response):
        response["ETag"] = f'"{response.data["version"]}"'  # the same tag as etag(obj), from the answer itself
        return response

    def retrieve(self, request, *args, **kwargs):
        return self.with_etag(super().retrieve(request, *args, **kwargs))

    @transaction.atomic
    def create(self, request, *args, **kwargs):
        self.check_write(actor_of(request), None)
        return super().create(request, *args, **kwargs)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        return self.with_etag(super().update(request, *args, **kwargs))

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)


class ExportMixin:
    """``?page_size=all`` with CSV streams every matching row, in constant memory, instead of one page."""

    def list(self, request, *args, **kwargs):
        if request.query_params.get("page_size") == "all":
            return self.export(request)
        return super().list(request, *args, **kwargs)

    def export(self, request):
        self.paginator.get_page_number(request, None)  # checked like any page number, though a stream has no pages
        if request.accepted_renderer.format != "csv":
            raise exceptions.ValidationError(
                {"page_size": [_("page_size=all streams every row and needs format=csv (or Accept: text/csv).")]},
                code="csv_only",
            )
        queryset = self.filter_queryset(self.get_queryset())
        header = list(self.get_serializer().fields)
        response = StreamingHttpResponse(self.export_chunks(queryset, header), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename}.csv"'
        return response

    def export_chunks(self, queryset, header):
        return csv_chunks(itertools.chain([header], (row.values() for row in self.export_rows(queryset))))

    def export_rows(self, queryset):
        serializer = self.get_serializer()
        return (serializer.to_representation(obj) for obj in queryset.iterator(chunk_size=2000))


class AnswerMixin:
    """Answers whose query parameters are declared as a FilterSet (validated and documented like filters)."""

    def answer_parameters(self, queryset):
        filterset = StrictFilterBackend().validated_filterset(self.request, queryset, self)
        return filterset, filterset.form.cleaned_data


def today():
    return timezone.localdate()


def tombstones(model, *related):
    """Deleted rows of ``model``, oldest first, from its change history."""
    deleted = model.history.filter(history_type="-").annotate(deleted_at=F("history_date"))
    return deleted.select_related(*related).order_by("deleted_at", "history_id")


class DeletedMixin:
    """``deleted/``: what was deleted, for incremental sync."""

    def deleted_list(self):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
