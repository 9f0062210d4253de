"""Tariff parsers, units and detection (prices/{nordpool,tibber,amber,entsoe,generic})."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from custom_components.home_miner_manager.prices import (
    amber,
    entsoe,
    generic,
    nordpool,
    tibber,
)
from custom_components.home_miner_manager.prices.tariff_kind import (
    SourceKind,
    detect_source,
)
from custom_components.home_miner_manager.prices.units import (
    PriceUnit,
    factor_for,
    parse_unit,
    price_unit_label,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SYDNEY = ZoneInfo("Australia/Sydney")
Q = timedelta(minutes=15)


def _nordpool_day(
    day: datetime, area: str = "SE3"
) -> dict[str, list[dict[str, object]]]:
    start = day.replace(tzinfo=STOCKHOLM).astimezone(UTC)
    end = (day + timedelta(days=1)).replace(tzinfo=STOCKHOLM).astimezone(UTC)
    count = int((end - start) / Q)
    return {
        area: [
            {
                "start": (start + i * Q).isoformat(),
                "end": (start + (i + 1) * Q).isoformat(),
                "price": 40.0 + i,  # EUR/MWh
            }
            for i in range(count)
        ]
    }


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (datetime(2026, 12, 4), 96),  # noqa: DTZ001
        (datetime(2026, 3, 29), 92),  # noqa: DTZ001
        (datetime(2026, 10, 25), 100),  # noqa: DTZ001
    ],
)
def test_nordpool_day_of_quarter_hours(day: datetime, count: int) -> None:
    parsed = nordpool.parse_response(_nordpool_day(day), "SE3", "EUR", "EUR")
    assert len(parsed.slots) == count
    assert parsed.skipped == 0
    assert {s.end - s.start for s in parsed.slots} == {Q}
    assert parsed.slots[0].price_pence == 4.0  # 40 EUR/MWh = 4 c/kWh
    assert parsed.slots[-1].price_pence == pytest.approx((40 + count - 1) / 10)


def test_nordpool_malformed_items_and_other_currency() -> None:
    response = _nordpool_day(datetime(2026, 12, 4))  # noqa: DTZ001
    response["SE3"][3]["price"] = None
    response["SE3"][5]["start"] = "yesterday"
    response["SE3"].append("garbage")  # type: ignore[arg-type]
    parsed = nordpool.parse_response(response, "SE3", "EUR", "EUR")
    assert (len(parsed.slots), parsed.skipped) == (94, 3)
    assert nordpool.parse_response(response, "SE3", "EUR", "SEK").problem == (
        "currency_mismatch"
    )
    assert nordpool.parse_response({"SE4": []}, "SE3", "EUR", "EUR").slots == []
    assert nordpool.parse_response(None, "SE3", "EUR", "EUR").skipped == 1
    assert nordpool.area_of("SE3-current_price") == "SE3"
    assert nordpool.area_of("currency") is None


def test_tibber_hourly_without_ends() -> None:
    day = datetime(2026, 12, 4, tzinfo=STOCKHOLM)
    items = [
        {"start_time": day + timedelta(hours=h), "price": 0.5 + h / 100}
        for h in range(24)
    ]
    items[2]["start_time"] = items[2]["start_time"].isoformat()  # either form
    del items[10]  # a missing hour is a gap, not a two-hour slot
    response = {"prices": {"Home": [], "Cabin": items}}
    assert tibber.homes(response) == ["Home", "Cabin"]
    assert tibber.pick_home(["Home", "Cabin"], "Cabin Electricity price") == "Cabin"
    assert tibber.pick_home(["Home"], "Electricity price") == "Home"
    parsed = tibber.parse_response(response, "Cabin", 100.0)
    assert len(parsed.slots) == 23
    assert {s.end - s.start for s in parsed.slots} == {timedelta(hours=1)}
    assert parsed.slots[0].price_pence == 50.0  # SEK/kWh → öre/kWh
    assert parsed.slots[-1].end == (day + timedelta(days=1)).astimezone(UTC)


def _amber_item(start: datetime, minutes: int, dollars: float) -> dict[str, object]:
    return {
        "duration": minutes,
        "date": start.date().isoformat(),
        "nem_date": (start + timedelta(minutes=minutes)).isoformat(),
        "per_kwh": dollars,
        "spot_per_kwh": 0.05,
        "start_time": (start + timedelta(seconds=1)).astimezone(UTC).isoformat(),
        "end_time": (start + timedelta(minutes=minutes)).astimezone(UTC).isoformat(),
        "renewables": 40,
        "spike_status": "none",
        "descriptor": "low",
    }


def test_amber_current_and_forecast() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=SYDNEY)
    half = timedelta(minutes=30)
    current = {
        **_amber_item(now, 30, 0.21),
        "estimate": True,
        "channel_type": "general",
    }
    forecast = {
        "forecasts": [_amber_item(now + (i + 1) * half, 30, 0.3) for i in range(10)],
        "channel_type": "general",
    }
    parsed = amber.parse_attributes(forecast, current, 100.0)
    assert len(parsed.slots) == 11
    assert parsed.slots[0].start == now.astimezone(UTC)  # 12:00:01 → 12:00
    assert parsed.slots[0].price_pence == 21.0
    assert all(a.end == b.start for a, b in pairwise(parsed.slots))
    feed_in = {**forecast, "channel_type": "feedIn"}
    assert amber.parse_attributes(feed_in, None, 100.0).problem == "export_entity"
    assert amber.site_channel("01FG0AZZ-forecasts-general") == ("01FG0AZZ", "general")


def test_entsoe_lists_with_str_times() -> None:
    day = datetime(2026, 10, 25, tzinfo=ZoneInfo("Europe/Amsterdam"))
    start = day.astimezone(UTC)
    today = [
        {"time": str((start + i * Q).astimezone(day.tzinfo)), "price": 0.1 + i / 1000}
        for i in range(100)
    ]
    tomorrow = [
        {"time": str((start + (100 + i) * Q).astimezone(day.tzinfo)), "price": 0.2}
        for i in range(96)
    ]
    attrs = {"prices_today": today, "prices_tomorrow": tomorrow, "prices": today}
    parsed = entsoe.parse_attributes(attrs, 100.0)  # EUR/kWh → c/kWh
    assert len(parsed.slots) == 196
    assert parsed.skipped == 0
    assert {s.end - s.start for s in parsed.slots} == {Q}
    assert parsed.slots[0].price_pence == 10.0
    assert entsoe.is_average("entsoe.avg_price")


def test_generic_shapes() -> None:
    t0 = datetime(2026, 12, 4, 10, tzinfo=UTC)
    attrs = {
        "friendly_name": "Spot",
        "prices": [
            {"start": t0.isoformat(), "end": (t0 + Q).isoformat(), "price": 12.5},
            {"start": (t0 + Q).isoformat(), "duration": 15, "price": 13},
            {"start": (t0 + 2 * Q).isoformat(), "duration": "00:15:00", "price": 14},
            {"start": (t0 + 3 * Q).isoformat(), "duration": -5, "price": 1},
            {"start": "2026-12-04T11:00:00", "end": "naive", "price": 1},
            {"start": (t0 + 4 * Q).isoformat(), "end": "not a time", "price": 1},
        ],
    }
    assert generic.price_lists(attrs) == ["prices"]
    parsed = generic.parse_attributes(attrs, 1.0)
    assert [s.price_pence for s in parsed.slots] == [12.5, 13.0, 14.0]
    assert parsed.skipped == 3
    assert generic.price_lists({"prices": [{"start": 1}]}) == []


@pytest.mark.parametrize(
    ("unit", "currency", "factor"),
    [
        ("EUR/MWh", "EUR", 0.1),
        ("EUR/kWh", "EUR", 100.0),
        ("€/kWh", "EUR", 100.0),
        ("c/kWh", "EUR", 1.0),
        ("ct/kWh", "EUR", 1.0),
        ("p/kWh", "GBP", 1.0),
        ("GBP/kWh", "GBP", 100.0),
        ("$/kWh", "AUD", 100.0),
        ("öre/kWh", "SEK", 1.0),
        ("SEK/MWh", "SEK", 0.1),
        ("kr/kWh", "NOK", 100.0),
        ("JPY/kWh", "JPY", 1.0),
        ("EUR/kWh", "SEK", None),
        ("p/kWh", "EUR", None),
        ("$/kWh", "EUR", None),
        ("öre/kWh", "EUR", None),
    ],
)
def test_units(unit: str, currency: str, factor: float | None) -> None:
    assert factor_for(unit, currency, PriceUnit(None)) == factor


def test_unit_labels_and_unreadable_units() -> None:
    assert price_unit_label("GBP") == "p/kWh"
    assert price_unit_label("EUR") == "c/kWh"
    assert price_unit_label("SEK") == "öre/kWh"
    assert price_unit_label("AUD") == "c/kWh"
    assert parse_unit("W") is None
    assert parse_unit("EUR/W") is None
    assert parse_unit(None) is None
    assert factor_for(None, "EUR", PriceUnit(None)) == 100.0  # major per kWh


@pytest.mark.parametrize(
    ("entity_id", "platform", "attributes", "kind"),
    [
        ("sensor.se3_current_price", "nordpool", {}, SourceKind.NORDPOOL),
        ("sensor.electricity_price_home", "tibber", {}, SourceKind.TIBBER),
        ("sensor.home_general_forecast", "amberelectric", {}, SourceKind.AMBER),
        ("sensor.average_electricity_price", "entsoe", {}, SourceKind.ENTSOE),
        (
            "event.octopus_energy_electricity_x_y_current_day_rates",
            None,
            {},
            SourceKind.OCTOPUS,
        ),
        ("sensor.x", None, {"forecasts": [{"per_kwh": 0.2}]}, SourceKind.AMBER),
        (
            "sensor.x",
            None,
            {"prices_today": [], "prices_tomorrow": []},
            SourceKind.ENTSOE,
        ),
        (
            "sensor.x",
            "template",
            {"slots": [{"start": "x", "end": "y", "price": 1}]},
            SourceKind.GENERIC,
        ),
        ("sensor.x", "template", {"slots": []}, None),
        ("light.x", None, {"prices": [{"start": "x", "end": "y", "price": 1}]}, None),
    ],
)
def test_detection(
    entity_id: str,
    platform: str | None,
    attributes: dict[str, object],
    kind: SourceKind | None,
) -> None:
    assert detect_source(entity_id, platform, attributes) == kind
