"""Project-level behaviour: settings from the environment, the app's name, messages in two languages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import coverage

ROOT = Path(__file__).resolve().parent.parent


def settings_in_subprocess(expression, **env):
    """Evaluate `expression` on a fresh import of adminduk.settings under exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "TIME_ZONE"}}
    return subprocess.run(
        [sys.executable, "-c", f"import adminduk.settings as s; print({expression})"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "adminduk.settings", "ENV_FILE": "/nonexistent/.env", **env},
        capture_output=True,
        text=True,
    )


def test_the_coverage_package_is_our_app_not_coverage_py():
    assert Path(coverage.__file__).resolve().parent == ROOT / "coverage"


def test_without_debug_and_without_secret_key_the_service_refuses_to_start():
    result = settings_in_subprocess("s.SECRET_KEY")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_development_key_is_used_only_with_debug_on():
    result = settings_in_subprocess("s.SECRET_KEY", DEBUG="true")

    assert result.returncode == 0
    assert result.stdout.startswith("django-insecure-development-only")


def test_the_secret_key_comes_from_the_environment():
    key = "from-env-" + "k3y" * 20

    assert settings_in_subprocess("s.SECRET_KEY", SECRET_KEY=key).stdout.strip() == key


@pytest.mark.parametrize(
    "key",
    ["short-key", "a" * 60, "django-insecure-" + "0123456789" * 5],
    ids=["too short", "too few different characters", "django-insecure prefix"],
)
def test_without_debug_an_insecure_secret_key_refuses_to_start(key):
    result = settings_in_subprocess("s.SECRET_KEY", SECRET_KEY=key)

    assert result.returncode != 0
    assert "SECRET_KEY is insecure" in result.stderr


def test_without_debug_allowed_hosts_star_refuses_to_start():
    result = settings_in_subprocess("s.ALLOWED_HOSTS", SECRET_KEY="k3y-abc" * 10, ALLOWED_HOSTS="*")

    assert result.returncode != 0
    assert "'*' is refused" in result.stderr


def test_without_database_url_the_database_is_an_sqlite_file_in_the_project_folder():
    result = settings_in_subprocess("s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']", DEBUG="1")

    assert result.stdout.strip() == f"django.db.backends.sqlite3 {ROOT / 'db.sqlite3'}"


def test_database_url_selects_postgresql_with_a_short_connect_timeout():
    result = settings_in_subprocess(
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.DATABASES['default']['OPTIONS']",
        DEBUG="1",
        DATABASE_URL="postgresql://u:p@db.example:5432/adminduk",
    )

    engine, name, options = result.stdout.strip().split(" ", 2)
    assert (engine, name) == ("django.db.backends.postgresql", "adminduk")
    assert "'connect_timeout': 3" in options and "'keepalives': 1" in options


def test_time_zone_defaults_to_wita_and_follows_the_environment():
    assert settings_in_subprocess("s.TIME_ZONE", DEBUG="1").stdout.strip() == "Asia/Makassar"
    assert settings_in_subprocess("s.TIME_ZONE", DEBUG="1", TIME_ZONE="Asia/Jakarta").stdout.strip() == "Asia/Jakarta"


def test_hosts_and_trusted_origins_are_lists_from_the_environment():
    result = settings_in_subprocess(
        "s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS",
        DEBUG="1",
        ALLOWED_HOSTS="adminduk.example,api.example",
        CSRF_TRUSTED_ORIGINS="https://adminduk.example",
    )

    assert result.stdout.strip() == "['adminduk.example', 'api.example'] ['https://adminduk.example']"


@pytest.mark.django_db
def test_api_messages_are_indonesian_by_default_and_english_on_request(api):
    indonesian = api.get("/api/v1/measurements/", {"level": "9"}).json()["errors"][0]["detail"]
    english = api.get("/api/v1/measurements/", {"level": "9"}, headers={"accept-language": "en"}).json()
    unknown_id = api.get("/api/v1/measurements/", {"nama": "x"}).json()["errors"][0]["detail"]

    assert indonesian == "9 bukan pilihan yang valid; gunakan salah satu dari: 1, 2, 3, 4."
    assert english["errors"][0]["detail"] == "9 is not a valid choice; use one of: 1, 2, 3, 4."
    assert unknown_id.startswith("Parameter kueri tidak dikenal")
