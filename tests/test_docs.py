"""OpenAPI schema and the Swagger UI / ReDoc pages, which must work with no internet."""

import re

import pytest
from django.core.management import call_command

from .browser import CHROMIUM, visit

pytestmark = pytest.mark.django_db


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
        "updated_after",
        "status",
        "flag",
        "known_at",
        "page",
        "page_size",
        "format",
        "code_system",
        "lineage",
    }


def test_examples_come_from_the_article(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/measurements/"]["get"]["parameters"]}
    examples = schema["paths"]["/api/v1/measurements/{id}/"]["get"]["responses"]["200"]["content"]["application/json"]

    assert parameters["region"]["example"] == ["64.71"]
    assert parameters["indicator"]["example"] == ["kia-ownership"]
    assert "comma-separated" in parameters["region"]["description"]
    example = next(iter(examples["examples"].values()))["value"]
    assert (example["region_name"], example["value"]) == ("Kota Balikpapan", 96.9)


def operations(schema):
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def allows_validation_error(schema, node):
    """Whether a documented response body may be a validation_error."""
    if "$ref" in node:
        return allows_validation_error(schema, schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
    if "oneOf" in node or "allOf" in node:
        return any(allows_validation_error(schema, option) for option in node.get("oneOf", node.get("allOf")))
    if "enum" in node:
        return "validation_error" in node["enum"]
    return "type" in node.get("properties", {}) and allows_validation_error(schema, node["properties"]["type"])


def test_every_operation_documents_the_validation_error_its_query_string_can_get(article, api, schema):
    # Found by the fuzz test: a detail read answered ?format=xml with a validation_error its schema did not allow.
    response = api.get("/api/v1/indicators/kia-ownership/", {"format": "xml"})

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert [
        label
        for label, operation in operations(schema)
        if not allows_validation_error(schema, operation["responses"]["400"]["content"]["application/json"]["schema"])
    ] == []


def test_errors_are_documented_as_json_only_as_they_are_sent(article, api, schema):
    response = api.get("/api/v1/measurements/", {"format": "csv", "region": "99.99"})

    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert {
        (label, status, media_type)
        for label, operation in operations(schema)
        for status, documented in operation["responses"].items()
        for media_type in documented.get("content", {})
        if status >= "400" and status != "414" and media_type != "application/json"
    } == set()


def test_the_wsgi_servers_own_refusal_of_a_long_url_is_documented_on_every_operation(schema):
    # gunicorn answers it before the service sees the request: an HTML page, the one error that is not JSON.
    assert {label for label, operation in operations(schema) if "414" not in operation["responses"]} == set()
    assert {
        media_type
        for _label, operation in operations(schema)
        for media_type in operation["responses"]["414"]["content"]
    } == {"text/html"}


def test_a_draft_has_no_verifier_and_the_schema_allows_it(article, drafter, schema):
    # Found by the fuzz test: verified_by is null on drafts (and on figures whose verifier is unknown).
    figure = {"region": "64.72", "indicator": "kia-ownership", "as_of": "2024-06-12", "value": 80, "source": article.pk}

    response = drafter.post("/api/v1/measurements/", figure, format="json")

    assert response.status_code == 201
    assert response.json()["verified_by"] is None
    assert schema["components"]["schemas"]["Measurement"]["properties"]["verified_by"]["nullable"] is True


def test_reads_are_documented_as_open_and_writes_and_history_as_needing_a_credential(article, api, schema):
    # Found by the fuzz test: every operation claimed a credential was required, though reads are open data.
    assert api.get("/api/v1/measurements/").status_code == 200
    assert api.get("/api/v1/measurements/1/history/").status_code == 401
    assert api.delete("/api/v1/sources/1/").status_code == 401
    open_operations = {label for label, operation in operations(schema) if {} in operation["security"]}
    assert open_operations == {
        label
        for label, _ in operations(schema)
        if label.startswith("GET ") and label != "GET /api/v1/measurements/{id}/history/"
    }


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_name_only_local_assets_and_forbid_other_hosts(client, path):
    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if not url.startswith("/")] == []
    assert "googleapis" not in html and "cdn" not in html
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (apt-get install chromium)")
@pytest.mark.parametrize(
    ("path", "rendered"),
    [("/api/docs/", 'data-path="/api/v1/measurements/"'), ("/api/redoc/", "operation/v1_measurements_list")],
)
def test_the_docs_render_in_a_browser_cut_off_from_the_network(live_server, tmp_path, path, rendered):
    page = visit(live_server.url + path, workdir=tmp_path)

    assert rendered in page.dom
    assert page.outside(live_server.url) == set()
    assert any("/static/drf_spectacular_sidecar/" in url for url in page.requested)


def with_source(value, source_id):
    """The example with every source id replaced (ids differ between databases)."""
    if isinstance(value, dict):
        return {
            k: (source_id if k == "source" and v is not None else with_source(v, source_id)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [with_source(v, source_id) for v in value]
    return value


@pytest.mark.parametrize("name", ["RANKING", "ATTAINMENT", "SUMMARY"])
def test_each_answer_example_is_what_the_service_answers_on_the_article(article, api, name):
    from coverage.api import examples

    call_command("load_regions", verbosity=0)  # the region in the summary carries its population
    example = with_source(getattr(examples, name).value, article.pk)

    answer = api.get(getattr(examples, f"{name}_REQUEST")).json()

    if name == "SUMMARY":
        shown = {r["indicator"] for r in example["results"]}
        answer["results"] = [
            {k: v for k, v in r.items() if k != "rollup"} for r in answer["results"] if r["indicator"] in shown
        ]
    assert answer == example
