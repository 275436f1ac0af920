"""One table of hostile and broken requests: each gets a JSON 4xx in the API's error shape, never a 5xx or an
HTML page, and never changes a figure."""

import pytest
from django.test import Client

from coverage.models import Measurement

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
FIGURE = f"{URL}{{pk}}/"


def body(value):
    return {"data": value, "content_type": "application/json"}


NASTY = [
    # (name, method, path, query or None, request kwargs, expected status)
    ("NUL byte in the path", "GET", "/api/v1/regions/64%00/", None, {}, 404),
    ("NUL byte in a query value", "GET", URL, {"region": "64\x00"}, {}, 400),
    ("NUL byte in a query name", "GET", URL, {"reg\x00ion": "64"}, {}, 400),
    ("NUL byte in a body field", "PATCH", FIGURE, None, body('{"region": "64\\u0000"}'), 400),
    ("10,000-character query value", "GET", URL, {"region": "6" * 10_000}, {}, 400),
    ("10,000-character unknown parameter", "GET", URL, {"x" * 10_000: "1"}, {}, 400),
    ("1,000 query parameters", "GET", URL, {f"p{i}": "1" for i in range(1_000)}, {}, 400),
    ("1,001 query parameters", "GET", URL, {f"p{i}": "1" for i in range(1_001)}, {}, 400),
    ("huge page number", "GET", URL, {"page": "9" * 40}, {}, 400),
    ("negative page number", "GET", URL, {"page": "-1"}, {}, 400),
    ("page number that is not a number", "GET", URL, {"page": "abc"}, {}, 400),
    ("page size too big", "GET", URL, {"page_size": "1000000"}, {}, 400),
    ("page size negative", "GET", URL, {"page_size": "-5"}, {}, 400),
    ("value NaN", "PATCH", FIGURE, None, body('{"value": NaN}'), 400),
    ("value Infinity", "PATCH", FIGURE, None, body('{"value": Infinity}'), 400),
    ("value -Infinity", "PATCH", FIGURE, None, body('{"value": -Infinity}'), 400),
    ("value 1e400", "PATCH", FIGURE, None, body('{"value": 1e400}'), 400),
    ("value as a string NaN", "PATCH", FIGURE, None, body('{"value": "NaN"}'), 400),
    ("impossible date in the body", "PATCH", FIGURE, None, body('{"as_of": "2024-02-30"}'), 400),
    ("month 13 in a filter", "GET", URL, {"as_of": "2024-13-01"}, {}, 400),
    ("year 0 in a filter", "GET", URL, {"as_of_from": "0000-01-01"}, {}, 400),
    ("date far in the future", "GET", URL, {"known_at": "9999-12-31T00:00:00Z"}, {}, 400),
    ("text/plain body", "PATCH", FIGURE, None, {"data": "value=1", "content_type": "text/plain"}, 415),
    ("XML body", "PATCH", FIGURE, None, {"data": "<value>1</value>", "content_type": "application/xml"}, 415),
    ("broken JSON", "PATCH", FIGURE, None, body('{"value": '), 400),
    ("JSON that is not an object", "PATCH", FIGURE, None, body("[1, 2, 3]"), 400),
    ("deeply nested JSON", "PATCH", FIGURE, None, body("[" * 50_000 + "]" * 50_000), 400),
    (
        "invalid UTF-8 in the body",
        "PATCH",
        FIGURE,
        None,
        {"data": b'{"value": "\xff"}', "content_type": "application/json"},
        400,
    ),
    ("unknown format", "GET", URL, {"format": "exe"}, {}, 400),
    ("ordering by an unknown field", "GET", URL, {"ordering": "password"}, {}, 400),
    ("SQL in a filter", "GET", URL, {"region": "64' OR '1'='1"}, {}, 400),
]


CASES = [case[1:] for case in NASTY]
NAMES = [case[0] for case in NASTY]


@pytest.mark.parametrize(
    ("method", "path", "query", "kwargs", "status"), [n[1:] for n in NASTY], ids=[n[0] for n in NASTY]
)
def test_a_nasty_request_gets_a_json_4xx_and_changes_nothing(
    article, django_user_model, method, path, query, kwargs, status
):
    editor = django_user_model.objects.create_superuser("nasty", None, None)
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    figure = Measurement.objects.get(region__code="64.71", indicator__code="kia-ownership")
    before = list(Measurement.objects.order_by("pk").values_list("pk", "value", "as_of", "region_id", "version"))
    path = path.format(pk=figure.pk)
    if query is not None:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(query)}"

    response = client.generic(
        method,
        path,
        **({"data": kwargs["data"], "content_type": kwargs["content_type"]} if kwargs else {}),
        HTTP_X_CSRFTOKEN="x",
    )

    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    payload = response.json()
    assert payload["type"] in ("validation_error", "client_error")
    assert payload["errors"] and all(error["code"] for error in payload["errors"])
    after = list(Measurement.objects.order_by("pk").values_list("pk", "value", "as_of", "region_id", "version"))
    assert after == before
