"""Saving hub options applies them in place: no reload, no "became unavailable"."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager.const import (
    CONF_DB_URL,
    CONF_TELEMETRY_DAYS,
    DEFAULT_RETENTION,
)
from custom_components.home_miner_manager.db.models import Event as EventRow
from hmm_sim import AxeOSSimulator
from hmm_sim.crypto import CryptoPriceSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows
from .options_support import options_menu
from .prices_support import crypto_providers, crypto_sensors
from .strategy_support import entity_options, flat_day, set_day
from .test_alerts_rules import _rule

NOW = "2026-03-10 12:10:00+00:00"
OTHER_DAY = (
    "event.octopus_energy_electricity_99a9999999_9999999999999_current_day_rates"
)


@pytest.fixture
async def crypto(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[CryptoPriceSimulator]:
    """The fake coin price providers as the hub's base URLs."""
    async with crypto_providers(monkeypatch) as sim:
        yield sim


async def _save(
    hass: HomeAssistant, entry: MockConfigEntry, step: str, user_input: dict[str, Any]
) -> None:
    result = await options_menu(hass, entry, step)
    assert result["type"] is FlowResultType.FORM, result
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    await hass.async_block_till_done(wait_background_tasks=True)


async def _choose_other_day(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Save OTHER_DAY as the price source, then publish its prices (12 p)."""
    await _save(
        hass,
        entry,
        "prices",
        {"price_source": "octopus_entity", "price_entity": OTHER_DAY, "region": "C"},
    )
    set_day(hass, flat_day(12.0), entity_id=OTHER_DAY)
    await hass.async_block_till_done(wait_background_tasks=True)


def _unavailable_log(hass: HomeAssistant) -> list[str]:
    """Entity ids that turn unavailable from now on."""
    seen: list[str] = []

    def _changed(event: Event[Any]) -> None:
        new = event.data["new_state"]
        if new is not None and new.state == STATE_UNAVAILABLE:
            seen.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_CHANGED, _changed)
    return seen


@pytest.mark.freeze_time(NOW)
async def test_saving_options_keeps_everything_running(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    crypto: CryptoPriceSimulator,
) -> None:
    """Each options step saved: same runtime, no entity ever unavailable."""
    set_day(hass, flat_day(10.0))
    set_day(hass, flat_day(12.0), entity_id=OTHER_DAY)
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)],
        options=entity_options(),
    )
    hub = entry.runtime_data
    coordinator = next(iter(hub.coordinators.values()))
    prices = hub.prices
    assert prices is not None
    assert hass.states.get("sensor.desk_hashrate").state != STATE_UNAVAILABLE
    unavailable = _unavailable_log(hass)

    # The first save of a step writes defaults that were absent: no change.
    await _save(
        hass,
        entry,
        "strategy",
        {"hysteresis_slots": 3, "when_price_unknown": "hold", "crypto_prices": False},
    )
    await _save(
        hass,
        entry,
        "database",
        {
            **DEFAULT_RETENTION,
            CONF_DB_URL: entry.data[CONF_DB_URL],
            CONF_TELEMETRY_DAYS: 5,
        },
    )
    await _save(hass, entry, "pools", {"pool_check_minutes": 7})
    # Another price entity: the same price manager follows it.
    await _save(
        hass,
        entry,
        "prices",
        {"price_source": "octopus_entity", "price_entity": OTHER_DAY, "region": "C"},
    )
    assert prices.entity_id == OTHER_DAY
    current = prices.current()
    assert current is not None
    assert current.price_pence == 12.0
    # Coin prices on, then off again: their sensors come and go.
    await _save(
        hass,
        entry,
        "strategy",
        {"hysteresis_slots": 3, "when_price_unknown": "hold", "crypto_prices": True},
    )
    assert hub.crypto.enabled
    coin_sensors = crypto_sensors(hass)
    assert len(coin_sensors) == 4
    assert all(hass.states.get(e) is not None for e in coin_sensors)
    await _save(
        hass,
        entry,
        "strategy",
        {"hysteresis_slots": 3, "when_price_unknown": "hold", "crypto_prices": False},
    )
    assert not hub.crypto.enabled
    assert crypto_sensors(hass) == []

    # Never reloaded: the same runtime, coordinator and price manager.
    assert entry.runtime_data is hub
    assert hub.coordinators[coordinator.subentry.subentry_id] is coordinator
    assert hub.prices is prices
    assert entry.options["telemetry_days"] == 5
    assert entry.options["hysteresis_slots"] == 3
    # (Coin sensors are unavailable without a pool mining their coin.)
    assert [e for e in unavailable if e not in coin_sensors] == []
    assert any(e.startswith("sensor.desk_") for e in hass.states.async_entity_ids())


def _unique_ids(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    registry = er.async_get(hass)
    return {
        str(reg.unique_id): reg.entity_id
        for reg in er.async_entries_for_config_entry(registry, entry.entry_id)
    }


@pytest.mark.freeze_time(NOW)
async def test_first_price_source_starts_the_strategy_in_place(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """The strategy's entities join the running hub; the miners never blink."""
    set_day(hass, flat_day(10.0))
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    hub = entry.runtime_data
    assert not hub.prices.configured
    before = _unique_ids(hass, entry)
    unavailable = _unavailable_log(hass)
    await _choose_other_day(hass, entry)
    assert entry.runtime_data is hub  # not reloaded
    assert hub.prices.configured
    added = {
        uid: eid for uid, eid in _unique_ids(hass, entry).items() if uid not in before
    }
    suffixes = sorted(
        uid.rsplit("_", 2)[-2] + "_" + uid.rsplit("_", 1)[-1] for uid in added
    )
    # Hub: strategy switch, band sensors, price and cost sensors; the miner:
    # its enrolment switch and cost sensors.
    assert "agile_strategy" in suffixes
    assert "strategy_enrolled" in suffixes
    assert suffixes.count("cost_today") == 2
    assert "price_band" in suffixes
    assert "strategy_plan" in suffixes  # the plan calendar
    assert "strategy_reason" in suffixes
    for entity_id in added.values():
        assert hass.states.get(entity_id) is not None, entity_id
    miner_device = {
        reg.entity_id
        for reg in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if reg.config_subentry_id is not None
    }
    assert [e for e in unavailable if e in miner_device] == []
    # The strategy switch answers from the new runner (off, available).
    switch = added[next(uid for uid in added if uid.endswith("_agile_strategy"))]
    state = hass.states.get(switch)
    assert state is not None
    assert state.state == "off"


@pytest.mark.freeze_time(NOW)
async def test_first_price_source_wakes_the_price_rules(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    """A price rule runs when the first price source arrives, not a minute later."""
    set_day(hass, flat_day(10.0))
    entry = await setup_hub(
        [
            _rule(
                "Cheap",
                "price_threshold",
                {"condition": "below", "threshold": 20},
                "log_event",
                {"message": "cheap"},
            )
        ]
    )
    assert not entry.runtime_data.prices.configured
    await _choose_other_day(hass, entry)
    # The clock stands still: only the new prices can have run the rule.
    events = [
        e for e in await rows(hass, entry, EventRow) if e.event_type == "rule_event"
    ]
    assert [e.message for e in events] == ["cheap"]
