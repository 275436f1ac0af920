"""OpenAPI schema and the Swagger UI / ReDoc pages, which must work with no internet."""

import json
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api):
    response = api.get("/api/schema/", {"format": "json"}, headers={"accept-language": "en"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/v1/measurements/" in (tmp_path / "schema.yml").read_text()


def test_every_parameter_has_a_description_and_an_example(schema):
    parameters = [
        (path, parameter)
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
    ]

    assert len(parameters) > 40
    assert [(path, p["name"]) for path, p in parameters if not p.get("description") or "example" not in p] == []


def test_every_field_is_described(schema):
    undescribed = [
        (name, prop)
        for name, component in schema["components"]["schemas"].items()
        for prop, field in component.get("properties", {}).items()
        if "description" not in field and "$ref" not in field and "allOf" not in field
    ]

    assert undescribed == []


def test_the_measurement_filters_are_documented_as_the_contract_names_them(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/measurements/"]["get"]["parameters"]}

    assert names == {
        "region",
        "indicator",
        "parent",
        "within",
        "level",
        "kind",
        "as_of",
        "as_of_from",
        "as_of_to",
        "year",
        "latest",
        "ordering",
        "page",
        "page_size",
    }


def test_examples_come_from_the_article(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/measurements/"]["get"]["parameters"]}
    examples = schema["paths"]["/api/v1/measurements/{id}/"]["get"]["responses"]["200"]["content"]["application/json"]

    assert parameters["region"]["example"] == ["64.71"]
    assert parameters["indicator"]["example"] == ["kia-ownership"]
    assert "comma-separated" in parameters["region"]["description"]
    example = next(iter(examples["examples"].values()))["value"]
    assert (example["region_name"], example["value"]) == ("Kota Balikpapan", 96.9)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_name_only_local_assets_and_forbid_other_hosts(client, path):
    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if not url.startswith("/")] == []
    assert "googleapis" not in html and "cdn" not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


# Chromium's own background traffic, not the page's.
BROWSER_INTERNAL_HOSTS = {
    "clients2.google.com",
    "update.googleapis.com",
    "accounts.google.com",
    "content-autofill.googleapis.com",
}


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium package (apt-get install chromium)"
)
@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", 'data-path="/api/v1/measurements/"'), ("/api/redoc/", "operation/v1_measurements_list")],
)
def test_the_docs_render_in_a_browser_cut_off_from_the_network(live_server, tmp_path, path, rendered):
    netlog = tmp_path / "netlog.json"

    dom = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter",
            f"--user-data-dir={tmp_path / 'profile'}",
            # Every host but the live server resolves to nothing: the network is cut off.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost",
            f"--log-net-log={netlog}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            live_server.url + path,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout

    assert rendered in dom
    requested = {urlsplit(url) for url in re.findall(r'"url":"([^"]+)"', netlog.read_text(errors="replace"))}
    live = urlsplit(live_server.url).netloc
    assert {u.geturl() for u in requested if u.netloc != live and u.hostname not in BROWSER_INTERNAL_HOSTS} == set()
    assert any(u.path.startswith("/static/drf_spectacular_sidecar/") for u in requested if u.netloc == live)
