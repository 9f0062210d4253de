"""The strategy's plan as a calendar through the real core: events, updates, triggers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.home_miner_manager.const import CONF_HYSTERESIS_SLOTS
from custom_components.home_miner_manager.strategy.describe import band_name
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, closed_port, miner_subentry
from .strategy_support import (
    HUB_ID,
    NEXT_DAY,
    SLOT,
    UK,
    SmartPlug,
    add_plugs,
    entity_id,
    entity_options,
    pool_subentry,
    set_day,
    uk_midnight,
)
from .test_entities import sync_sim_clock

NOW = "2026-03-10 00:10:00+00:00"  # slot 0 of the UK day (GMT)
# Default bands: >= 20 OFF, 12-20 DGB eco, 7-12 DGB standard, 4-7 BCH, < 4 BTC.
# A lone cheap half hour at 02:00 is not enough to leave OFF (hysteresis 2);
# 05:00-08:00 DGB eco, 08:00-09:00 OFF, then cheaper and cheaper.
DAY = (
    [25.0] * 4
    + [15.0]
    + [25.0] * 5
    + [15.0] * 6
    + [25.0] * 2
    + [10.0] * 10
    + [5.0] * 10
    + [3.0] * 6
    + [25.0] * 4
)
POOL_PORT = closed_port()


async def _hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim: AxeOSSimulator,
    prices: list[float],
) -> MockConfigEntry:
    await hass.config.async_set_time_zone("Europe/London")
    set_day(hass, prices)
    plug = SmartPlug("Bitaxe plug", sim)
    await add_plugs(hass, plug)
    sync_sim_clock(sim)
    return await setup_hub(
        [
            miner_subentry(
                sim,
                "bitaxe",
                title="Bitaxe",
                unique_id=BITAXE_UID,
                power_switch="switch.bitaxe_plug",
            ),
            pool_subentry("DGB", POOL_PORT),
            pool_subentry("BCH", closed_port()),
            pool_subentry("BTC", closed_port()),
        ],
        options=entity_options(),
    )


def _calendar(hass: HomeAssistant) -> str:
    return entity_id(hass, "calendar", f"{HUB_ID}_strategy_plan")


async def _events(
    hass: HomeAssistant, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Events as the calendar panel and automations read them."""
    calendar = _calendar(hass)
    answer: Any = await hass.services.async_call(
        "calendar",
        "get_events",
        {"entity_id": calendar, "start_date_time": start, "end_date_time": end},
        blocking=True,
        return_response=True,
    )
    return list(answer[calendar]["events"])


def _band_at(events: list[dict[str, Any]], moment: datetime) -> str:
    for event in events:
        start = dt_util.parse_datetime(event["start"])
        end = dt_util.parse_datetime(event["end"])
        assert start is not None
        assert end is not None
        if start <= moment < end:
            return str(event["summary"])
    raise AssertionError(moment)


async def _enrol(hass: HomeAssistant, on: bool = True) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id(hass, "switch", f"{BITAXE_UID}_strategy_enrolled")},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.freeze_time(NOW)
async def test_events_are_what_the_strategy_does_slot_by_slot(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, DAY)
    await _enrol(hass)
    midnight = uk_midnight().astimezone(dt_util.UTC)
    events = await _events(hass, midnight, midnight + timedelta(days=2))
    assert [e["summary"] for e in events] == [
        "OFF >=20p",  # 02:00's lone cheap half hour is waited out
        "DGB 12-20p",
        "OFF >=20p",
        "DGB 7-12p",
        "BCH 4-7p",
        "BTC <4p",
        "OFF >=20p",
    ]
    # Not the raw price bands: 02:00 is priced in DGB 12-20p.
    assert _band_at(events, midnight + 4 * SLOT) == "OFF >=20p"
    eco = events[1]
    assert dt_util.parse_datetime(eco["start"]) == midnight + 10 * SLOT
    assert eco["description"].startswith("Price 15.00-15.00 p/kWh (mean 15.00)")
    assert f"Bitaxe: DGB on DGB pool {POOL_PORT}, eco mode" in eco["description"]
    watts = entry.runtime_data.coordinators[
        next(iter(entry.runtime_data.coordinators))
    ].power_watts
    assert watts
    cost = watts / 1000 * 3 * 15.0  # three hours at 15 p/kWh
    assert f"Estimated energy cost: {cost:.2f} p" in eco["description"]
    assert "Bitaxe: off" in events[0]["description"]
    assert events[0]["description"].endswith(
        "The strategy is off: this is what it would do."
    )
    assert "Estimated energy cost: 0.00 p" in events[0]["description"]
    # Slot by slot through the real strategy: its band is the calendar's.
    runner = entry.runtime_data.strategy
    assert runner is not None
    for index in range(1, len(DAY)):
        freezer.move_to(midnight + index * SLOT + timedelta(seconds=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert runner.decision is not None
        assert band_name(runner.decision.band, runner.prices.price_unit) == _band_at(
            events, midnight + index * SLOT
        ), index
    # Past periods stay on today's calendar as they were planned.
    later = await _events(hass, midnight, midnight + timedelta(days=2))
    assert [(e["summary"], e["start"], e["end"]) for e in later] == [
        (e["summary"], e["start"], e["end"]) for e in events
    ]
    # The calendar's state follows: the event in progress.
    state = hass.states.get(_calendar(hass))
    assert state is not None
    assert state.state == "on"
    assert state.attributes["message"] == "OFF >=20p"


@pytest.mark.freeze_time("2026-03-10 12:10:00+00:00")
async def test_tomorrow_appears_when_its_prices_arrive(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    await _hub(hass, setup_hub, axeos_sim, [15.0] * 48)
    today = uk_midnight().astimezone(dt_util.UTC)
    tomorrow = today + timedelta(days=1)
    events = await _events(hass, today, today + timedelta(days=2))
    assert [e["summary"] for e in events] == ["DGB 12-20p"]
    assert dt_util.parse_datetime(events[-1]["end"]) == tomorrow
    set_day(hass, [25.0] * 48, start=uk_midnight(days=1), entity_id=NEXT_DAY)
    await hass.async_block_till_done(wait_background_tasks=True)
    events = await _events(hass, today, today + timedelta(days=2))
    assert [e["summary"] for e in events] == ["DGB 12-20p", "OFF >=20p"]
    assert dt_util.parse_datetime(events[1]["start"]) == tomorrow
    assert dt_util.parse_datetime(events[1]["end"]) == tomorrow + timedelta(days=1)


@pytest.mark.freeze_time("2026-03-10 12:10:00+00:00")
async def test_recomputed_on_band_and_enrolment_changes(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, [15.0] * 48)
    runner = entry.runtime_data.strategy
    assert runner is not None
    today = uk_midnight().astimezone(dt_util.UTC)
    (event,) = await _events(hass, today, today + timedelta(days=1))
    assert "No miner is enrolled." in event["description"]
    await _enrol(hass)
    (event,) = await _events(hass, today, today + timedelta(days=1))
    assert "Bitaxe: DGB on" in event["description"]
    # The eco band now mines BCH at 15p: the calendar says so at once.
    await runner.async_save_bands(
        [
            replace(b, target_coin="BCH", bitaxe_mode="standard")
            if b.min_price == 12.0
            else b
            for b in runner.bands
        ],
        None,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    (event,) = await _events(hass, today, today + timedelta(days=1))
    assert event["summary"] == "BCH 12-20p"
    assert "Bitaxe: BCH on BCH pool" in event["description"]
    assert "standard mode" in event["description"]
    await _enrol(hass, on=False)
    (event,) = await _events(hass, today, today + timedelta(days=1))
    assert "No miner is enrolled." in event["description"]


@pytest.mark.freeze_time(NOW)
async def test_recomputed_when_the_hysteresis_option_changes(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    # A cheap hour and a half at 02:00: enough to leave OFF with hysteresis 2.
    entry = await _hub(
        hass, setup_hub, axeos_sim, [25.0] * 4 + [15.0] * 3 + [25.0] * 41
    )
    today = uk_midnight().astimezone(dt_util.UTC)
    events = await _events(hass, today, today + timedelta(days=1))
    assert [e["summary"] for e in events] == ["OFF >=20p", "DGB 12-20p", "OFF >=20p"]
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_HYSTERESIS_SLOTS: 4}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    events = await _events(hass, today, today + timedelta(days=1))
    assert [e["summary"] for e in events] == ["OFF >=20p"]


@pytest.mark.freeze_time("2026-03-29 00:10:00+00:00")
async def test_a_dst_day_has_23_hours_of_events(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    # Clocks go forward at 01:00 UTC: the UK day has 46 half hours.
    await _hub(hass, setup_hub, axeos_sim, [25.0] * 10 + [15.0] * 36)
    today = uk_midnight().astimezone(dt_util.UTC)
    events = await _events(hass, today, today + timedelta(days=2))
    assert [e["summary"] for e in events] == ["OFF >=20p", "DGB 12-20p"]
    assert events[1]["start"] == "2026-03-29T06:00:00+01:00"  # 10 slots from 00:00
    assert events[1]["end"] == "2026-03-30T00:00:00+01:00"
    end = dt_util.parse_datetime(events[1]["end"])
    assert end is not None
    assert end - today == timedelta(hours=23)
    assert dt_util.parse_datetime(events[0]["start"]) == today
    assert today.astimezone(UK).hour == 0


@pytest.mark.freeze_time("2026-03-10 12:10:00+00:00")
async def test_an_automation_triggers_at_a_band_period_start(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    # 15p until 14:00, then 25p (OFF).
    await _hub(hass, setup_hub, axeos_sim, [15.0] * 28 + [25.0] * 20)
    fired = async_capture_events(hass, "plan_band_started")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "triggers": {
                    "trigger": "calendar",
                    "event": "start",
                    "entity_id": _calendar(hass),
                },
                "actions": {
                    "event": "plan_band_started",
                    "event_data": {
                        "band": "{{ trigger.calendar_event.summary }}",
                        "start": "{{ trigger.calendar_event.start }}",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()
    start = uk_midnight().astimezone(dt_util.UTC) + 28 * SLOT
    moment = dt_util.utcnow()
    while moment < start + timedelta(minutes=5):
        moment += timedelta(minutes=5)
        freezer.move_to(moment)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert [e.data["band"] for e in fired] == ["OFF >=20p"]
    assert dt_util.parse_datetime(fired[0].data["start"]) == start


@pytest.mark.freeze_time("2026-10-24 23:10:00+00:00")  # 00:10 BST, 25 October
async def test_a_period_inside_the_repeated_hour_when_clocks_go_back(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    # 50 half hours; OFF for 01:30-02:00 BST only, then 01:00 GMT comes again.
    await _hub(hass, setup_hub, axeos_sim, [15.0] * 3 + [25.0] + [15.0] * 46)
    today = uk_midnight().astimezone(dt_util.UTC)
    events = await _events(hass, today, today + timedelta(days=1))
    assert [e["summary"] for e in events] == ["DGB 12-20p", "OFF >=20p", "DGB 12-20p"]
    off = events[1]
    assert off["start"] == "2026-10-25T01:30:00+01:00"
    # Home Assistant compares wall times: it ends at 01:30 GMT, not 01:00.
    assert off["end"] == "2026-10-25T01:30:00+00:00"
    assert events[2]["start"] == "2026-10-25T01:00:00+00:00"
    state = hass.states.get(_calendar(hass))
    assert state is not None
    assert state.attributes["message"] == "DGB 12-20p"
