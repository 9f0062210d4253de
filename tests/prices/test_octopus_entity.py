"""The Octopus integration's entities as Home Assistant holds them (live and restored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.home_miner_manager.prices.octopus_entity import (
    OctopusEntitySource,
    gbp_to_pence,
    next_day_entity_id,
    parse_rates_attributes,
    read_entities,
    region_from_tariff,
)

LONDON = ZoneInfo("Europe/London")
BASE = "octopus_energy_electricity_19l1234567_1200012345678"
CURRENT_DAY = f"event.{BASE}_current_day_rates"
NEXT_DAY = f"event.{BASE}_next_day_rates"
CURRENT_RATE = f"sensor.{BASE}_current_rate"
TARIFF = "E-1R-AGILE-24-10-01-C"


def _rates(
    day: datetime, values: list[float], *, iso: bool = False
) -> list[dict[str, Any]]:
    """Items the way the integration builds them: local times, GBP/kWh."""
    items = []
    for i, value in enumerate(values):
        start = day + timedelta(minutes=30 * i)
        end = start + timedelta(minutes=30)
        items.append(
            {
                "start": start.isoformat() if iso else start,
                "end": end.isoformat() if iso else end,
                "value_inc_vat": value,
                "is_capped": False,
            }
        )
    return items


def _attributes(rates: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "mpan": "1200012345678",
        "serial_number": "19L1234567",
        "tariff_code": TARIFF,
        "rates": rates,
        "min_rate": 0.0,
        "max_rate": 0.3,
        "average_rate": 0.15,
    }


SUMMER_DAY = datetime(2026, 7, 1, tzinfo=LONDON)  # +01:00


@pytest.mark.parametrize("iso", [False, True], ids=["datetime", "restored-iso"])
def test_day_rates_parse_to_utc_pence(iso: bool) -> None:
    parsed = parse_rates_attributes(
        _attributes(_rates(SUMMER_DAY, [0.234512, -0.0105, 0.3], iso=iso))
    )
    assert parsed.skipped == 0
    assert parsed.region == "C"
    assert parsed.tariff_code == TARIFF
    assert [s.price_pence for s in parsed.slots] == [23.4512, -1.05, 30.0]
    assert parsed.slots[0].start == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert parsed.slots[0].start.utcoffset() == timedelta(0)
    assert parsed.slots[2].end == datetime(2026, 7, 1, 0, 30, tzinfo=UTC)


def test_malformed_items_are_skipped_one_by_one() -> None:
    good = _rates(SUMMER_DAY, [0.1, 0.2])
    start, end = good[0]["start"], good[0]["end"]
    bad: list[object] = [
        {"start": start, "end": end},  # no value
        {"end": end, "value_inc_vat": 0.1},  # no start
        {"start": start, "end": end, "value_inc_vat": "0.1"},  # a string
        {"start": start, "end": end, "value_inc_vat": True},  # a bool
        {"start": start, "end": end, "value_inc_vat": math.nan},
        {"start": start, "end": end, "value_inc_vat": math.inf},
        {"start": end, "end": start, "value_inc_vat": 0.1},  # end before start
        {"start": start, "end": start, "value_inc_vat": 0.1},  # empty
        {"start": "yesterday", "end": end, "value_inc_vat": 0.1},
        {"start": "2026-07-01T00:00:00", "end": end, "value_inc_vat": 0.1},  # naive
        {"start": 1751324400, "end": end, "value_inc_vat": 0.1},
        "not a dict",
        None,
    ]
    parsed = parse_rates_attributes(_attributes([bad[0], good[0], *bad[1:], good[1]]))
    assert parsed.skipped == len(bad)
    assert [s.price_pence for s in parsed.slots] == [10.0, 20.0]


@pytest.mark.parametrize(
    "attributes",
    [None, {}, {"rates": None}, {"rates": "x", "tariff_code": 5}, {"rates": []}],
)
def test_empty_or_broken_attributes_never_raise(attributes: Any) -> None:
    parsed = parse_rates_attributes(attributes)
    assert parsed.slots == []
    assert parsed.region is None
    assert parsed.skipped == (1 if attributes and attributes.get("rates") == "x" else 0)


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("E-1R-AGILE-24-10-01-C", "C"),
        ("E-1R-AGILE-FLEX-22-11-25-p", "P"),
        ("E-1R-AGILE-24-10-01-I", None),
        ("E-1R-AGILE-24-10-01-O", None),
        ("E-1R-AGILE-24-10-01-1", None),
        ("", None),
        (None, None),
    ],
)
def test_region_from_tariff(code: object, region: str | None) -> None:
    assert region_from_tariff(code) == region


def test_next_day_sibling() -> None:
    assert next_day_entity_id(CURRENT_DAY) == NEXT_DAY
    assert next_day_entity_id(CURRENT_RATE) is None


def test_pence_keep_precision() -> None:
    assert gbp_to_pence(0.234512) == 23.4512
    assert gbp_to_pence(0.1) == 10.0
    assert gbp_to_pence(-0.0001) == -0.01


async def test_entities_merge_today_and_tomorrow() -> None:
    today = datetime(2026, 11, 20, tzinfo=LONDON)
    tomorrow = today + timedelta(days=1)
    states: dict[str, tuple[object, dict[str, Any]]] = {
        CURRENT_DAY: (
            "2026-11-20T00:00:00+00:00",
            _attributes(_rates(today, [0.1] * 48)),
        ),
        NEXT_DAY: (
            "2026-11-20T16:00:00+00:00",
            _attributes([*_rates(tomorrow, [0.2] * 48, iso=True), {"bad": 1}]),
        ),
    }
    result = read_entities(states.get, CURRENT_DAY)
    assert len(result.slots) == 96
    assert result.skipped == 1
    assert result.region == "C"
    assert result.slots[0].price_pence == 10.0
    assert result.slots[48].price_pence == 20.0
    source = OctopusEntitySource(states.get, CURRENT_DAY)
    slots = await source.async_slots(datetime(2026, 11, 20, tzinfo=UTC))
    assert len(slots) == 96
    assert source.last is not None
    assert source.last.skipped == 1
