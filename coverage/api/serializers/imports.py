"""The import door's parameters, report and refusal."""

from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.openapi_serializers import ValidationErrorEnum
from rest_framework import serializers

from ...models import (
    Source,
)
from ...regions import crosswalk


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text=_("Line of the file (CSV/XLSX; the header is line 1) or position (JSON, from 1).")
    )
    attr = serializers.CharField(source="column", allow_null=True, help_text=_("The column at fault, if one."))
    code = serializers.CharField(
        help_text=_("Stable machine-readable reason, e.g. unknown_region, bps_code, unknown_bps_code, duplicate.")
    )
    detail = serializers.CharField(source="message", help_text=_("Human-readable reason."))


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text=_("true: checked and counted, nothing written."))
    written = serializers.BooleanField(help_text=_("Whether the figures were written (all of them)."))
    rows = serializers.IntegerField(help_text=_("Rows in the file."))
    created = serializers.IntegerField(help_text=_("New figures."))
    updated = serializers.IntegerField(help_text=_("Figures whose value, counts, source or status changed."))
    unchanged = serializers.IntegerField(help_text=_("Figures already stored exactly so."))
    rejected = serializers.IntegerField(help_text=_("Bad rows; any bad row means nothing is written."))
    error_count = serializers.IntegerField(
        help_text=_("Errors in all (a row may have several); the first 1,000 are listed in errors.")
    )
    errors = ImportErrorSerializer(
        many=True, help_text=_("The first 1,000 errors, in file order: line, column and reason.")
    )


class RefusedImportErrorSerializer(ImportErrorSerializer):
    line = serializers.IntegerField(
        required=False, help_text=_("Line of the file (CSV/XLSX; the header is line 1) or position (JSON, from 1).")
    )

    class Meta:
        ref_name = "ImportError400"


class ImportSummarySerializer(ImportReportSerializer):
    errors = None  # listed beside the summary, as in every error response


class ImportErrorResponseSerializer(serializers.Serializer):
    # A refused import, in the shape of every validation error, with the bad rows' lines and the counts.
    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices, help_text=_("validation_error."))
    errors = RefusedImportErrorSerializer(
        many=True,
        help_text=_(
            "The first 1,000 errors (line, column, reason; summary.error_count says how many in all), or the "
            "parameter or file at fault (no line)."
        ),
    )
    summary = ImportSummarySerializer(
        required=False, help_text=_("The counts, when the file was read: nothing was written.")
    )

    class Meta:
        ref_name = "ImportErrorResponse"


class ImportParametersSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(default=False, help_text=_("true: check and count, write nothing."))
    source = serializers.PrimaryKeyRelatedField(
        queryset=Source.objects.all(), required=False, help_text=_("Source id for rows that do not name one.")
    )

    code_system = serializers.ChoiceField(
        choices=crosswalk.CODE_SYSTEMS,
        default=crosswalk.KEMENDAGRI,
        help_text=_("How the file's region codes are read: kemendagri (64.07, the default) or bps (6402)."),
    )

    def validate_source(self, source):
        return source.pk
