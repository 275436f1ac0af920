"""The shortcuts of the read path (issue 6) never change an answer: codes looked up once per data version,
the data version read standing in for the connection's health check, the response cache."""

import pytest
from django.db import close_old_connections, connection

from ..helpers import errors_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/measurements/"
NEW = {"code": "64.71.01", "name": "Balikpapan Selatan", "level": 3, "kind": "district", "parent": "64.71"}


@pytest.mark.parametrize("parameter", ["region", "parent", "within"])
def test_a_region_is_known_from_the_write_that_creates_it_and_unknown_from_the_one_that_deletes_it(
    article, api, editor, parameter
):
    assert errors_of(api.get(URL, {parameter: "64.71.01"}), 400) == {(parameter, "invalid_choice")}

    assert editor.post("/api/v1/regions/", NEW).status_code == 201
    created = api.get(URL, {parameter: "64.71.01"})
    assert (created.status_code, created.json()["count"]) == (200, 0)

    assert editor.delete("/api/v1/regions/64.71.01/").status_code == 204
    assert errors_of(api.get(URL, {parameter: "64.71.01"}), 400) == {(parameter, "invalid_choice")}


def test_an_indicator_deleted_is_unknown_at_once(article, api, editor):
    created = editor.post(
        "/api/v1/indicators/",
        {
            "code": "akta-lahir",
            "name": "Kepemilikan akta kelahiran",
            "name_en": "Birth certificate ownership",
            "unit": "percent",
            "population": "children aged 0-17",
        },
    )
    assert created.status_code == 201, created.content
    assert api.get(URL, {"indicator": "akta-lahir"}).json()["count"] == 0

    assert editor.delete("/api/v1/indicators/akta-lahir/").status_code == 204
    assert errors_of(api.get(URL, {"indicator": "akta-lahir"}), 400) == {("indicator", "invalid_choice")}


def test_codes_seen_once_cost_no_query_on_later_requests(article, api, settings, django_assert_num_queries):
    settings.RESPONSE_CACHE = False
    query = {"indicator": "kia-ownership", "parent": "64", "within": "64"}
    first = api.get(URL, query).json()

    # The data version, then the page (one row more than asked: no COUNT when it is the last page).
    with django_assert_num_queries(2):
        again = api.get(URL, query).json()
    assert again == first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kept connections are PostgreSQL's (SQLite is a file)")
@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_that_broke_is_replaced_without_an_error(api):
    from django.core.management import call_command

    call_command("loaddata", "article", verbosity=0)
    api.get(URL)  # the connection is kept (CONN_MAX_AGE) and health-checked at the next request
    assert connection.connection is not None and connection.health_check_enabled
    connection.connection.close()  # what a restart of PostgreSQL does to it
    close_old_connections()  # what Django does as each request starts (the test client leaves it out)
    assert not connection.health_check_done

    response = api.get(URL, {"region": "64.71"})

    assert response.status_code == 200
    assert response.json()["results"][0]["region"] == "64.71"
