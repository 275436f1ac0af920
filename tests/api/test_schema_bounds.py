"""The OpenAPI schema says what the service enforces: every bound it declares on a query parameter (minimum and
maximum, patterns, formats, enums, non-empty lists) is checked here against the service itself, just outside the
bound (a 400 naming the parameter) and inside it (not refused for that parameter). And the schema speaks one
language, whatever the request's."""

import json
import re

import pytest
from django.utils.translation import trans_real

from ..helpers import fetch_schema

pytestmark = pytest.mark.django_db


def query_parameters(schema):
    """(path, name, schema, example) of every query parameter of every GET operation without path parameters."""
    found = []
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] != "format":
                found.append((path, parameter["name"], parameter["schema"], parameter.get("example")))
    return found


def outside(declared) -> list[str]:
    """Values that break a declared bound, as a client would send them."""
    if "oneOf" in declared:  # page_size: 1..1000 or "all"
        return [str(declared["oneOf"][0]["minimum"] - 1), str(declared["oneOf"][0]["maximum"] + 1)]
    values = []
    if declared.get("type") == "array":
        values.append("")  # minItems 1: an empty value
        item = declared["items"]
        if "enum" in item:
            values.append("bogus")
        if "pattern" in item:
            candidates = ["6402", "64.07", "64.7", "x", "64.71,,64.74"]
            values += [value for value in candidates if not re.fullmatch(item["pattern"], value)]
        return values
    if "enum" in declared:
        values.append("bogus")
    if "minimum" in declared:
        values += [str(declared["minimum"] - 1), str(declared["maximum"] + 1)]
    if declared.get("format") == "date":
        values += ["2024-6-13", "2024-02-30", "13/06/2024"]
    if declared.get("format") == "date-time":
        values += ["1899-12-31T23:00:00Z", "2101-01-01T00:00:00Z", "2024-06-21T00:00:00", "2024-06-21"]
    if declared.get("minLength"):
        values.append("")
    if "maxLength" in declared:
        values.append("x" * (declared["maxLength"] + 1))
    return values


def test_every_bounded_parameter_is_checked_here(schema):
    unbounded = [
        (path, name)
        for path, name, declared, _example in query_parameters(schema)
        if not outside(declared) and declared.get("type") != "boolean"
    ]

    assert unbounded == []


def test_a_value_just_outside_a_declared_bound_is_a_400_naming_the_parameter(article, api, schema):
    accepted = []
    for path, name, declared, _example in query_parameters(schema):
        for value in outside(declared):
            response = api.get(path, {name: value})
            attrs = {error["attr"] for error in response.json().get("errors", [])}
            if response.status_code != 400 or name not in attrs:
                accepted.append((path, name, value, response.status_code))

    assert accepted == []


def test_the_example_of_every_parameter_is_within_its_bounds_and_not_refused_for_it(article_all_regions, api, schema):
    refused = []
    for path, name, _declared, example in query_parameters(schema):
        value = ",".join(map(str, example)) if isinstance(example, list) else str(example).lower()
        response = api.get(path, {name: value})
        attrs = {error["attr"] for error in response.json().get("errors", [])} if response.status_code == 400 else set()
        if name in attrs:
            refused.append((path, name, value, response.json()["errors"]))

    assert refused == []


def test_the_schema_is_in_one_language_whatever_the_request_asks(api, schema):
    # Every Indonesian translation of the service's own messages, of some length: none may appear in the schema.
    catalog = trans_real.translation("id")._catalog
    indonesian = {text for source, text in catalog.items() if isinstance(text, str) and text != source}
    indonesian = {text for text in indonesian if len(text) > 30 and re.search(r"[a-z]{4}", text)}
    served = json.dumps(schema, ensure_ascii=False)

    assert fetch_schema(api, "id") == schema
    assert sorted(text for text in indonesian if text in served) == []


def record_bodies(schema):
    """(method, path, component) of every operation whose JSON body is a record of the service."""
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            ref = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref")
            )
            if ref:
                found.append((method, path, schema["components"]["schemas"][ref.rsplit("/", 1)[1]]))
    return found


def test_every_record_body_is_closed_in_the_schema_and_an_unknown_field_is_a_400_naming_it(article, editor, schema):
    bodies = record_bodies(schema)
    assert len(bodies) >= 15  # POST, PUT and PATCH of regions, indicators, sources, targets and figures
    open_bodies = [
        (method, path) for method, path, component in bodies if component.get("additionalProperties") is not False
    ]
    accepted = []
    for method, path, _component in bodies:
        if "{" in path:  # a record that exists: the first one its list gives
            collection, parameter = path.split("{")
            first = editor.get(collection).json()["results"][0]
            path = f"{collection}{first[parameter.rstrip('}/')]}/"
        response = getattr(editor, method)(path, {"zz_not_a_field": 1}, format="json")
        errors = {(error["attr"], error["code"]) for error in response.json().get("errors", [])}
        if response.status_code != 400 or ("zz_not_a_field", "unknown_field") not in errors:
            accepted.append((method, path, response.status_code, errors))

    assert open_bodies == []
    assert accepted == []
