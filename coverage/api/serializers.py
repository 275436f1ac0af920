"""Representations of the v1 contract: field names fixed by DESIGN.md, regions and indicators by code."""

from operator import attrgetter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from drf_standardized_errors.openapi_serializers import ValidationErrorEnum
from rest_framework import serializers

from ..figures import access
from ..figures.values import check_indicator_code
from ..models import (
    Indicator,
    Measurement,
    NationalTarget,
    Partnership,
    Region,
    Source,
)
from ..regions.codes import check_region_code
from . import fields as api_fields
from .permissions import actor_of


class CodeRelatedField(serializers.SlugRelatedField):
    """A related object named by its ``code``.

    When the foreign key itself points at ``code`` (``to_field="code"``) the column already holds the
    code, so reading it needs no join and no extra query.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": _("Unknown code: {value}.")})
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        # Check the shape first: a malformed code (a NUL byte, a BPS code such as 6471) never reaches the database.
        if not isinstance(data, str):
            self.fail("does_not_exist", slug_name="code", value=str(data)[:50])
        check = check_indicator_code if self.queryset is not None and self.queryset.model is Indicator else None
        try:
            (check or check_region_code)(data)
        except DjangoValidationError as exc:
            if exc.code == "bps_code":
                raise serializers.ValidationError(exc.messages, code=exc.code) from None
            self.fail("does_not_exist", slug_name="code", value=data[:50])  # as for a well-formed unknown code
        return super().to_internal_value(data)

    def use_pk_only_optimization(self):
        model_field = getattr(self.parent.Meta.model, self.source, None)
        return getattr(getattr(model_field, "field", None), "to_fields", None) == ["code"]

    def to_representation(self, value):
        if isinstance(value, serializers.PKOnlyObject):
            return value.pk
        return super().to_representation(value)


class ImmutableCodeMixin:
    # A code is the identity other apps store; changing it would silently break their references.

    def validate_code(self, code):
        if self.instance is not None and code != self.instance.code:
            raise serializers.ValidationError(
                _("A code never changes; create a new record under the new code instead."), code="immutable"
            )
        return code


class ModelCleanSerializer(serializers.ModelSerializer):
    # Runs the model's clean() so that the API and the admin enforce the same rules, and refuses fields it does not
    # know (a misspelled field would otherwise be dropped without a word). No docstring: a serializer's docstring is
    # its public description in the OpenAPI schema, and each one below has its own.

    derived_fields: tuple[str, ...] = ()
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, **api_fields.FIELD_MAPPING}
    serializer_choice_field = api_fields.ChoiceField
    serializer_related_field = api_fields.PrimaryKeyRelatedField

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [serializers.ErrorDetail(_("Unknown field."), code="unknown_field")] for name in unknown}
                )
        return super().to_internal_value(data)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        candidate = self.candidate_instance(attrs)
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        # clean() may derive values (e.g. the percentage from the counts).
        return {**attrs, **{name: getattr(candidate, name) for name in self.derived_fields}}

    def update(self, instance, validated_data):
        # Write only the fields the request gave (a PATCH of one field never rewrites the others).
        for name, value in validated_data.items():
            setattr(instance, name, value)
        fields = {self.Meta.model._meta.get_field(name).name for name in validated_data}
        fields |= {f.name for f in self.Meta.model._meta.concrete_fields if getattr(f, "auto_now", False)}
        instance.save(update_fields=fields)
        return instance

    def candidate_instance(self, attrs):
        """The object as it would be saved, built without touching ``self.instance``."""
        model = self.Meta.model
        current = {}
        if self.instance is not None:
            current = {field.attname: getattr(self.instance, field.attname) for field in model._meta.concrete_fields}
        candidate = model(**current)
        for name, value in attrs.items():
            setattr(candidate, name, value)
        return candidate


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Kota Balikpapan",
            value={"code": "64.71", "name": "Kota Balikpapan", "level": 2, "kind": "city", "parent": "64"},
        )
    ]
)
class RegionSerializer(ImmutableCodeMixin, ModelCleanSerializer):
    """A province, kabupaten/kota, kecamatan or desa/kelurahan, named by its Kemendagri code, which never changes."""

    parent = CodeRelatedField(
        queryset=Region.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Code of the region one level up; null for a province."),
    )

    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "parent", "population", "population_as_of", "version"]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "KIA ownership",
            value={
                "code": "kia-ownership",
                "name": "Kepemilikan KIA",
                "name_en": "KIA (child identity card) ownership",
                "unit": "percent",
                "population": "Anak berusia di bawah 17 tahun",
                "higher_is_better": True,
                "description": "Persentase anak (di bawah 17 tahun) yang memiliki Kartu Identitas Anak (KIA).",
            },
        )
    ]
)
class IndicatorSerializer(ImmutableCodeMixin, ModelCleanSerializer):
    """What is measured (e.g. KIA ownership), named by a code that never changes."""

    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "unit", "population", "higher_is_better", "description", "version"]


class SourceSerializer(ModelCleanSerializer):
    """Where figures and targets come from: a publication, who published it and when."""

    class Meta:
        model = Source
        fields = ["id", "title", "publisher", "url", "published_on", "note", "version"]
        extra_kwargs = {"id": {"help_text": _("Id of the source, referred to by figures and targets.")}}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "KIA 2024", value={"id": 1, "indicator": "kia-ownership", "year": 2024, "value": 60.0, "source": 1}
        )
    ]
)
class NationalTargetSerializer(ModelCleanSerializer):
    """The national target of an indicator for a year, in percent."""

    indicator = CodeRelatedField(queryset=Indicator.objects.all(), help_text=_("Indicator code."))

    class Meta:
        model = NationalTarget
        fields = ["id", "indicator", "year", "value", "source", "version", "created_at", "updated_at"]
        extra_kwargs = {"id": {"help_text": _("Id of the target.")}}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Kota Balikpapan, KIA ownership, 13 June 2024",
            value={
                "id": 9,
                "region": "64.71",
                "region_name": "Kota Balikpapan",
                "indicator": "kia-ownership",
                "as_of": "2024-06-13",
                "value": 96.9,
                "numerator": None,
                "denominator": None,
                "source": 1,
                "created_at": "2024-06-21T13:06:00+08:00",
                "updated_at": "2024-06-21T13:06:00+08:00",
            },
            response_only=True,
        ),
        OpenApiExample(
            "New figure from counts (value derived: 100 × 1875 / 2000 = 93.75)",
            value={
                "region": "64.71",
                "indicator": "kia-ownership",
                "as_of": "2024-12-31",
                "numerator": 1875,
                "denominator": 2000,
                "source": 1,
            },
            request_only=True,
        ),
    ]
)
class MeasurementSerializer(ModelCleanSerializer):
    """A coverage figure: one region, one indicator, one date. When both counts are given, value is 100 × numerator /
    denominator rounded to 2 places (and may be left out)."""

    region = CodeRelatedField(queryset=Region.objects.all(), help_text=_("Region code (Kemendagri)."))
    region_name = serializers.CharField(
        source="region.name", read_only=True, help_text=_("Official name of the region.")
    )
    indicator = CodeRelatedField(queryset=Indicator.objects.all(), help_text=_("Indicator code."))
    verified_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text=_("Who verified or published the figure."),
    )

    derived_fields = ("value",)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "region",
            "region_name",
            "indicator",
            "as_of",
            "value",
            "numerator",
            "denominator",
            "source",
            "status",
            "verified_by",
            "verified_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["verified_at", "version"]
        extra_kwargs = {
            "id": {"help_text": _("Id of the figure.")},
            "value": {
                "required": False,
                # format_lazy: joined when shown, in the language of the moment (the schema's is English).
                "help_text": format_lazy(
                    "{} {}",
                    Measurement._meta.get_field("value").help_text,
                    _("May be left out when numerator and denominator are given; it is then derived from them."),
                ),
            },
        }

    def candidate_instance(self, attrs):
        candidate = super().candidate_instance(attrs)
        counts_changed = {"numerator", "denominator"} & attrs.keys()
        if "value" not in attrs and counts_changed and candidate.numerator is not None and candidate.denominator:
            candidate.value = None  # derived again from the new counts by clean()
        return candidate

    def run_validators(self, value):
        # Scope first: the uniqueness validators look at other regions' figures, and their answer must not tell a
        # writer which hidden figures exist.
        access.check_may_write_figure(self.actor, figure=self.instance, region=value.get("region"))
        super().run_validators(value)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        return {**attrs, **access.publication_changes(self.actor, figure=self.instance, attrs=attrs)}

    @property
    def actor(self):
        return actor_of(self.context["request"])


class PartnershipSerializer(serializers.ModelSerializer):
    indicator = CodeRelatedField(read_only=True, help_text=_("Indicator code."))
    regions = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("Codes of the regions where the programme runs.")
    )

    class Meta:
        model = Partnership
        fields = ["id", "name", "description", "indicator", "regions", "source"]
        extra_kwargs = {"id": {"help_text": _("Id of the programme.")}}


# Answers (read-only shapes computed by coverage.selectors). Rows of each answer sit under "results",
# which is also what ?format=csv writes, one row each.


class FigureSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code", help_text=_("Region code."))
    region_name = serializers.CharField(source="region.name", help_text=_("Official name of the region."))
    value = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=_("The figure, in percent."))
    as_of = serializers.DateField(help_text=_("The date the figure describes."))
    source = serializers.IntegerField(source="source_id", help_text=_("Id of the figure's source."))


class FlatListSerializer(serializers.ListSerializer):
    """For read-only lists of thousands of flat items (a ranking of the 7,285 kecamatan): each field's own
    to_representation, as DRF calls it, with the attribute read by one attrgetter per field instead of DRF's
    per-item lookup of each field and its source (a third of the time such an answer took). Only for fields
    read from attributes: one that reads the whole item (source="*", a method field) fails here loudly."""

    def to_representation(self, data):
        fields = [
            (field.field_name, attrgetter(".".join(field.source_attrs)), field.to_representation)
            for field in self.child._readable_fields
        ]
        return [
            {name: None if (value := read(item)) is None else represent(value) for name, read, represent in fields}
            for item in data
        ]


class RankedFigureSerializer(FigureSerializer):
    rank = serializers.IntegerField(help_text=_("1 is best; equal values share a rank (1, 2, 2, 4)."))

    class Meta:
        fields = ["rank", "region", "region_name", "value", "as_of", "source"]
        list_serializer_class = FlatListSerializer

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in self.Meta.fields}


class RankingSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code", help_text=_("Indicator code."))
    higher_is_better = serializers.BooleanField(
        source="indicator.higher_is_better", help_text=_("Direction of the ranking: true ranks the highest first.")
    )
    as_of = serializers.DateField(help_text=_("Each region's latest figure on or before this date is ranked."))
    count = serializers.IntegerField(help_text=_("Number of regions ranked (regions without a figure are left out)."))
    highest = FigureSerializer(allow_null=True, help_text=_("The highest figure; null when no region has one."))
    lowest = FigureSerializer(allow_null=True, help_text=_("The lowest figure; null when no region has one."))
    results = RankedFigureSerializer(many=True, help_text=_("Best first."))


class TargetBriefSerializer(serializers.Serializer):
    year = serializers.IntegerField(help_text=_("Target year."))
    value = serializers.DecimalField(max_digits=5, decimal_places=2, help_text=_("National target, in percent."))
    source = serializers.IntegerField(source="source_id", help_text=_("Id of the source that sets the target."))


class AttainedSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code", help_text=_("Region code."))
    region_name = serializers.CharField(source="region.name", help_text=_("Official name of the region."))
    value = serializers.DecimalField(
        source="figure.value",
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text=_("The region's latest figure in the year; null when it has none."),
    )
    as_of = serializers.DateField(source="figure.as_of", allow_null=True, help_text=_("Date of that figure."))
    source = serializers.IntegerField(source="figure.source_id", allow_null=True, help_text=_("Id of its source."))
    gap = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text=_("Figure minus target, in percentage points.")
    )
    met = serializers.BooleanField(allow_null=True, help_text=_("Whether the target is met; null without a figure."))


class AttainmentSerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code", help_text=_("Indicator code."))
    year = serializers.IntegerField(help_text=_("The year whose figures and target are compared."))
    target = TargetBriefSerializer(help_text=_("The national target of that year."))
    region = AttainedSerializer(help_text=_("The region asked for."))
    children = AttainedSerializer(
        many=True,
        allow_null=True,
        help_text=_("Its direct children with a figure in the year (children=true), best first."),
    )


class RollupSerializer(serializers.Serializer):
    as_of = serializers.DateField(
        help_text=_("Date of the children's figures combined (the region's own figure's date).")
    )
    value = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text=_("100 × Σnumerator / Σdenominator of the children.")
    )
    numerator = serializers.IntegerField(help_text=_("Σ numerator of the children with counts."))
    denominator = serializers.IntegerField(help_text=_("Σ denominator of the children with counts."))
    complete = serializers.BooleanField(help_text=_("Whether every child has a figure with counts on that date."))
    children_with_counts = serializers.IntegerField(help_text=_("Children combined."))
    children_without_counts = serializers.ListField(
        child=serializers.CharField(), help_text=_("Children with a figure on that date but no counts.")
    )
    children_missing = serializers.ListField(
        child=serializers.CharField(), help_text=_("Children without a figure on that date.")
    )
    stored_value = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text=_("The region's own stored figure.")
    )
    difference = serializers.DecimalField(
        max_digits=8,
        decimal_places=4,
        allow_null=True,
        help_text=_("Stored figure minus roll-up, in percentage points (complete roll-ups only)."),
    )
    disagrees = serializers.BooleanField(
        allow_null=True, help_text=_("Whether the difference exceeds the tolerance (ROLLUP_TOLERANCE).")
    )


class IndicatorSummarySerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator.code", help_text=_("Indicator code."))
    indicator_name = serializers.CharField(source="indicator.name", help_text=_("Indicator name."))
    value = serializers.DecimalField(
        source="figure.value",
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text=_("The region's latest figure; null when it has none."),
    )
    as_of = serializers.DateField(source="figure.as_of", allow_null=True, help_text=_("Date of that figure."))
    source = serializers.IntegerField(source="figure.source_id", allow_null=True, help_text=_("Id of its source."))
    target = serializers.DecimalField(
        source="target.value",
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text=_("National target of the figure's year; null when none is set."),
    )
    target_year = serializers.IntegerField(source="target.year", allow_null=True, help_text=_("Year of that target."))
    gap = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text=_("Figure minus target, in percentage points.")
    )
    met = serializers.BooleanField(allow_null=True, help_text=_("Whether the target is met."))
    rank = serializers.IntegerField(allow_null=True, help_text=_("The region's rank among its siblings with a figure."))
    ranked = serializers.IntegerField(help_text=_("How many siblings (itself included) have a figure."))
    children = serializers.IntegerField(help_text=_("How many children have a figure."))
    highest = FigureSerializer(allow_null=True, help_text=_("The highest figure among its children."))
    lowest = FigureSerializer(allow_null=True, help_text=_("The lowest figure among its children."))
    rollup = RollupSerializer(
        allow_null=True, required=False, help_text=_("With rollup=true: the figure from the children's counts.")
    )


class RegionSummarySerializer(serializers.Serializer):
    region = RegionSerializer(help_text=_("The region."))
    as_of = serializers.DateField(help_text=_("Latest figures on or before this date."))
    results = IndicatorSummarySerializer(many=True, help_text=_("One entry per indicator."))


class AvailabilitySerializer(serializers.Serializer):
    indicator = serializers.CharField(source="indicator_code", help_text=_("Indicator code."))
    level = serializers.IntegerField(help_text=_("Region level."))
    as_of = serializers.DateField(help_text=_("Date of the figures."))
    regions = serializers.IntegerField(help_text=_("Number of regions with a figure for it."))


class DeletedMeasurementSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("Id the figure had."))
    region = serializers.CharField(source="region.code", allow_null=True, help_text=_("Its region code."))
    indicator = serializers.CharField(source="indicator.code", allow_null=True, help_text=_("Its indicator code."))
    as_of = serializers.DateField(help_text=_("Its date."))
    deleted_at = serializers.DateTimeField(help_text=_("When it was deleted."))


class DeletedTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("Id the target had."))
    indicator = serializers.CharField(source="indicator.code", allow_null=True, help_text=_("Its indicator code."))
    year = serializers.IntegerField(help_text=_("Its year."))
    deleted_at = serializers.DateTimeField(help_text=_("When it was deleted."))


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_("Field name, as in the figure's representation."))
    old = serializers.JSONField(allow_null=True, help_text=_("Value before the change; null when created."))
    new = serializers.JSONField(allow_null=True, help_text=_("Value after the change."))


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField(help_text=_("Id of this historical record."))
    at = serializers.DateTimeField(help_text=_("When the change was made."))
    type = serializers.ChoiceField(
        choices=[("created", "created"), ("changed", "changed"), ("deleted", "deleted")], help_text=_("What happened.")
    )
    door = serializers.ChoiceField(
        choices=[(d, d) for d in ("api", "admin", "import", "command", "fixture")],
        help_text=_("How the change came in: api, admin, import, command or fixture."),
    )
    user = serializers.CharField(allow_null=True, help_text=_("Who made it (user or API client); null for commands."))
    changes = FieldChangeSerializer(many=True, help_text=_("Each field whose value changed, with old and new value."))


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(
        help_text=_("Line of the file (CSV/XLSX; the header is line 1) or position (JSON, from 1).")
    )
    attr = serializers.CharField(source="column", allow_null=True, help_text=_("The column at fault, if one."))
    code = serializers.CharField(
        help_text=_("Stable machine-readable reason, e.g. unknown_region, bps_code, duplicate.")
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

    def validate_source(self, source):
        return source.pk
