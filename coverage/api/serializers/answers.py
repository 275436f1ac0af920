"""Shapes of the answers (ranking, attainment, summary, roll-up, availability): read-only."""

from operator import attrgetter

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .records import RegionSerializer

# Answers (read-only shapes computed by coverage.answers). Rows of each answer sit under "results",
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
