"""The database connection, from DATABASE_URL: PostgreSQL in production (fail fast, notice dead peers, prepared
statements), SQLite as the embedded default (WAL, immediate transactions)."""

from django.core.exceptions import ImproperlyConfigured


def from_environment(env, *, default: str) -> dict:
    """Django's DATABASES["default"] for the DATABASE_URL of ``env`` (``default`` when unset)."""
    config = env.db("DATABASE_URL", default=default)
    config.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Fail fast (503 in a few seconds) instead of hanging when PostgreSQL is unreachable.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3))
        # A connection whose peer vanished (network cut, host down) is noticed in about 20 s, not hours.
        config["OPTIONS"].update(
            {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2}
        )
        if env.bool("DB_PREPARED_STATEMENTS", default=True):
            # Parameters bound by the server, and each query shape a connection runs often prepared: PostgreSQL
            # plans it once, not on every request (planning took longer than running the API's indexed queries).
            # Switch off behind a pooler in transaction mode that cannot keep prepared statements.
            config["OPTIONS"].update({"server_side_binding": True, "prepare_threshold": 5})
    elif config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgresql://…) or SQLite (sqlite:///…).")
    return config
