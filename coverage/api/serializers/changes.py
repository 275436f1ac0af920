"""Changes, as the change feed shows them: deletions for public copies, one figure's history."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


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
