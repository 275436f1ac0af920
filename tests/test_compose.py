"""docker-compose.yml and the Dockerfile as deployed, read as files (docker is not needed to run this): nginx in front,
web replicas that can be scaled, migrations as a one-off service before them, pinned images, secrets only from the
environment, an image user with a home of its own, gunicorn's own log lines in the service's JSON."""

import io
import json
import logging.config
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
NGINX = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")


def test_nginx_is_the_only_door_and_web_replicas_publish_no_port():
    assert SERVICES["nginx"]["ports"] == ["127.0.0.1:8000:8080"]
    assert "ports" not in SERVICES["web"]  # --scale web=3 would collide on a published port
    assert SERVICES["web"]["expose"] == ["8000"]
    assert "set $web http://web:8000;" in NGINX and "proxy_pass $web;" in NGINX  # every replica, resolved at run time
    assert "proxy_buffering on;" in NGINX and "proxy_request_buffering on;" in NGINX
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in NGINX
    assert SERVICES["web"]["environment"]["TRUSTED_PROXIES"] == "1"  # one proxy: each client counted, not nginx


def test_migrations_run_once_before_the_replicas_not_on_every_start():
    migrate = SERVICES["migrate"]

    assert "migrate --noinput" in " ".join(migrate["command"]) and "load_regions" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"
    assert SERVICES["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert SERVICES["web"]["image"] == migrate["image"]  # the image migrate builds
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE, re.M).group(1)
    assert json.loads(cmd) == ["gunicorn", "-c", "python:adminduk.gunicorn", "adminduk.wsgi:application"]


@pytest.mark.parametrize("name", ["db", "redis", "nginx", "db-replica"])
def test_images_are_pinned_to_a_release(name):
    image = SERVICES[name]["image"]

    assert re.fullmatch(r"[a-z0-9-]+:\d+\.\d+(\.\d+)?-[a-z]+", image), image  # not :latest, not a bare major


def test_secrets_come_from_the_environment_only():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")

    assert SERVICES["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "${SECRET_KEY:?" in SERVICES["web"]["environment"]["SECRET_KEY"]
    assert "${POSTGRES_PASSWORD:?" in SERVICES["web"]["environment"]["DATABASE_URL"]
    assert not re.search(r"adminduk:adminduk@|POSTGRES_PASSWORD: adminduk", text)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env", "db.sqlite3*"} <= set(ignored)


def test_the_optional_replica_streams_from_the_primary():
    replica = SERVICES["db-replica"]

    assert replica["profiles"] == ["replica"]
    assert "pg_basebackup -h db" in replica["command"][-1] and " -R " in replica["command"][-1]
    assert "./deploy/replication.sh:/docker-entrypoint-initdb.d/replication.sh:ro" in SERVICES["db"]["volumes"]


def test_the_image_user_is_not_root_and_has_a_home_it_owns():
    assert re.search(r"useradd .*--create-home --home-dir /home/adminduk", DOCKERFILE)
    assert re.search(r"^USER adminduk$", DOCKERFILE, re.M)


def test_gunicorns_own_lines_are_the_services_json(monkeypatch):
    import importlib

    monkeypatch.setenv("LOG_FORMAT", "json")
    from adminduk import gunicorn

    config = importlib.reload(gunicorn).logconfig_dict
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)

    logging.getLogger("gunicorn.error").info("Booting worker with pid: 7")

    line = json.loads(stream.getvalue())
    assert (line["level"], line["logger"], line["message"]) == ("INFO", "gunicorn.error", "Booting worker with pid: 7")
    assert "time" in line
