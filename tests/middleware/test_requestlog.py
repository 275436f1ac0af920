"""The request log (coverage.middleware.requestlog): one JSON line per request, with the request id it answers
with."""

import json
import logging

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle_counters")]

URL = "/api/v1/measurements/"


def test_every_request_is_one_json_log_line_with_the_request_id_it_answers_with(article, api, capfd):
    from django.conf import settings

    logging.config.dictConfig({**settings.LOGGING, "formatters": settings.LOGGING["formatters"]})
    response = api.get(URL, {"region": "64.71"})
    given = api.get(URL, HTTP_X_REQUEST_ID="0f8fad5b-d9cb-469f-a165-70867728950e")

    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "adminduk.request"]
    assert requests[0]["request_id"] == response["X-Request-ID"]
    assert requests[0]["status"] == 200 and requests[0]["path"] == URL and "duration_ms" in requests[0]
    assert given["X-Request-ID"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert requests[1]["request_id"] == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert all(line["time"].endswith("+00:00") for line in requests)
