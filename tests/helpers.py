"""Helpers shared by the test modules (fixtures are in conftest.py, factories in factories.py): API clients by token
or API key, the shape of an error answer, CSV files and answers, the article's regions and figures looked up, the
admin's URLs, the latest-figure check, the OpenAPI schema, and the settings a throttling test runs under. Every figure
they make is synthetic."""

import csv
import io
import json
import re

from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from coverage.models import ClientKey, Measurement, Region

from .factories import UserFactory, client_key

# --- clients --------------------------------------------------------------------------------------------------

# Every permission of an office that edits figures and reference data (not the right to publish).
EDITING = [
    *(
        f"{op}_{m}"
        for m in ("region", "indicator", "source", "nationaltarget", "measurement")
        for op in ("add", "change", "delete")
    ),
    "edit_all_regions",  # national: a user without region grants otherwise writes nowhere
]
# A key as the api_key command prints it: prefix, a dot, the secret.
KEY_LINE = re.compile(r"^[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}$", re.M)


def token_client(user) -> APIClient:
    """An API client authenticated by ``user``'s token (made if the user has none)."""
    Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    return client


def client_with_key(key: str) -> APIClient:
    """An API client that sends ``key`` (whatever it is: a real key, a revoked one, garbage) as its API key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def key_client(user, *, scope=ClientKey.Scope.READ_WRITE, regions=()) -> APIClient:
    """An API client with a new API key of ``user``, narrowed to ``regions`` (codes) if given."""
    _key_obj, key = client_key(user, scope=scope, regions=regions)
    return client_with_key(key)


def make_key(user="app", scope="read-write", regions=(), **options) -> str:
    """A new API key of the account ``user`` (made, with every editing permission and the right to publish, if there
    is none), issued as an operator does: by the api_key command, whose printed key is returned."""
    if not UserFactory._meta.model.objects.filter(username=user).exists():
        UserFactory(username=user, permissions=[*EDITING, "publish_measurement"])
    out = io.StringIO()
    args = ["api_key", "create", "--name", f"{user} app", "--user", user, "--scope", scope]
    for code in regions:
        args += ["--region", code]
    call_command(*args, **options, stdout=out)
    return KEY_LINE.search(out.getvalue()).group(0)


# --- error answers --------------------------------------------------------------------------------------------


def error_codes(response, status) -> list[str]:
    """The error codes of an API error answer, after checking its status."""
    assert response.status_code == status, response.content
    return [error["code"] for error in response.json()["errors"]]


def errors_of(response, status) -> set[tuple[str | None, str]]:
    """The (attr, code) pairs of an API error answer, after checking its status."""
    assert response.status_code == status, response.content
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


def json_errors_of(response, status) -> set[tuple[str | None, str]]:
    """As errors_of(), after checking too that the answer is JSON (not an HTML error page)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


# --- files ----------------------------------------------------------------------------------------------------

FIGURE_COLUMNS = ("region", "indicator", "as_of", "value", "source")


def csv_bytes(rows, columns=FIGURE_COLUMNS, *, delimiter=",", lineterminator="\r\n") -> bytes:
    """A UTF-8 CSV file of ``rows`` (dicts) under a header of ``columns``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator=lineterminator)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def csv_upload(rows, columns=FIGURE_COLUMNS, **options) -> io.BytesIO:
    """csv_bytes() as a file to upload."""
    return io.BytesIO(csv_bytes(rows, columns, **options))


def csv_rows(response) -> list[list[str]]:
    """The rows of a CSV answer (a page or a streamed export), header first, after checking its status and type."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def synthetic_rows(source, count) -> list[dict]:
    """``count`` synthetic figures of kabupaten/kota (the regions loaded), four indicators, month-ends of 2023."""
    # The regions whose codes name them in 2023: never a retired code (coverage.regions.lineage).
    regions = list(
        Region.objects.filter(level=2).valid_on("2023-01-31").order_by("code").values_list("code", flat=True)
    )
    months = ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31", "2023-06-30"]
    indicators = ["ktp-el-recording", "ktp-el-recording-first-voters", "kia-ownership", "ikd-activation"]
    rows = []
    for as_of in months:
        for indicator in indicators:
            for index, code in enumerate(regions):
                rows.append(
                    {
                        "region": code,
                        "indicator": indicator,
                        "as_of": as_of,
                        "value": f"{(index % 90) + 5}.25",
                        "source": source.pk,
                    }
                )
                if len(rows) == count:
                    return rows
    raise AssertionError("not enough synthetic rows")


# --- the article's data ---------------------------------------------------------------------------------------

# The article's highest/lowest statements, per indicator: (highest, value), (lowest, value).
ARTICLE_EXTREMES = {
    "ktp-el-recording": (("64.71", 99.98), ("64.74", 97.43)),
    "ktp-el-recording-first-voters": (("64.71", 99.85), ("64.01", 55.53)),
    "kia-ownership": (("64.71", 96.9), ("64.07", 54.67)),
    "ikd-activation": (("64.09", 10.46), ("64.03", 1.74)),
}


def region(code) -> Region:
    """The region of Kemendagri code ``code``."""
    return Region.objects.get(code=code)


def figure(code, indicator="ktp-el-recording") -> Measurement:
    """The figure of region ``code`` and ``indicator`` (the article's, where a test made no other)."""
    return Measurement.objects.get(region__code=code, indicator__code=indicator)


def new_figure(code, source) -> dict:
    """A new KIA figure of region ``code`` (70.5 % as of 2024-06-20, a date no figure of the article has), as the API
    takes it."""
    return {"region": code, "indicator": "kia-ownership", "as_of": "2024-06-20", "value": 70.5, "source": source.pk}


def admin_url(model, view, *args) -> str:
    """The admin's URL of ``view`` (changelist, add, change, delete, history…) of ``model``."""
    return reverse(f"admin:coverage_{model._meta.model_name}_{view}", args=args)


# --- answers ----------------------------------------------------------------------------------------------------


def latest_both_ways(api, **params):
    """(precomputed, computed): without a date filter the flag answers; with a far as_of_to, DISTINCT ON does."""
    url = "/api/v1/measurements/"
    flagged = api.get(url, {"latest": "true", "page_size": 1000, **params}).json()["results"]
    computed = api.get(url, {"latest": "true", "as_of_to": "2100-01-01", "page_size": 1000, **params}).json()["results"]
    return [r["id"] for r in flagged], [r["id"] for r in computed]


def assert_latest_consistent(api):
    """latest=true answers the same from the precomputed flag as computed, one figure per published series."""
    flagged, computed = latest_both_ways(api)
    assert flagged == computed
    assert len(flagged) == len(
        {(r.region_id, r.indicator_id) for r in Measurement.objects.filter(status=Measurement.Status.PUBLISHED)}
    )


def fetch_schema(api, language):
    """The OpenAPI schema the service serves, as JSON, in ``language``."""
    response = api.get("/api/schema/", {"format": "json"}, headers={"accept-language": language})
    assert response.status_code == 200
    return json.loads(response.content)


# --- settings ---------------------------------------------------------------------------------------------------


def throttle_rates(*, anon=None, client=None, write=None, failed_auth=None, proxies=0):
    """Settings with these rates (None: that throttle off) and TRUSTED_PROXIES as settings.py hands it to DRF."""
    from django.conf import settings

    rates = {"anon": anon, "client": client, "write": write, "failed_auth": failed_auth}
    return override_settings(
        TRUSTED_PROXIES=proxies,
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates, "NUM_PROXIES": proxies},
    )
