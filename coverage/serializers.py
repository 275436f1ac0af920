"""Representations of the v1 contract: field names fixed by DESIGN.md, regions and indicators by code."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from .models import Indicator, Measurement, NationalTarget, Region, Source


class CodeRelatedField(serializers.SlugRelatedField):
    """A related object named by its ``code``.

    When the foreign key itself points at ``code`` (``to_field="code"``) the column already holds the
    code, so reading it needs no join and no extra query.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": _("Unknown code: {value}.")})
        super().__init__(slug_field="code", **kwargs)

    def use_pk_only_optimization(self):
        model_field = getattr(self.parent.Meta.model, self.source, None)
        return getattr(getattr(model_field, "field", None), "to_fields", None) == ["code"]

    def to_representation(self, value):
        if isinstance(value, serializers.PKOnlyObject):
            return value.pk
        return super().to_representation(value)


class ImmutableCodeMixin:
    """A code is the identity other apps store; changing it would silently break their references."""

    def validate_code(self, code):
        if self.instance is not None and code != self.instance.code:
            raise serializers.ValidationError(
                _("A code never changes; create a new record under the new code instead."), code="immutable"
            )
        return code


class ModelCleanSerializer(serializers.ModelSerializer):
    """Runs the model's ``clean()`` so that the API and the admin enforce the same rules."""

    derived_fields: tuple[str, ...] = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        candidate = self.candidate_instance(attrs)
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        # clean() may derive values (e.g. the percentage from the counts).
        return {**attrs, **{name: getattr(candidate, name) for name in self.derived_fields}}

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
    parent = CodeRelatedField(
        queryset=Region.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("Code of the region one level up; null for a province."),
    )

    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "parent", "population", "population_as_of"]


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
    class Meta:
        model = Indicator
        fields = ["code", "name", "name_en", "unit", "population", "higher_is_better", "description"]


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "title", "publisher", "url", "published_on", "note"]
        extra_kwargs = {"id": {"help_text": _("Id of the source, referred to by figures and targets.")}}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "KIA 2024", value={"id": 1, "indicator": "kia-ownership", "year": 2024, "value": 60.0, "source": 1}
        )
    ]
)
class NationalTargetSerializer(ModelCleanSerializer):
    indicator = CodeRelatedField(queryset=Indicator.objects.all(), help_text=_("Indicator code."))

    class Meta:
        model = NationalTarget
        fields = ["id", "indicator", "year", "value", "source"]
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
    region = CodeRelatedField(queryset=Region.objects.all(), help_text=_("Region code (Kemendagri)."))
    region_name = serializers.CharField(
        source="region.name", read_only=True, help_text=_("Official name of the region.")
    )
    indicator = CodeRelatedField(queryset=Indicator.objects.all(), help_text=_("Indicator code."))

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
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": _("Id of the figure.")},
            "value": {
                "required": False,
                "help_text": Measurement._meta.get_field("value").help_text
                + " "
                + _("May be left out when numerator and denominator are given; it is then derived from them."),
            },
        }

    def candidate_instance(self, attrs):
        candidate = super().candidate_instance(attrs)
        if "value" not in attrs and ({"numerator", "denominator"} & attrs.keys()):
            candidate.value = None  # derived again from the new counts by clean()
        return candidate
