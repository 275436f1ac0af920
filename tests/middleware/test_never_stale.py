"""Never stale: whatever is written, through whichever door, an anonymous answer given from the response cache (or
replayed in front of Django) is the answer computed afresh with the cache off. Random interleavings of writes —
drafts and published figures in three provinces, through the API (create, change, delete), the admin (add, delete),
the import, and reference data (a region renamed, a target changed) — and reads of answers about one province, a
few, the whole country or reference data only (coverage.api.scope), each read compared with the same request
computed with the cache off. Every figure here is synthetic."""

import datetime
import json
import random

import pytest
from django.test import Client, override_settings

from coverage.models import Indicator, Measurement, NationalTarget, Region

from ..factories import ProvinceFactory, RegencyFactory
from ..helpers import admin_url, csv_upload
from .test_replay import wsgi_get

# Replayed answers close old connections (see test_replay): these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

REGIONS = ["64.01", "64.72", "64.74", "91.01", "91.02", "92.01"]
INDICATORS = ["kia-ownership", "ktp-el-recording"]
READS = [
    ("/api/v1/measurements/", "parent=64&latest=true"),
    ("/api/v1/measurements/", "region=64.72,64.01&ordering=-as_of"),
    ("/api/v1/measurements/", "within=91"),
    ("/api/v1/measurements/", "region=91.01&region=92.01&indicator=kia-ownership"),
    ("/api/v1/measurements/", "latest=true&level=2"),
    ("/api/v1/measurements/", "region=64.72&lineage=true"),
    ("/api/v1/measurements/", ""),
    ("/api/v1/availability/", "parent=64"),
    ("/api/v1/availability/", "parent=91"),
    ("/api/v1/indicators/kia-ownership/ranking/", "parent=64&as_of=2026-01-01"),
    ("/api/v1/indicators/kia-ownership/ranking/", "parent=91&as_of=2026-01-01"),
    ("/api/v1/indicators/kia-ownership/ranking/", "level=2&as_of=2026-01-01"),
    ("/api/v1/indicators/kia-ownership/attainment/", "region=64&year=2024&children=true"),
    ("/api/v1/indicators/kia-ownership/attainment/", "region=91.01&year=2025"),
    ("/api/v1/regions/64.72/summary/", "as_of=2026-01-01"),
    ("/api/v1/regions/91.02/summary/", "as_of=2026-01-01&rollup=true"),
    ("/api/v1/regions/64/summary/", "as_of=2026-01-01"),
    ("/api/v1/regions/", "parent=64"),
    ("/api/v1/regions/64.72/", ""),
    ("/api/v1/indicators/", ""),
    ("/api/v1/targets/", ""),
    ("/api/v1/sources/", ""),
]


@pytest.fixture
def world(article, editor, admin_client):
    """The article's data, two more provinces with kabupaten, targets for 2024 and 2025."""
    for province, regencies in (("91", ["91.01", "91.02"]), ("92", ["92.01"])):
        parent = ProvinceFactory(code=province)
        for code in regencies:
            RegencyFactory(code=code, parent=parent)
    kia = Indicator.objects.get(code="kia-ownership")
    for year in (2024, 2025):
        NationalTarget.objects.get_or_create(indicator=kia, year=year, defaults={"value": 80, "source": article})
    return article


class Doors:
    """Every way a figure or reference data is written, each as a step of a random run."""

    def __init__(self, rng, source, editor, admin):
        self.rng, self.source, self.editor, self.admin = rng, source, editor, admin

    def _new(self):
        rng = self.rng
        as_of = datetime.date(2024, 7, 1) + datetime.timedelta(days=rng.randrange(600))
        return {
            "region": rng.choice(REGIONS),
            "indicator": rng.choice(INDICATORS),
            "as_of": as_of.isoformat(),
            "value": rng.randrange(100, 10000) / 100,
            "source": self.source.pk,
            "status": rng.choice(["draft", "published"]),
        }

    def _some_figure(self):
        ids = list(Measurement.objects.order_by("id").values_list("id", flat=True))
        return self.rng.choice(ids)

    def api_create(self):
        response = self.editor.post("/api/v1/measurements/", self._new(), format="json")
        # 400: the key is taken already
        assert response.status_code == 201 or "unique" in response.content.decode(), response.content

    def api_change(self):
        pk = self._some_figure()
        change = self.rng.choice([{"value": self.rng.randrange(1, 100) + 0.5}, {"status": "draft"}])
        change = self.rng.choice([change, {"status": "published"}])
        response = self.editor.patch(f"/api/v1/measurements/{pk}/", change, format="json")
        assert response.status_code == 200, response.content

    def api_delete(self):
        response = self.editor.delete(f"/api/v1/measurements/{self._some_figure()}/")
        assert response.status_code == 204, response.content

    def admin_add(self):
        new = self._new()
        form = {
            **new,
            "region": Region.objects.get(code=new["region"]).pk,
            "indicator": Indicator.objects.get(code=new["indicator"]).pk,
            "as_of": datetime.date.fromisoformat(new["as_of"]).strftime("%d/%m/%Y"),
            "numerator": "",
            "denominator": "",
        }
        response = self.admin.post(admin_url(Measurement, "add"), form)
        assert response.status_code in (200, 302)  # 200: the form says the key is taken

    def admin_delete(self):
        response = self.admin.post(admin_url(Measurement, "delete", self._some_figure()), {"post": "yes"})
        assert response.status_code == 302

    def import_file(self):
        rows = {(r["region"], r["indicator"], r["as_of"]): r for r in (self._new() for _ in range(3))}
        columns = ["region", "indicator", "as_of", "value", "source", "status"]
        response = self.editor.post(
            "/api/v1/measurements/import/", {"file": csv_upload(list(rows.values()), columns)}, format="multipart"
        )
        assert response.status_code == 200, response.content

    def rename_region(self):
        code = self.rng.choice(REGIONS)
        name = f"Wilayah {code} {self.rng.randrange(1000)}"
        response = self.editor.patch(f"/api/v1/regions/{code}/", {"name": name}, format="json")
        assert response.status_code == 200, response.content

    def change_target(self):
        target = NationalTarget.objects.order_by("?").first()
        response = self.editor.patch(
            f"/api/v1/targets/{target.pk}/", {"value": self.rng.randrange(50, 100)}, format="json"
        )
        assert response.status_code == 200, response.content

    WRITES = ("api_create", "api_change", "api_delete", "admin_add", "admin_delete", "import_file")
    REFERENCE = ("rename_region", "change_target")


def read_both_ways(path, query, *, replayed):
    """(kept, computed, hit): the answer as the cache gives it (Django's middleware, or the replay in front of
    Django), the same request computed with the cache off, and whether the first came from the cache."""
    if replayed:
        answer = wsgi_get(path=path, query=query)
        kept = (answer.status_code, answer.body, answer.get("X-Cache"))
    else:
        response = Client().get(f"{path}?{query}")
        kept = (response.status_code, response.content, response.get("X-Cache"))
    with override_settings(RESPONSE_CACHE=False):
        computed = Client().get(f"{path}?{query}")
    return kept, (computed.status_code, computed.content)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_cached_answer_differs_from_the_answer_computed_afresh(world, editor, admin_client, seed):
    rng = random.Random(seed)
    doors = Doors(rng, world, editor, admin_client)
    hits = 0
    for step in range(150):
        if rng.random() < 0.4:
            name = rng.choice(Doors.WRITES if rng.random() < 0.85 else Doors.REFERENCE)
            getattr(doors, name)()
            continue
        path, query = rng.choice(READS)
        for replayed in (False, True):
            (kept_status, kept, cache), (status, computed) = read_both_ways(path, query, replayed=replayed)
            assert kept_status == status == 200, (path, query, kept)
            assert json.loads(kept) == json.loads(computed), f"step {step}: {path}?{query} stale"
            hits += cache == "hit"
    assert hits > 20  # the run read kept answers often enough to compare them
