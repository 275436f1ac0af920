"""Region codes as clients send them (coverage.regions.codes): a Kemendagri code at any level passes as it is; a
code of BPS shape is refused as one, never turned into a dotted code; anything else is not a region code."""

import pytest
from django.core.exceptions import ValidationError

from coverage.regions.codes import check_region_code


@pytest.mark.parametrize("code", ["64", "64.71", "64.01", "64.71.01", "64.71.01.1001", "11", "94.71"])
def test_a_kemendagri_code_at_any_level_is_returned_as_it_is(code):
    assert check_region_code(code) == code


def test_a_number_is_checked_as_its_text():
    assert check_region_code(64) == "64"


@pytest.mark.django_db  # the message names the region the crosswalk knows the code for (tests/regions/)
@pytest.mark.parametrize("code", ["6402", "6471", "6402010", "6402010001"])
def test_a_code_of_bps_shape_is_refused_as_a_bps_code_naming_it(code):
    with pytest.raises(ValidationError) as refused:
        check_region_code(code)

    assert refused.value.code == "bps_code"
    assert refused.value.params == {"value": code}


@pytest.mark.parametrize(
    "code",
    [
        "6",  # one digit
        "647",  # three digits: neither a province nor a BPS kabupaten
        "64.7",  # a segment too short
        "64.71.1",
        "64.71.01.101",  # a desa segment of three digits
        "64.71.01.10011",
        "64.",
        ".64",
        "64-71",
        "64.71 ",  # the check does not trim
        "64\x00",
        "64021",  # five digits: no BPS level has them
        "",
    ],
)
def test_anything_else_is_not_a_region_code(code):
    with pytest.raises(ValidationError) as refused:
        check_region_code(code)

    assert refused.value.code == "invalid_code"


def test_a_long_value_is_named_by_its_first_50_characters():
    with pytest.raises(ValidationError) as refused:
        check_region_code("x" * 80)

    assert refused.value.params == {"value": "x" * 50}
