"""Miner names matched forgivingly, and the days a cost question covers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from custom_components.home_miner_manager.assist.answers import (
    CostLine,
    MinerFacts,
    cost_answer,
    find_miner,
    fleet_answer,
    reason_answer,
)
from custom_components.home_miner_manager.assist.periods import (
    PeriodError,
    period_days,
)
from custom_components.home_miner_manager.strategy.reason import (
    MinerReason,
    StrategyReason,
)

NAMES = ["Garage Bitaxe", "Garden Bitaxe", "Loft NerdQAxe", "bitaxe"]


@pytest.mark.parametrize(
    ("wanted", "found"),
    [
        ("Loft NerdQAxe", "Loft NerdQAxe"),
        ("  loft nerdqaxe ", "Loft NerdQAxe"),
        ("LOFT", "Loft NerdQAxe"),
        ("'garage'", "Garage Bitaxe"),
        ("bitaxe", "bitaxe"),  # a whole name wins over being a prefix
    ],
)
def test_found(wanted: str, found: str) -> None:
    assert find_miner(wanted, NAMES).name == found


def test_ambiguous_and_unknown_names_are_answers() -> None:
    ambiguous = find_miner("Gar", NAMES)
    assert ambiguous.name is None
    assert ambiguous.answer is not None
    assert ambiguous.answer["matching_miners"] == ["Garage Bitaxe", "Garden Bitaxe"]
    unknown = find_miner("Antminer", NAMES)
    assert unknown.answer is not None
    assert unknown.answer["error"] == "unknown_miner"
    assert unknown.answer["known_miners"] == sorted(NAMES, key=str.casefold)
    assert find_miner("", NAMES).answer is not None
    none = find_miner("x", [])
    assert none.answer is not None
    assert none.answer["message"].endswith("Known miners: none.")


def test_fleet_totals_count_only_what_mines() -> None:
    answer = fleet_answer(
        [
            MinerFacts("B", "bitaxe", "mining", hashrate_ghs=1200.0, power_w=15.0),
            MinerFacts("A", "avalon_nano", "unreachable", status_reason="timeout"),
        ]
    )
    assert [m["name"] for m in answer["miners"]] == ["A", "B"]
    assert answer["miners"][0]["not_answering_because"] == "timeout"
    assert answer["totals"] == {
        "miners": 2,
        "mining": 1,
        "hashrate_th_s": 1.2,
        "power_w": 15.0,
    }


TODAY = date(2026, 1, 15)


@pytest.mark.parametrize(
    ("period", "first", "after"),
    [
        ("today", date(2026, 1, 15), date(2026, 1, 16)),
        ("yesterday", date(2026, 1, 14), date(2026, 1, 15)),
        ("this_month", date(2026, 1, 1), date(2026, 1, 16)),
        ("last_month", date(2025, 12, 1), date(2026, 1, 1)),
    ],
)
def test_named_periods(period: str, first: date, after: date) -> None:
    assert period_days(period, TODAY) == (first, after)


def test_ranges() -> None:
    assert period_days("range", TODAY, "2026-01-10", "2026-01-11") == (
        date(2026, 1, 10),
        date(2026, 1, 12),
    )
    # One day; a range into the future stops today.
    assert period_days("range", TODAY, "2026-01-10") == (
        date(2026, 1, 10),
        date(2026, 1, 11),
    )
    assert period_days("range", TODAY, "2026-01-10", "2026-02-10")[1] == date(
        2026, 1, 16
    )
    for args in (
        (None, None),
        ("soon", None),
        ("2026-01-12", "2026-01-10"),
        ("2026-02-01", None),
        ("2024-01-01", "2026-01-01"),
    ):
        with pytest.raises(PeriodError):
            period_days("range", TODAY, *args)
    with pytest.raises(PeriodError):
        period_days("fortnight", TODAY)


def test_prices_and_costs_carry_the_hubs_units() -> None:
    """A euro hub hears cents and euros, never pence or GBP."""
    start = datetime(2026, 12, 1, tzinfo=UTC)
    cost = cost_answer(
        [CostLine("Garage Bitaxe", 2.0, 0.3)], start, start, UTC, currency="EUR"
    )
    assert cost["currency"] == "EUR"
    assert cost["total"] == {"energy_kwh": 2.0, "cost": 0.3}
    why = reason_answer(
        MinerFacts(name="Garage Bitaxe", miner_type="bitaxe", status="mining"),
        MinerReason(StrategyReason.OFF_PRICE, price_pence=31.5),
        UTC,
        "c/kWh",
    )
    assert why["price_unit"] == "c/kWh"
    assert "31.5 c/kWh" in why["explanation"]
    assert "GBP" not in str((cost, why))
    assert "p/kWh" not in str((cost, why))
