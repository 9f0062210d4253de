"""The Octopus integration's (v18.3.1) entities as observed, through the parser.

Facts: restored states hold ``datetime`` objects; ``*_next_day_rates`` is
``unknown`` with no ``rates`` until tomorrow is first seen, then ``rates: []``
after midnight; ``*_current_day_rates`` keeps yesterday for up to ~15 minutes
after midnight; rate sensors name the tariff ``tariff``; export meters carry
``_export`` in their ids and an ``OUTGOING`` tariff.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.home_miner_manager.prices.octopus_entity import (
    OctopusEntitySource,
    is_export_tariff,
    meter_entity,
    parse_rates_attributes,
    tariff_of,
)
from custom_components.home_miner_manager.prices.slots import slot_at

UK = ZoneInfo("Europe/London")
STEM = "octopus_energy_electricity_21l1234567_1200012345678"
CURRENT_DAY = f"event.{STEM}_current_day_rates"
NEXT_DAY = f"event.{STEM}_next_day_rates"
TARIFF = "E-1R-AGILE-24-10-01-C"
SLOT = timedelta(minutes=30)
EVENT_TYPES = {"event_types": ["octopus_energy_electricity_next_day_rates"]}


def _day(day: datetime, pence: list[float]) -> list[dict[str, Any]]:
    """A day's ``rates`` as the integration holds them (live or restored)."""
    items = []
    start = day.astimezone(UTC)
    for value in pence:
        items.append(
            {
                "start": start.astimezone(UK),  # local datetimes, not strings
                "end": (start + SLOT).astimezone(UK),
                "value_inc_vat": round(value / 100, 6),
                "is_capped": False,
            }
        )
        start += SLOT
    return items


def _event(rates: list[dict[str, Any]], tariff: str = TARIFF) -> dict[str, Any]:
    values = [r["value_inc_vat"] for r in rates]
    return {
        **EVENT_TYPES,
        "event_type": "octopus_energy_electricity_current_day_rates",
        "rates": rates,
        "min_rate": min(values) if values else None,
        "max_rate": max(values) if values else None,
        "average_rate": sum(values) / len(values) if values else None,
        "mpan": "1200012345678",
        "serial_number": "21L1234567",
        "tariff_code": tariff,
    }


def _uk(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=UK)


def _price(slots: list[Any], moment: datetime) -> float | None:
    slot = slot_at(slots, moment.astimezone(UTC))
    return None if slot is None else slot.price_pence


def test_restored_state_holds_datetimes() -> None:
    # The integration's restore turns ISO strings back into local datetimes.
    parsed = parse_rates_attributes(_event(_day(_uk(5), [12.5] * 48)))
    assert parsed.skipped == 0
    assert len(parsed.slots) == 48
    assert parsed.slots[0].start == datetime(2026, 12, 5, tzinfo=UTC)
    assert parsed.region == "C"


def test_next_day_unknown_without_rates_then_empty_list() -> None:
    # Before tomorrow is first seen: state unknown, no ``rates`` attribute.
    unseen = parse_rates_attributes(EVENT_TYPES)
    assert (unseen.slots, unseen.skipped, unseen.tariff_code) == ([], 0, None)
    # After midnight: ``rates: []`` with null min/max.
    emptied = parse_rates_attributes(_event([]))
    assert (emptied.slots, emptied.skipped) == ([], 0)
    assert emptied.tariff_code == TARIFF


def test_midnight_keeps_tomorrow_seen_the_day_before() -> None:
    today = [10.0 + i for i in range(48)]
    tomorrow = [50.0 + i for i in range(48)]
    states: dict[str, tuple[object, dict[str, Any]]] = {
        CURRENT_DAY: ("2026-12-05T00:00:00+00:00", _event(_day(_uk(5), today))),
        NEXT_DAY: ("unknown", dict(EVENT_TYPES)),
    }
    source = OctopusEntitySource(states.get, CURRENT_DAY)
    assert _price(source.read(_uk(5, 12)).slots, _uk(5, 12)) == 34.0
    # 16:00: tomorrow appears.
    states[NEXT_DAY] = ("2026-12-05T16:00:00+00:00", _event(_day(_uk(6), tomorrow)))
    assert len(source.read(_uk(5, 16)).slots) == 96
    # 00:00:30: next day emptied, current day still yesterday's (~15 min).
    states[NEXT_DAY] = ("2026-12-06T00:00:00+00:00", _event([]))
    after_midnight = _uk(6, 0, 0, 30)
    slots = source.read(after_midnight).slots
    assert _price(slots, after_midnight) == 50.0
    assert _price(slots, _uk(6, 0, 30)) == 51.0  # the next slot is known too
    assert all(s.end - s.start == SLOT for s in slots)
    # 00:15: today arrives; a corrected slot replaces the one kept.
    fresh = list(tomorrow)
    fresh[1] = 99.0
    states[CURRENT_DAY] = ("2026-12-06T00:15:00+00:00", _event(_day(_uk(6), fresh)))
    slots = source.read(_uk(6, 0, 15)).slots
    assert _price(slots, _uk(6, 0, 30)) == 99.0
    assert _price(slots, _uk(6, 0)) == 50.0


def test_seen_slots_are_pruned_and_dropped_on_a_new_tariff() -> None:
    states: dict[str, tuple[object, dict[str, Any]]] = {
        CURRENT_DAY: ("x", _event(_day(_uk(5), [10.0] * 48))),
    }
    source = OctopusEntitySource(states.get, CURRENT_DAY)
    source.read(_uk(5, 12))
    states[CURRENT_DAY] = ("x", _event(_day(_uk(6), [20.0] * 48)))
    assert len(source.read(_uk(6, 12)).slots) == 96
    # Two days on, the 5th is forgotten.
    assert len(source.read(_uk(8, 1)).slots) == 48
    # A new tariff (region moved): nothing of the old one is kept.
    other = "E-1R-AGILE-24-10-01-H"
    states[CURRENT_DAY] = ("x", _event(_day(_uk(7), [30.0] * 48), tariff=other))
    result = source.read(_uk(7, 12))
    assert [s.price_pence for s in result.slots] == [30.0] * 48
    assert result.region == "H"


def test_export_tariff_yields_nothing() -> None:
    outgoing = "E-1R-AGILE-OUTGOING-19-05-13-C"
    states: dict[str, tuple[object, dict[str, Any]]] = {
        CURRENT_DAY: ("x", _event(_day(_uk(5), [10.0] * 48))),
    }
    source = OctopusEntitySource(states.get, CURRENT_DAY)
    assert source.read(_uk(5, 12)).slots
    states[CURRENT_DAY] = ("x", _event(_day(_uk(5), [5.0] * 48), tariff=outgoing))
    result = source.read(_uk(5, 12))
    assert result.is_export
    assert result.slots == []
    assert source.seen == []


@pytest.mark.parametrize(
    ("day", "count"),
    [(29, 46), (25, 50)],  # 2026-03-29 spring forward, 2026-10-25 fall back
)
def test_clock_change_days_chain_without_gaps(day: int, count: int) -> None:
    month = 3 if day == 29 else 10
    start = datetime(2026, month, day, tzinfo=UK)
    items = _day(start, [10.0] * count)
    assert items[-1]["end"] == datetime(2026, month, day + 1, tzinfo=UK)
    parsed = parse_rates_attributes(_event(items))
    assert len(parsed.slots) == count
    assert all(
        a.end == b.start for a, b in zip(parsed.slots, parsed.slots[1:], strict=False)
    )


def test_tariff_names() -> None:
    assert tariff_of({"tariff_code": TARIFF}) == TARIFF
    assert tariff_of({"tariff": TARIFF}) == TARIFF  # rate sensors
    assert tariff_of({"tariff": None, "tariff_code": " "}) is None
    assert tariff_of(None) is None
    assert parse_rates_attributes({"tariff": TARIFF, "rates": []}).region == "C"


@pytest.mark.parametrize(
    ("code", "export"),
    [
        ("E-1R-AGILE-OUTGOING-19-05-13-C", True),
        ("E-1R-OUTGOING-FIX-12M-19-05-13-C", True),
        ("E-1R-FLUX-EXPORT-23-02-14-C", True),
        ("E-1R-AGILE-24-10-01-C", False),
        ("E-1R-GO-VAR-22-10-14-C", False),
        (None, False),
    ],
)
def test_export_tariffs(code: str | None, export: bool) -> None:
    assert is_export_tariff(code) is export


@pytest.mark.parametrize(
    ("key", "stem", "suffix", "export", "rate_sensor"),
    [
        (f"{STEM}_current_day_rates", STEM, "_current_day_rates", False, False),
        (f"{STEM}_next_day_rates", STEM, "_next_day_rates", False, False),
        (f"{STEM}_current_rate", STEM, "_current_rate", False, True),
        (f"{STEM}_previous_rate", STEM, "_previous_rate", False, True),
        (f"{STEM}_next_rate", STEM, "_next_rate", False, True),
        (
            # unique ids keep the serial's case
            "octopus_energy_electricity_21L1234567_1200012345678_export_current_rate",
            "octopus_energy_electricity_21L1234567_1200012345678_export",
            "_current_rate",
            True,
            True,
        ),
    ],
)
def test_meter_entity(
    key: str, stem: str, suffix: str, export: bool, rate_sensor: bool
) -> None:
    meter = meter_entity(key)
    assert meter is not None
    assert (meter.stem, meter.suffix) == (stem, suffix)
    assert (meter.is_export, meter.is_rate_sensor) == (export, rate_sensor)
    assert meter.sibling("_next_day_rates") == f"{stem}_next_day_rates"


@pytest.mark.parametrize(
    "key",
    [
        "octopus_energy_gas_123_456_current_day_rates",
        "octopus_energy_electricity__current_rate",
        "outside",
        f"{STEM}_current_accumulative_cost",
    ],
)
def test_not_a_meter_rate_entity(key: str) -> None:
    assert meter_entity(key) is None
