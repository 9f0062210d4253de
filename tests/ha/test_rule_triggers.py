"""Price conditions pinned at their limits (as the rule form describes them)."""

from __future__ import annotations

import pytest

from custom_components.home_miner_manager.rule_triggers import price_matches


@pytest.mark.parametrize(
    ("condition", "price", "matches"),
    [
        ("below", 9.99, True),
        ("below", 10.0, False),  # below leaves the price itself out
        ("above", 10.0, False),
        ("above", 10.01, True),
        ("between", 10.0, True),  # between includes both limits
        ("between", 20.0, True),
        ("between", 20.01, False),
        ("outside", 10.0, False),
        ("outside", 20.0, False),
        ("outside", 9.99, True),
        ("outside", 20.01, True),
    ],
)
def test_price_conditions_at_their_limits(
    condition: str, price: float, matches: bool
) -> None:
    config = {"condition": condition, "threshold": 10, "threshold_high": 20}
    assert price_matches(config, price) is matches


def test_between_without_an_upper_price_never_matches() -> None:
    assert not price_matches({"condition": "between", "threshold": 10}, 10.0)
