"""The BPS crosswalk (fixtures/bps-crosswalk) loaded by load_regions: the pairs of each level, its gaps named (no BPS
counterpart, two BPS codes for one kecamatan, a BPS code standing for two regions), each region's own BPS code, and
a second run that changes nothing."""

import io
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

from coverage.models import BpsCode, Region

pytestmark = pytest.mark.django_db


def load_regions(*args) -> str:
    out = io.StringIO()
    call_command("load_regions", *args, stdout=out)
    return out.getvalue()


def bps(code):
    return Region.objects.get(code=code).bps_code


def test_the_crosswalk_of_provinces_and_kabupaten_kota_is_one_to_one_and_loads_with_the_regions():
    output = load_regions()

    assert "BPS crosswalk: 38 rows, 38 pairs (38 new, 0 removed, 0 renamed), BPS code set on 38 regions" in output
    assert "BPS crosswalk: 514 rows, 514 pairs (514 new, 0 removed, 0 renamed), BPS code set on 514 regions" in output
    # Kalimantan Timur: the numberings cross; Papua: BPS 91 is Kemendagri 92, BPS 94 is Kemendagri 91.
    assert (bps("64.07"), bps("64.02")) == ("6402", "6403")
    assert (bps("92"), bps("91")) == ("91", "94")
    assert BpsCode.objects.count() == 38 + 514


def test_kecamatan_gaps_are_named_and_a_second_run_changes_nothing(api):
    first = load_regions("--level", "3")
    without = api.get("/api/v1/regions/72.01.24/").json()
    both = api.get("/api/v1/regions/", {"bps_code": "7210120,7210121"}).json()

    assert "BPS crosswalk: 7292 rows, 7277 pairs (7277 new" in first
    assert "BPS code set on 7274 regions" in first
    assert "11 without a BPS code: 72.01.24, 72.06.07, 73.05.02" in first
    assert "3 with two BPS codes: 72.10.01, 91.15.10, 91.20.01" in first
    assert bps("72.01.24") is None and without["bps_code"] is None  # no BPS counterpart
    assert [(r["code"], r["bps_code"]) for r in both["results"]] == [("72.10.01", "7210120")]  # both codes lead to it
    assert bps("72.06.20") == "7203010"  # a real code beats the source's 0
    assert bps("72.10.01") == "7210120"  # of two, the one whose BPS name is the region's name
    assert set(BpsCode.objects.filter(region="72.10.01").values_list("code", flat=True)) == {"7210120", "7210121"}
    versions = dict(Region.objects.values_list("code", "version"))

    second = load_regions("--level", "3")

    assert "7277 pairs (0 new, 0 removed, 0 renamed), BPS code set on 0 regions" in second
    assert "38 pairs (0 new, 0 removed, 0 renamed), BPS code set on 0 regions" in second
    assert dict(Region.objects.values_list("code", "version")) == versions


def crosswalk_copy(tmp_path, extra_kabupaten_rows=()):
    directory = tmp_path / "crosswalk"
    shutil.copytree(settings.BPS_CROSSWALK_DIR, directory)
    path = directory / "kabupaten-kota.csv"
    text = path.read_text(encoding="utf-8")  # its last line has no line break
    path.write_text(text.rstrip("\n") + "".join(f"\n{row}" for row in extra_kabupaten_rows) + "\n", encoding="utf-8")
    return directory


def test_a_bps_code_standing_for_two_regions_is_named_ambiguous_and_a_changed_crosswalk_is_followed(tmp_path):
    load_regions()
    # Made up: no BPS code of today's list stands for two Kemendagri codes.
    made_up = crosswalk_copy(tmp_path, ['64,64,6402,"KAB. KUTAI BARAT",64.08,"KABUPATEN KUTAI TIMUR","75600"'])

    output = load_regions("--crosswalk-dir", str(made_up))

    assert "515 rows, 515 pairs (1 new, 0 removed, 0 renamed)" in output
    assert "1 BPS codes standing for several regions (ambiguous, never guessed): 6402" in output
    assert bps("64.08") == "6404"  # Kutai Timur at BPS: its own code stays the one named like it

    back = load_regions()

    assert "514 pairs (0 new, 1 removed, 0 renamed)" in back
    assert list(BpsCode.objects.filter(code="6402").values_list("region", flat=True)) == ["64.07"]


def test_a_malformed_crosswalk_loads_nothing(tmp_path):
    broken = crosswalk_copy(tmp_path, ['64,64,64.02,"KAB. KUTAI BARAT",64.07,"KABUPATEN KUTAI BARAT",""'])

    with pytest.raises(Exception, match=r"kabupaten-kota.csv line 516: '64.02' → '64.07' is not a level-2 pair"):
        load_regions("--crosswalk-dir", str(broken))
    assert not Region.objects.exists()
    assert not BpsCode.objects.exists()


def test_without_the_crosswalk_the_regions_load_and_bps_codes_stay_as_they_are():
    load_regions("--level", "1")

    output = load_regions("--level", "1", "--no-crosswalk")

    assert "BPS crosswalk" not in output
    assert bps("64") == "64"
