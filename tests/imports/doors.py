"""The three import doors (the API, the admin, the command), asked the same way with the same file, and what each
says of a file it refuses; and the synthetic figures the import tests send through them."""

import datetime
import io
from io import StringIO

from django.core.management import CommandError, call_command
from django.urls import reverse

from ..helpers import FIGURE_COLUMNS

URL = "/api/v1/measurements/import/"
ADMIN = "admin:coverage_measurement_import"
REGIONS = ["64.01", "64.02", "64.03", "64.07", "64.08", "64.09", "64.11", "64.71", "64.72", "64.74"]
HEADER = list(FIGURE_COLUMNS)
ENGLISH = {"accept-language": "en"}


def figures(source, count, *, start=0):
    """``count`` synthetic figures as rows of text."""
    return [
        {
            "region": REGIONS[n % 10],
            "indicator": ["kia-ownership", "ikd-activation"][n // 10 % 2],
            "as_of": str(datetime.date(2000, 1, 1) + datetime.timedelta(n // 20)),
            "value": f"{n % 90 + 5}.25",
            "source": str(source),
        }
        for n in range(start, start + count)
    ]


def through_api(client, content, name="figures.csv", **params):
    upload = io.BytesIO(content)
    upload.name = name
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    return client.post(URL + query, {"file": upload}, format="multipart", headers={"accept-language": "en"})


def refusal_of(response) -> tuple[int, str, str]:
    """(status, code, detail) of the API's refusal of a whole file."""
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error["detail"]


def through_admin(client, content, name="figures.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse(ADMIN), {"file": upload}, headers=ENGLISH)


def admin_refusal(response) -> str:
    """The admin page's word on a file it refused: the form's error on the file, or the refusal above the form."""
    form = response.context.get("form")
    return " ".join([*(form.errors.get("file", []) if form is not None and form.is_bound else [])]) + (
        response.context.get("refusal") or ""
    )


def through_command(tmp_path, content, name="figures.csv", *args):
    path = tmp_path / name
    path.write_bytes(content)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_measurements", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return f"{out.getvalue()}{err.getvalue()}{exc}"
    return f"{out.getvalue()}{err.getvalue()}"
