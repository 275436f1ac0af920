"""Plans (coverage.api.plans): an anonymous question asked again is answered from the SQL built the first time, and
that answer is always the one built from scratch, whatever was written in between, through whichever door. Every
figure here is synthetic."""

import datetime
import json
import random
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.db.models import DecimalField, F, FloatField, Value
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from coverage.api import filterfields, plans
from coverage.api.views.measurements import MeasurementViewSet
from coverage.models import BpsCode, Indicator, Measurement, Region, RegionChange

from ..middleware.test_never_stale import Doors, world  # noqa: F401  (the fixture, with the article's data)

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = [
    "indicator=kia-ownership&as_of=2024-06-13&parent=64",
    "indicator=ktp-el-recording&ordering=-value&page_size=3",
    "indicator=ktp-el-recording&ordering=-value&page_size=3&page=2",
    "region=64.72,64.01&ordering=-as_of",
    "within=91",
    "region=91.01&region=92.01&indicator=kia-ownership",
    "latest=true&level=2&ordering=-value",
    "parent=64&latest=true",
    "region=64.74&lineage=true",
    "region=64.74&lineage=true&latest=true",
    "code_system=bps&region=9972",
    "code_system=bps&region=9972&latest=true",
    "as_of_from=2024-01-01&as_of_to=2025-06-30&kind=city",
    "flag=jump,above_100",
    "flag=jump&parent=64",
    "",
]


class ReferenceDoors(Doors):
    """Doors that change what a question's codes stand for: a BPS pair, a recode (the ORM's: a shell, a loader)."""

    def bps_pair(self):
        pair = BpsCode.objects.filter(code="9972").first()
        if pair is not None:
            pair.delete()
        else:
            BpsCode.objects.create(code="9972", region_id=self.rng.choice(["64.71", "64.74"]), name="Synthetic")

    def recode(self):
        change = RegionChange.objects.filter(new_id="64.74").first()
        if change is not None:
            change.delete()
        else:
            RegionChange.objects.create(
                old_id="64.72", new_id="64.74", kind="recode", effective=datetime.date(2024, 9, 1), legal_basis="test"
            )

    REFERENCE = (*Doors.REFERENCE, "bps_pair", "recode")


def answers(query):
    """(planned, built): the answer to an anonymous question with plans (the response cache off, so that it is
    computed), and the same question built from scratch: no plan looked up or kept, no code known beforehand."""
    with override_settings(RESPONSE_CACHE=False):
        planned = Client().get(f"/api/v1/measurements/?{query}")
        with (
            mock.patch.object(plans, "_key", return_value=None),
            mock.patch.dict(filterfields._KNOWN_CODES, clear=True),
        ):
            built = Client().get(f"/api/v1/measurements/?{query}")
    return planned, built


@pytest.mark.parametrize("seed", [1, 2])
def test_an_answer_from_a_plan_is_the_answer_built_afresh(world, editor, admin_client, seed):  # noqa: F811
    rng = random.Random(seed)
    doors = ReferenceDoors(rng, world, editor, admin_client)
    builds = mock.Mock(wraps=MeasurementViewSet.figures, autospec=True)
    reads = 0
    with mock.patch.object(MeasurementViewSet, "figures", lambda view: builds(view)):
        for step in range(140):
            if rng.random() < 0.35:
                getattr(doors, rng.choice(Doors.WRITES if rng.random() < 0.7 else ReferenceDoors.REFERENCE))()
                continue
            query = rng.choice(QUESTIONS)
            planned, built = answers(query)
            reads += 1
            assert (planned.status_code, json.loads(planned.content)) == (
                built.status_code,
                json.loads(built.content),
            ), f"step {step}: ?{query} differs from the answer built afresh"
    # Each read built once from scratch; the planned reads built less often: plans were used often enough to compare.
    from_plans = 2 * reads - builds.call_count
    assert from_plans >= 20, (builds.call_count, reads)


def test_a_question_asked_again_runs_only_its_sql(article):
    query = "/api/v1/measurements/?indicator=ktp-el-recording&parent=64&ordering=-value"
    with override_settings(RESPONSE_CACHE=False):
        first = Client().get(query)
        with CaptureQueriesContext(connection) as ran:
            again = Client().get(query)
    assert json.loads(again.content) == json.loads(first.content)
    # The data versions, and the figures: no code looked up, nothing else.
    assert len(ran.captured_queries) == 2, [q["sql"][:80] for q in ran.captured_queries]
    assert "coverage_measurement" in ran.captured_queries[1]["sql"]


def test_plans_are_kept_for_anonymous_questions_that_validate(article, reader):
    builds = mock.Mock(wraps=MeasurementViewSet.figures, autospec=True)
    with (
        override_settings(RESPONSE_CACHE=False),
        mock.patch.object(MeasurementViewSet, "figures", lambda view: builds(view)),
    ):
        for _ in range(3):
            assert Client().get("/api/v1/measurements/?parent=64").status_code == 200
        assert builds.call_count == 1
        for _ in range(2):  # a client with credentials sees what its grants allow: built for each request
            assert reader.get("/api/v1/measurements/?parent=64").status_code == 200
        assert builds.call_count == 3
        for _ in range(2):  # refused each time (validated each time), nothing kept
            assert Client().get("/api/v1/measurements/?parent=99").status_code == 400
        assert builds.call_count == 5
        assert Client().get("/api/v1/measurements/?parent=64&page_size=2").status_code == 200  # another question
        assert builds.call_count == 6
        Region.objects.filter(code="64.01").get().save()  # reference data moved on: built again, once
        for _ in range(2):
            assert Client().get("/api/v1/measurements/?parent=64").status_code == 200
        assert builds.call_count == 7
        Indicator.objects.get(code="kia-ownership").save()
        assert Client().get("/api/v1/measurements/?parent=64").status_code == 200
        assert builds.call_count == 8
        Measurement.objects.filter(region__code="64.74").update(value=1)  # figures: the plan holds no rows
        answer = json.loads(Client().get("/api/v1/measurements/?parent=64").content)
        assert builds.call_count == 8
        assert {row["value"] for row in answer["results"] if row["region"] == "64.74"} == {1}


def test_a_full_page_is_counted_anew_each_time_it_is_asked(article, editor):
    query = "/api/v1/measurements/?indicator=ktp-el-recording&page_size=2"
    with override_settings(RESPONSE_CACHE=False):
        before = json.loads(Client().get(query).content)["count"]
        new = {
            "region": "64.01",
            "indicator": "ktp-el-recording",
            "as_of": "2024-06-20",
            "value": 70.5,
            "status": "published",
        }
        assert editor.post("/api/v1/measurements/", {**new, "source": article.pk}, format="json").status_code == 201
        with CaptureQueriesContext(connection) as ran:
            after = json.loads(Client().get(query).content)["count"]
    assert after == before + 1
    # The data versions, the page, its count: the plan's two statements run again, nothing built.
    assert len(ran.captured_queries) == 3, [q["sql"][:80] for q in ran.captured_queries]
    assert "COUNT(*)" in ran.captured_queries[2]["sql"]


def test_a_plan_is_built_again_once_as_old_as_a_kept_answer_may_be(article):
    """A change of reference data made around the models (SQL, QuerySet.update()) moves no version: it is seen once
    plans are as old as RESPONSE_CACHE_SECONDS, when kept answers expire too."""
    BpsCode.objects.create(code="9972", region_id="64.71", name="Synthetic")
    query = "/api/v1/measurements/?code_system=bps&region=9972"
    with override_settings(RESPONSE_CACHE=False):
        assert {row["region"] for row in json.loads(Client().get(query).content)["results"]} == {"64.71"}
        BpsCode.objects.filter(code="9972").update(region_id="64.74")  # no signal, no version moved
        filterfields._KNOWN_CODES.clear()
        assert {row["region"] for row in json.loads(Client().get(query).content)["results"]} == {"64.71"}
        with override_settings(RESPONSE_CACHE_SECONDS=0):
            assert {row["region"] for row in json.loads(Client().get(query).content)["results"]} == {"64.74"}


def test_a_plan_is_kept_for_the_configuration_it_was_built_with(article):
    bontang = Measurement.objects.get(region__code="64.74", indicator__code="ktp-el-recording")  # 97.43
    Measurement.objects.create(  # 5.43 points down: a jump only when QUALITY_JUMP is below that
        region=bontang.region,
        indicator=bontang.indicator,
        as_of=datetime.date(2024, 7, 13),
        value=92,
        source=article,
        status="published",
    )
    builds = mock.Mock(wraps=MeasurementViewSet.figures, autospec=True)
    with (
        override_settings(RESPONSE_CACHE=False),
        mock.patch.object(MeasurementViewSet, "figures", lambda view: builds(view)),
    ):
        jumps = json.loads(Client().get("/api/v1/measurements/?flag=jump").content)["count"]
        with override_settings(QUALITY_JUMP=0.01):  # every change a jump now: its threshold is in the SQL
            assert json.loads(Client().get("/api/v1/measurements/?flag=jump").content)["count"] > jumps
        assert json.loads(Client().get("/api/v1/measurements/?flag=jump").content)["count"] == jumps
    assert builds.call_count == 2


def test_plans_kept_are_bounded(article, monkeypatch):
    monkeypatch.setattr(plans, "MAX_PLANS", 2)
    with override_settings(RESPONSE_CACHE=False):
        for query in ("parent=64", "region=64.01", "region=64.72", "parent=64"):
            assert Client().get(f"/api/v1/measurements/?{query}").status_code == 200
    assert [key[1] for key in plans._plans()] == ["region=64.72", "parent=64"]


# --- the pieces ---------------------------------------------------------------------------------------------------


def test_compiled_rows_give_what_the_queryset_gives(article):
    queryset = Measurement.objects.filter(region__code__startswith="64.").order_by("-value", "id")
    columns = ("id", "region__code", "as_of", "value", "updated_at", "status")
    compiled = plans.CompiledRows(queryset.values_list(*columns)[1:5])
    assert compiled() == list(queryset.values_list(*columns)[1:5])  # dates and decimals as the ORM converts them
    Measurement.objects.filter(region__code="64.74").update(value=99.99)
    assert compiled() == list(queryset.values_list(*columns)[1:5])  # run again: the rows of now
    assert isinstance(compiled()[0][2], datetime.date)


def test_compiled_rows_of_an_impossible_condition_run_no_query(article):
    compiled = plans.CompiledRows(Measurement.objects.filter(pk__in=[]).values_list("id"))
    with CaptureQueriesContext(connection) as ran:
        assert compiled() == []
    assert ran.captured_queries == []


def test_compiled_rows_take_values_list_querysets_only(article):
    with pytest.raises(TypeError):
        plans.CompiledRows(Measurement.objects.all())
    with pytest.raises(TypeError):
        plans.CompiledRows(Measurement.objects.values("id"))


def test_compiled_count_of_an_impossible_condition_runs_no_query(article):
    counting = plans.CompiledCount(Measurement.objects.filter(pk__in=[]))
    with CaptureQueriesContext(connection) as ran:
        assert counting() == 0
        assert counting() == 0
    assert ran.captured_queries == []


def test_compiled_count_counts_the_rows_of_now(article):
    counting = plans.CompiledCount(Measurement.objects.filter(region__code__startswith="64."))
    assert counting() == Measurement.objects.filter(region__code__startswith="64.").count()
    Measurement.objects.filter(region__code="64.74").delete()
    with CaptureQueriesContext(connection) as ran:
        assert counting() == Measurement.objects.filter(region__code__startswith="64.").count()
    assert len(ran.captured_queries) == 2  # its own statement, and the check's


NASTY = ["O'Brien", "50% _off", "back\\slash", "semi; DROP TABLE x; --", 'dou"ble', "Tanjung Selor ✓", "$1", "%s"]


@pytest.mark.parametrize("text", NASTY)
def test_a_kept_statement_finds_what_the_queryset_finds_whatever_the_values(article, text):
    # On PostgreSQL a kept statement holds its values as literals (plans.literal_statement): every kind of value the
    # API's filters bind is written so that it means what the bound parameter meant.
    Region.objects.filter(code="64.74").update(name=f"Kota {text}")
    moment = Measurement.objects.order_by("updated_at").values_list("updated_at", flat=True).first()
    questions = [
        Region.objects.filter(name__icontains=text).values_list("code", "name"),
        Region.objects.filter(name=f"Kota {text}").values_list("code"),
        Measurement.objects.filter(
            region__code__in=["64.74", "64.71", text],
            as_of__range=(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
            value__gte=Decimal("50.5"),
            updated_at__gte=moment,
            status__in=["published", "verified"],
            verified_by__isnull=True,
        ).values_list("id", "as_of", "value"),
    ]
    for question in questions:
        compiled = plans.CompiledRows(question.order_by(*question.query.values_select))
        assert compiled() == list(question.order_by(*question.query.values_select))
        counting = plans.CompiledCount(question)
        assert counting() == counting() == question.count()
        if connection.vendor == "postgresql":
            assert compiled.params is None and counting.params is None
    assert list(questions[1]) == [("64.74",)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_postgresql_plans_a_kept_question_once_for_its_values(article):
    query = "/api/v1/measurements/?indicator=ktp-el-recording&year=2024&page_size=2&ordering=region,as_of"
    with override_settings(RESPONSE_CACHE=False):
        for _ in range(12):  # psycopg prepares a statement after its 5th run
            assert Client().get(query).status_code == 200
        with CaptureQueriesContext(connection) as ran:
            assert Client().get(query).status_code == 200
    statements = [run["sql"] for run in ran.captured_queries if "coverage_measurement" in run["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = ANY(%s)", [statements]
        )
        prepared = cursor.fetchall()
    # The page and its count, each planned once and reused: no plan made again for each run.
    assert len(statements) == len(prepared) == 2, (statements, prepared)
    assert all(generic >= 5 and custom == 0 for generic, custom in prepared), prepared


@pytest.mark.parametrize("value", [-1, Decimal("-0.5"), 1.5])
def test_a_kept_statement_with_a_float_or_a_negative_number_stays_bound(article, value):
    # As literals these would be numeric, not float8 (1.5), or " -1", which a cast after it would bind first.
    field = FloatField() if isinstance(value, float) else DecimalField()
    question = (
        Measurement.objects.alias(bound=Value(value, output_field=field))
        .filter(value__gte=F("bound"))
        .values_list("id")
        .order_by("id")
    )
    compiled = plans.CompiledRows(question)
    assert compiled() == list(question) != []
    assert compiled.params is not None  # bound, on PostgreSQL too
