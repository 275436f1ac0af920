"""A region's validity is one rule written twice, side by side: in SQL (valid_on_q, what answers and lists filter on)
and in Python (Region.valid_on, what every door checks a figure's date with). They agree on every day around the
bounds, for every kind of bound."""

import datetime

import pytest

from coverage.models import Region, valid_on_q

from ..factories import ProvinceFactory

pytestmark = pytest.mark.django_db

CHANGE = datetime.date(2022, 7, 25)


def test_the_sql_rule_and_the_python_rule_agree_around_every_bound():
    regions = [
        ProvinceFactory(code="11", valid_from=None, valid_until=None),
        ProvinceFactory(code="12", valid_from=None, valid_until=CHANGE),  # retired
        ProvinceFactory(code="13", valid_from=CHANGE, valid_until=None),  # made by a change
        ProvinceFactory(code="14", valid_from=datetime.date(2020, 1, 1), valid_until=CHANGE),  # both
    ]
    days = [CHANGE + datetime.timedelta(days=n) for n in (-1, 0, 1)] + [datetime.date(2019, 12, 31)]

    for day in days:
        in_sql = set(Region.objects.filter(valid_on_q(day)).values_list("code", flat=True))
        in_python = {region.code for region in regions if region.valid_on(day)}
        assert in_sql == in_python, day
    assert set(Region.objects.valid_on(CHANGE).values_list("code", flat=True)) == {"11", "13"}
    # valid_until is exclusive: on the day of the change the old code no longer names its region.
    assert not regions[1].valid_on(CHANGE) and regions[1].valid_on(CHANGE - datetime.timedelta(days=1))


def test_valid_during_a_year_takes_both_codes_of_the_year_of_a_change():
    ProvinceFactory(code="12", valid_until=CHANGE)
    ProvinceFactory(code="13", valid_from=CHANGE)
    ProvinceFactory(code="14", valid_until=datetime.date(2021, 1, 1))

    during_2022 = valid_on_q(datetime.date(2022, 1, 1), until=datetime.date(2022, 12, 31))

    assert set(Region.objects.filter(during_2022).values_list("code", flat=True)) == {"12", "13"}
