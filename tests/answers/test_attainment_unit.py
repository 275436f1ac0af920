"""Whether a figure meets its target (coverage.answers.attainment.target_met), by the indicator's direction."""

from decimal import Decimal

import pytest

from coverage.answers.attainment import target_met


@pytest.mark.parametrize(
    ("value", "target", "higher_is_better", "met"),
    [
        ("72.80", "60.00", True, True),  # the article's KIA for Kaltim
        ("4.48", "30.00", True, False),  # the article's IKD for Kaltim
        ("60.00", "60.00", True, True),  # reaching the target meets it
        ("59.99", "60.00", True, False),
        ("4.48", "30.00", False, True),  # lower is better: below the target meets it
        ("30.00", "30.00", False, True),
        ("30.01", "30.00", False, False),
    ],
)
def test_a_target_is_met_by_reaching_it_in_the_indicators_direction(value, target, higher_is_better, met):
    assert target_met(Decimal(value), Decimal(target), higher_is_better=higher_is_better) is met
