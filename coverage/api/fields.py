"""Serializer fields for the API's writes: a value means what its JSON says.

DRF converts between types where a client most likely made a mistake ("5" is taken as the number 5, 0 as the text
"0", "true" and 1 as true, 2024-6-13 as a date). A write that sends a value of another type than the schema
states is refused instead, naming the field: what is stored is what the client meant, and a generated client's
checks and the service's agree.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from ..figures.values import parse_iso_date


class JsonTypeMixin:
    """Refuses a value whose JSON type is not one of ``json_types`` (a boolean only where bool is named)."""

    json_types: tuple[type, ...] = ()
    wrong_type = "invalid"  # the field's own message for it

    def to_internal_value(self, data):
        if not isinstance(data, self.json_types) or (isinstance(data, bool) and bool not in self.json_types):
            self.fail(self.wrong_type, **self.wrong_type_params(data))
        return super().to_internal_value(data)

    def wrong_type_params(self, data) -> dict:
        return {}


class CharField(JsonTypeMixin, serializers.CharField):
    json_types = (str,)


class SlugField(JsonTypeMixin, serializers.SlugField):
    json_types = (str,)


class URLField(JsonTypeMixin, serializers.URLField):
    json_types = (str,)


class IntegerField(JsonTypeMixin, serializers.IntegerField):
    json_types = (int, float)  # 5.0 is an integer in JSON; 5.5 is refused by DRF itself


class DecimalField(JsonTypeMixin, serializers.DecimalField):
    json_types = (int, float, Decimal)


class BooleanField(JsonTypeMixin, serializers.BooleanField):
    json_types = (bool,)


class NoBlankRelationMixin:
    """DRF reads "" as null for a relation, so a blank reference was silently stored as none; the schema refuses it,
    and so does the service: a 400 naming the field."""

    default_error_messages = {  # DRF gathers these along the MRO: the schema lists "blank" with the field's codes
        "blank": _("An empty text names nothing: give a reference, or null where the field allows it.")
    }

    def run_validation(self, data=empty):
        if data == "":
            self.fail("blank")
        return super().run_validation(data)


class PrimaryKeyRelatedField(NoBlankRelationMixin, JsonTypeMixin, serializers.PrimaryKeyRelatedField):
    json_types = (int,)
    wrong_type = "incorrect_type"

    def wrong_type_params(self, data):
        return {"data_type": type(data).__name__}


class IsoDateField(JsonTypeMixin, serializers.DateField):
    """A date as text, exactly YYYY-MM-DD."""

    json_types = (str,)

    def wrong_type_params(self, data):
        return {"format": "YYYY-MM-DD"}

    def to_internal_value(self, value):
        if isinstance(value, str) and parse_iso_date(value) is None:
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class ChoiceField(serializers.ChoiceField):
    """One of the choices, of their JSON type (level 2, not "2"); any other value is refused with the list of valid
    ones."""

    default_error_messages = {"invalid_choice": _("{input} is not a valid choice; use one of: {choices}.")}

    def to_internal_value(self, data):
        wanted = {type(choice) for choice in self.choices}
        matches_type = not (isinstance(data, bool) or (wanted and not isinstance(data, tuple(wanted))))
        if not matches_type or str(data) not in self.choice_strings_to_values:
            if not (data == "" and self.allow_blank):
                self.fail("invalid_choice", input=str(data)[:50], choices=", ".join(self.choice_strings_to_values))
        return super().to_internal_value(data)


# For ModelSerializer.serializer_field_mapping: the model fields the API writes, read strictly.
FIELD_MAPPING = {
    models.CharField: CharField,
    models.TextField: CharField,
    models.SlugField: SlugField,
    models.URLField: URLField,
    models.IntegerField: IntegerField,
    models.SmallIntegerField: IntegerField,
    models.PositiveSmallIntegerField: IntegerField,
    models.PositiveIntegerField: IntegerField,
    models.PositiveBigIntegerField: IntegerField,
    models.BigIntegerField: IntegerField,
    models.DecimalField: DecimalField,
    models.BooleanField: BooleanField,
    models.DateField: IsoDateField,
}
