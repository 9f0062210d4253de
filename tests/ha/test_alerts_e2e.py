"""Alerts end to end: simulators, the minute evaluation, events, HA events, Discord."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import dataclasses
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import (
    AlertConfig,
    AuditLog,
    Event as EventRow,
    NotificationConfig,
    NotificationLog,
)
from custom_components.home_miner_manager.monitor.alerts import EVENT_ALERT
from custom_components.home_miner_manager.pool.best_shares import EVENT_BLOCK_FOUND
from hmm_sim import AxeOSSimulator
from hmm_sim.faults import Fault
from hmm_sim.notify_servers import FakeDiscordServer

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows
from .options_support import alert_type_form

WEBHOOK_TOKEN = "whsec-secret-token-77"


@pytest.fixture
async def discord(socket_enabled: None) -> AsyncGenerator[FakeDiscordServer]:
    """A fake Discord webhook server."""
    async with FakeDiscordServer() as server:
        yield server


async def _hub(
    hass: HomeAssistant, setup_hub: HubFactory, sim: AxeOSSimulator, discord: Any
) -> MockConfigEntry:
    entry = await setup_hub(
        [miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)]
    )
    if discord is not None:
        entry.runtime_data.database.queue_insert(
            NotificationConfig,
            channel_type="discord",
            enabled=True,
            config={
                "name": "Den",
                "webhook_url": discord.webhook_url("42", WEBHOOK_TOKEN),
            },
        )
        await entry.runtime_data.database.async_flush()
        await entry.runtime_data.notifier.async_load()
    return entry


async def _advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float
) -> None:
    """Let time pass in 30 s steps (every poll and every evaluation runs)."""
    for _ in range(int(minutes * 2)):
        freezer.tick(timedelta(seconds=30))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


def _alerts(hass: HomeAssistant) -> list[dict[str, Any]]:
    fired: list[dict[str, Any]] = []

    def _listen(event: Event) -> None:
        fired.append(dict(event.data))

    hass.bus.async_listen(EVENT_ALERT, _listen)
    return fired


async def test_alert_config_seeded_once(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, None)
    seeded = await rows(hass, entry, AlertConfig)
    assert {row.alert_type for row in seeded} == {
        "miner_offline",
        "high_temperature",
        "high_reject_rate",
        "low_hashrate",
        "pool_failure",
        "block_found",
        "strategy_error",
    }
    offline = next(row for row in seeded if row.alert_type == "miner_offline")
    assert offline.config is not None
    assert offline.config["timeout_minutes"] == 5
    assert offline.config["cooldown_minutes"] == 60
    assert await hass.config_entries.async_reload(entry.entry_id)
    assert len(await rows(hass, entry, AlertConfig)) == 7


async def test_offline_alert_cooldown_and_cleared(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    discord: FakeDiscordServer,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, discord)
    fired = _alerts(hass)
    await _advance(hass, freezer, 3)
    assert fired == []

    await axeos_sim.set_fault(Fault.HTTP_500)
    await _advance(hass, freezer, 4)
    assert fired == []  # under the 5 min timeout
    await _advance(hass, freezer, 3)
    assert [(a["type"], a["state"]) for a in fired] == [("miner_offline", "fired")]
    device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    assert fired[0]["device_id"] == device.id
    assert fired[0]["miner"] == "Bitaxe"
    assert "Bitaxe" in fired[0]["message"]

    await axeos_sim.clear_fault()
    await _advance(hass, freezer, 2)
    assert [(a["type"], a["state"]) for a in fired][1:] == [
        ("miner_offline", "cleared")
    ]

    # Down again within the hour: the cooldown holds the second alert back.
    await axeos_sim.set_fault(Fault.HTTP_500)
    await _advance(hass, freezer, 10)
    assert len(fired) == 2
    # ...until the cooldown is over (60 min after the first alert).
    await _advance(hass, freezer, 50)
    assert [(a["type"], a["state"]) for a in fired][2:] == [("miner_offline", "fired")]

    events = await rows(hass, entry, EventRow)
    kinds = [(e.event_type, (e.data or {}).get("alert_type")) for e in events]
    assert kinds.count(("alert", "miner_offline")) == 2
    assert kinds.count(("alert_cleared", "miner_offline")) == 1
    # Every alert reached Discord, and every attempt was logged.
    assert len(discord.requests) == 3
    log = await rows(hass, entry, NotificationLog)
    assert [(r.channel_type, r.alert_type, r.success) for r in log] == [
        ("discord", "miner_offline", True)
    ] * 3
    assert all(WEBHOOK_TOKEN not in (r.message + (r.error or "")) for r in log)


async def test_cooldown_survives_a_restart(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, None)
    fired = _alerts(hass)
    await axeos_sim.set_fault(Fault.HTTP_500)
    await _advance(hass, freezer, 7)
    assert len(fired) == 1
    await axeos_sim.clear_fault()
    await _advance(hass, freezer, 2)
    assert len(fired) == 2  # cleared
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await axeos_sim.set_fault(Fault.HTTP_500)
    await _advance(hass, freezer, 10)
    assert len(fired) == 2  # still cooling down after the reload


async def test_overheat_fired_and_cleared(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _hub(hass, setup_hub, axeos_sim, None)
    fired = _alerts(hass)
    cool = axeos_sim.device.profile
    axeos_sim.device.profile = dataclasses.replace(cool, temp_at_default=80.0)
    await _advance(hass, freezer, 2)
    assert [(a["type"], a["state"]) for a in fired] == [("high_temperature", "fired")]
    assert fired[0]["data"]["limit_celsius"] == 70
    axeos_sim.device.profile = cool
    await _advance(hass, freezer, 2)
    assert [(a["type"], a["state"]) for a in fired][1:] == [
        ("high_temperature", "cleared")
    ]


async def test_reject_spike(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await _hub(hass, setup_hub, axeos_sim, None)
    fired = _alerts(hass)
    await _advance(hass, freezer, 1)
    axeos_sim.device.counters.rejected += 40
    axeos_sim.device.counters.accepted += 60
    await _advance(hass, freezer, 2)
    assert ("high_reject_rate", "fired") in [(a["type"], a["state"]) for a in fired]


async def test_block_found_alert(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    discord: FakeDiscordServer,
) -> None:
    entry = await _hub(hass, setup_hub, axeos_sim, discord)
    fired = _alerts(hass)
    hass.bus.async_fire(
        EVENT_BLOCK_FOUND,
        {
            "miner": "Bitaxe",
            "coin": "BTC",
            "pool": "Solo",
            "difficulty": 2e14,
            "network_difficulty": 1e14,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(a["type"], a["state"]) for a in fired] == [("block_found", "fired")]
    assert len(discord.requests) == 1
    (log,) = await rows(hass, entry, NotificationLog)
    assert log.alert_type == "block_found"
    assert log.success


async def test_alert_settings_from_the_options(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    discord: FakeDiscordServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A shorter offline timeout and no channels: alert sooner, nothing sent."""
    entry = await _hub(hass, setup_hub, axeos_sim, discord)
    fired = _alerts(hass)
    flow = await alert_type_form(hass, entry, "miner_offline")
    assert flow["step_id"] == "alert_type"
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "enabled": True,
            "cooldown_minutes": 30,
            "channels": [],
            "timeout_minutes": 2,
        },
    )
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    row = next(
        r
        for r in await rows(hass, entry, AlertConfig)
        if r.alert_type == "miner_offline"
    )
    assert row.config is not None
    assert (row.config["timeout_minutes"], row.config["channels"]) == (2, [])
    audit = [
        a
        for a in await rows(hass, entry, AuditLog)
        if a.resource_type == "alert_config"
    ]
    assert audit[0].changes["timeout_minutes"] == {"old": 5, "new": 2}  # type: ignore[index]

    await axeos_sim.set_fault(Fault.HTTP_500)
    await _advance(hass, freezer, 3.5)
    assert [(a["type"], a["state"]) for a in fired] == [("miner_offline", "fired")]
    await hass.async_block_till_done(wait_background_tasks=True)
    assert discord.requests == []


async def test_cooldown_read_from_storage_at_start(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """After a Home Assistant restart the stored cooldown still holds."""
    fired_at = (dt_util.utcnow() - timedelta(minutes=5)).replace(tzinfo=None)
    hass_storage[f"{DOMAIN}.alerts.01HMMHUBENTRY0000000000000"] = {
        "version": 1,
        "key": f"{DOMAIN}.alerts.01HMMHUBENTRY0000000000000",
        "data": {
            "1": {
                "miner_offline": {
                    "active": False,
                    "notified": False,
                    "since": fired_at.isoformat(),
                    "last_fired": fired_at.isoformat(),
                }
            }
        },
    }
    entry = await _hub(hass, setup_hub, axeos_sim, None)
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert coordinator.miner_id == 1
    fired = _alerts(hass)
    await axeos_sim.set_fault(Fault.HTTP_500)
    await _advance(hass, freezer, 10)
    assert fired == []
    await _advance(hass, freezer, 50)
    assert [(a["type"], a["state"]) for a in fired] == [("miner_offline", "fired")]
