"""python manage.py load_regions: the Kemendagri list, idempotent, never losing a region with figures."""

import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from coverage.models import Region

from ..factories import MeasurementFactory

pytestmark = pytest.mark.django_db


def load_regions(*args):
    out = StringIO()
    call_command("load_regions", *args, stdout=out)
    return out.getvalue()


def level_counts(*, retired=False):
    """Regions per level: today's (the official list), or the codes retired by the 2022 changes."""
    regions = Region.objects.filter(valid_until__isnull=not retired)
    return {level: regions.filter(level=level).count() for level in (1, 2, 3, 4)}


# The desa under the 26 recoded kabupaten/kota, counted in fixtures/wilayah/villages.csv by prefix.
RETIRED_DESA = 5538


def test_by_default_it_loads_provinces_and_kabupaten_kota():
    output = load_regions()

    assert level_counts() == {1: 38, 2: 514, 3: 0, 4: 0}
    assert level_counts(retired=True) == {1: 0, 2: 26, 3: 0, 4: 0}
    assert Region.objects.filter(kind="regency", valid_until__isnull=True).count() == 416
    assert Region.objects.filter(kind="city", valid_until__isnull=True).count() == 98
    assert Region.objects.get(code="64.07").name == "Kabupaten Kutai Barat"
    assert "514 in the list, 514 created" in output


def test_level_4_loads_all_91599_regions_and_a_second_run_changes_nothing():
    load_regions("--level", "4")
    first = list(Region.objects.values_list("id", "code", "name", "level", "kind", "parent").order_by("id"))

    output = load_regions("--level", "4")

    assert level_counts() == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert level_counts(retired=True) == {1: 0, 2: 26, 3: 597, 4: RETIRED_DESA}
    assert list(Region.objects.values_list("id", "code", "name", "level", "kind", "parent").order_by("id")) == first
    assert "83762 in the list, 0 created, 0 updated, 83762 unchanged" in output
    assert Region.objects.get(code="64.71.01.1001").parent_id == "64.71.01"


def test_a_changed_name_is_updated_back_to_the_official_one():
    load_regions("--level", "1")
    Region.objects.filter(code="31").update(name="Old name")

    output = load_regions("--level", "1")

    assert Region.objects.get(code="31").name == "Daerah Khusus Ibukota Jakarta"
    assert "1 updated" in output


@pytest.fixture
def region_list(tmp_path):
    """A copy of the official list that a test may edit."""
    for name in ("provinces.csv", "regencies.csv"):
        shutil.copy(settings.REGION_DATA_DIR / name, tmp_path / name)
    return tmp_path


def drop_line(path, startswith):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith(startswith)), encoding="utf-8")


def test_a_region_dropped_from_the_list_is_kept_unless_pruned(region_list):
    load_regions("--dir", str(region_list))
    drop_line(region_list / "regencies.csv", "64.11,")

    output = load_regions("--dir", str(region_list))

    assert Region.objects.filter(code="64.11").exists()
    assert "1 no longer in the list (kept; --prune deletes those without figures)" in output


def test_prune_deletes_a_dropped_region_without_figures_but_never_one_with_figures(region_list):
    load_regions("--dir", str(region_list))
    MeasurementFactory(region=Region.objects.get(code="64.72"))
    drop_line(region_list / "regencies.csv", "64.11,")
    drop_line(region_list / "regencies.csv", "64.72,")

    output = load_regions("--dir", str(region_list), "--prune")

    assert not Region.objects.filter(code="64.11").exists()
    assert Region.objects.filter(code="64.72").exists()
    assert "2 no longer in the list (1 deleted, 1 kept" in output


def test_a_malformed_list_is_refused_and_nothing_is_written(region_list):
    with (region_list / "regencies.csv").open("a", encoding="utf-8") as handle:
        handle.write("64.7,Kota Rusak,city,64\n")

    with pytest.raises(CommandError, match=r"regencies.csv line 516: '64.7' is not a 'city'"):
        load_regions("--dir", str(region_list))

    assert Region.objects.count() == 0
