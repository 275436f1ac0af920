"""The database connection, from DATABASE_URL: PostgreSQL in production (fail fast, notice dead peers, prepared
statements), SQLite as the embedded default (WAL, immediate transactions); and PostgreSQL streaming replicas for
anonymous reads, from DATABASE_REPLICA_URLS (coverage.middleware.replicas)."""

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
            # Parameters bound by the server, and each statement a connection runs often prepared (after its 5th run).
            # The statements of a question asked again hold their values (coverage.api.plans.literal_statement):
            # PostgreSQL plans them once per connection, where planning took longer than running the API's indexed
            # queries. Switch off behind a pooler in transaction mode that cannot keep prepared statements.
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


def replicas_from_environment(env, primary: dict) -> dict:
    """DATABASES entries ("replica1", "replica2", …) for the comma-separated DATABASE_REPLICA_URLS, each set up as
    the primary is, but quicker to give up connecting (a replica down is passed over, not waited for)."""
    urls = [url.strip() for url in env.list("DATABASE_REPLICA_URLS", default=[]) if url.strip()]
    if urls and primary["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs a PostgreSQL primary (DATABASE_URL).")
    replicas = {}
    for number, url in enumerate(urls, start=1):
        config = env.db_url_config(url)
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: replica {number} is not a PostgreSQL URL.")
        options = {**primary.get("OPTIONS", {}), **config.get("OPTIONS", {})}
        options["connect_timeout"] = env.int("DB_REPLICA_CONNECT_TIMEOUT", default=1)
        replicas[f"replica{number}"] = {
            **primary,
            **config,
            "OPTIONS": options,
            "TEST": {"MIRROR": "default"},  # the test run has one database
        }
    return replicas
