"""Representations of the records (regions, indicators, sources, targets, figures, partnerships), field names
fixed by the v1 contract; regions and indicators named by code."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from ...figures import access
from ...figures.fields import NAMES
from ...figures.values import check_indicator_code
from ...models import (
    Indicator,
    Measurement,
    NationalTarget,
    Partnership,
    Region,
    Source,
)
from ...regions import lineage
from ...regions.codes import check_region_code
from .. import fields as api_fields
from ..clients import actor_of


class CodeRelatedField(api_fields.NoBlankRelationMixin, serializers.SlugRelatedField):
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
class LineageStepSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The other code."))
    name = serializers.CharField(allow_null=True, help_text=_("Its name."))
    change = serializers.ChoiceField(
        choices=["split", "recode"], help_text=_("split: part of a province became a new one; recode: a new code.")
    )
    effective = serializers.DateField(help_text=_("The day the change took effect."))
    legal_basis = serializers.CharField(help_text=_("The law."))


class LineageSerializer(serializers.Serializer):
    """The codes a region had before and after the changes of codes (the 2022 Papua splits)."""

    code = serializers.CharField(help_text=_("The region's code."))
    predecessors = LineageStepSerializer(many=True, help_text=_("Codes that named its place before a change."))
    successors = LineageStepSerializer(many=True, help_text=_("Codes its place took after a change."))


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
        fields = [
            "code",
            "name",
            "level",
            "kind",
            "parent",
            "population",
            "population_as_of",
            "bps_code",
            "valid_from",
            "valid_until",
            "version",
        ]
        # From the BPS crosswalk and the code changes (load_regions), which filters, imports and figures' dates read.
        read_only_fields = ["bps_code", "valid_from", "valid_until"]


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
                "region_bps_code": "6471",
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
    region_bps_code = serializers.CharField(
        source="region.bps_code",
        read_only=True,
        allow_null=True,
        help_text=_("The region's BPS code (6402), null where BPS has none. Ignored when a file is imported."),
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
        fields = list(NAMES)  # coverage.figures.fields: the one list of a figure's fields
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
        region = attrs.get("region", getattr(self.instance, "region", None))
        as_of = attrs.get("as_of", getattr(self.instance, "as_of", None))
        if region is not None and as_of is not None:
            try:
                lineage.check_valid_on(region, as_of)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"as_of": exc.messages}, code=exc.code) from None
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
