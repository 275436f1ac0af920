"""The one JSON log line format of the service, for Django's logging (settings.LOGGING) and gunicorn's own
(adminduk/gunicorn.py): level, logger, message, time (ISO 8601, UTC) and whatever the record adds."""

JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s",
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": "time",
}


def log_format(env) -> str:
    """LOG_FORMAT of ``env`` (a django-environ Env): json by default, text when DEBUG is on (a developer's terminal)."""
    return env.str("LOG_FORMAT", default="text" if env.bool("DEBUG", default=False) else "json")
