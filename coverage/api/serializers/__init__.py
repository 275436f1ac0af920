"""The API's serializers: records, answers, changes and imports."""
