"""Hub setup, polling, unavailability, removal and shutdown through the real core."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import logging
import socket
import threading
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import AuditLog, Miner, Telemetry
from custom_components.home_miner_manager.miner.commands import (
    async_set_polling_enabled,
)
from hmm_sim import AxeOSSimulator, CgminerSimulator
from hmm_sim.base import Simulator
from tests.plugins.simulators import FAST, wait_until

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows


def _db_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("hmm_db")]


def _sensor_states(hass: HomeAssistant, entry_id: str, subentry_id: str) -> list[str]:
    registry = er.async_get(hass)
    states = []
    for entity in er.async_entries_for_config_entry(registry, entry_id):
        if (
            entity.config_subentry_id == subentry_id
            and entity.domain == "sensor"
            # Always available: the status, and bests stored in the database.
            and not entity.unique_id.endswith(("_status", "_best_share_ever"))
        ):
            state = hass.states.get(entity.entity_id)
            if state is not None:
                states.append(state.state)
    return states


async def _poll(hass: HomeAssistant, seconds: int = 31) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    # Coordinator refreshes run as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_setup_polls_and_records(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub(
        [
            miner_subentry(
                axeos_sim, "bitaxe", unique_id=BITAXE_UID, manual_power_watts=5
            )
        ]
    )
    hub = entry.runtime_data
    (coordinator,) = hub.coordinators.values()
    assert coordinator.last_update_success
    # The Miner row is brought up to date by a background task.
    await hass.async_block_till_done(wait_background_tasks=True)
    served = axeos_sim.served["/api/system/info"]
    assert coordinator.data.hashrate == served["hashRate"]
    (miner,) = await rows(hass, entry, Miner)
    assert miner.id == coordinator.miner_id
    assert miner.ip_address == "127.0.0.1"
    assert miner.firmware_version == coordinator.data.firmware_version
    (telemetry,) = await rows(hass, entry, Telemetry)
    assert telemetry.miner_id == miner.id
    assert telemetry.hashrate == served["hashRate"]
    assert telemetry.hashrate_unit == coordinator.data.hashrate_unit
    # The device reports power, so the manual estimate is not used.
    assert telemetry.power_watts == pytest.approx(served["power"])
    assert telemetry.shares_accepted == served["sharesAccepted"]
    assert telemetry.temperature == pytest.approx(served["temp"])
    assert telemetry.data is not None
    assert telemetry.data["firmware_version"] == coordinator.data.firmware_version
    assert _db_threads()

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert _db_threads() == []


async def test_reload_leaves_one_writer(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert _db_threads().count("hmm_db_writer") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert _db_threads() == []


async def test_final_write_closes_database(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.runtime_data.closed
    assert _db_threads() == []
    # Unloading afterwards does not close twice or fail.
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_offline_miner_does_not_block_others(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    offline = miner_subentry(axeos_sim, "bitaxe", title="Offline", port=closed_port)
    online = miner_subentry(axeos_sim, "bitaxe", title="Online", unique_id=BITAXE_UID)
    entry = await setup_hub([offline, online])
    by_title = {c.subentry.title: c for c in entry.runtime_data.coordinators.values()}
    assert by_title["Online"].last_update_success
    assert not by_title["Offline"].last_update_success
    offline_id = by_title["Offline"].subentry.subentry_id
    assert set(_sensor_states(hass, entry.entry_id, offline_id)) <= {STATE_UNAVAILABLE}
    # The status sensor stays available and says why.
    status = hass.states.get("sensor.offline_status")
    assert status is not None
    assert status.state == "unreachable"
    assert status.attributes["reason"] == "cannot_connect"
    assert hass.states.get("sensor.online_status").state == "mining"  # type: ignore[union-attr]
    await hass.async_block_till_done(wait_background_tasks=True)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()
    not_mining = hass.states.get("sensor.home_miner_manager_miners_not_mining")
    assert not_mining is not None
    assert not_mining.state == "1"
    assert not_mining.attributes["unreachable"] == ["Offline"]
    online_states = _sensor_states(
        hass, entry.entry_id, by_title["Online"].subentry.subentry_id
    )
    assert online_states
    assert STATE_UNAVAILABLE not in online_states


async def test_setup_does_not_wait_for_a_silent_miner(
    hass: HomeAssistant, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A miner that accepts but never answers (off at its plug mid-boot, say)
    leaves the hub loaded at once; its first poll goes on in the background."""
    async with (
        AxeOSSimulator("bitaxe_v2_15", **FAST) as silent,
        AxeOSSimulator("bitaxe_v2_15", **FAST) as online,
    ):
        await silent.set_fault("timeout")
        entry = MockConfigEntry(
            domain=DOMAIN,
            data={"db_url": db_url},
            subentries_data=[
                miner_subentry(silent, "bitaxe", title="Silent"),
                miner_subentry(online, "bitaxe", title="Online", unique_id=BITAXE_UID),
            ],
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        # Set-up returned while the silent miner's request is still open.
        assert entry.state is ConfigEntryState.LOADED
        by_title = {c.name: c for c in entry.runtime_data.coordinators.values()}
        assert by_title["Silent"].data is None
        await hass.async_block_till_done()
        assert hass.states.get("sensor.silent_status").state == "connecting"  # type: ignore[union-attr]
        assert hass.states.get("sensor.silent_hashrate").state == STATE_UNAVAILABLE  # type: ignore[union-attr]
        await wait_until(lambda: by_title["Online"].data is not None)
        # Its request went out and is still unanswered.
        assert silent.requests >= 1
        assert by_title["Silent"].data is None
        assert "ERROR" not in {r.levelname for r in caplog.records}
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_off_by_strategy_is_expected_and_quiet(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A miner switched off on purpose: slow polls, no log lines, its own status."""
    entry = await setup_hub([miner_subentry(avalon_sim, "avalon_nano", title="Nano")])
    (coordinator,) = entry.runtime_data.coordinators.values()
    coordinator.async_set_expected_offline(True)
    assert coordinator.update_interval == timedelta(minutes=5)
    caplog.clear()
    await avalon_sim.set_fault("refused")  # its plug is off
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.nano_status").state == "off_by_strategy"  # type: ignore[union-attr]
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]
    # Back on: polled at its own interval again, and it is simply back.
    await avalon_sim.clear_fault()
    coordinator.async_set_expected_offline(False)
    assert coordinator.update_interval == timedelta(seconds=30)
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.nano_status").state == "mining"  # type: ignore[union-attr]
    # A failure while not expected offline is logged again (once, at INFO).
    caplog.clear()
    await avalon_sim.set_fault("refused")
    await coordinator.async_refresh()
    assert [
        r.levelno for r in caplog.records if "Error fetching" in r.getMessage()
    ] == [logging.INFO]


async def test_unavailable_and_recovery(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_hub([miner_subentry(avalon_sim, "avalon_nano")])
    (coordinator,) = entry.runtime_data.coordinators.values()
    subentry_id = coordinator.subentry.subentry_id
    assert coordinator.last_update_success
    before = len(await rows(hass, entry, Telemetry))
    caplog.clear()

    await avalon_sim.set_fault("refused")
    await _poll(hass)
    await _poll(hass)
    assert not coordinator.last_update_success
    states = _sensor_states(hass, entry.entry_id, subentry_id)
    assert states
    assert set(states) == {STATE_UNAVAILABLE}
    down = [r for r in caplog.records if "Error fetching" in r.getMessage()]
    assert len(down) == 1  # logged once, not per poll
    assert down[0].levelno == logging.INFO
    assert "Traceback" not in caplog.text
    assert len(await rows(hass, entry, Telemetry)) == before  # no row for failures

    await avalon_sim.clear_fault()
    await _poll(hass)
    assert coordinator.last_update_success
    assert STATE_UNAVAILABLE not in _sensor_states(hass, entry.entry_id, subentry_id)
    back = [
        r
        for r in caplog.records
        if "recovered" in r.getMessage() and r.levelno == logging.INFO
    ]
    assert len(back) == 1
    assert len(await rows(hass, entry, Telemetry)) == before + 1


async def test_disabled_miner_is_not_polled(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID, enabled=False)]
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert not coordinator.polling_enabled
    assert coordinator.update_interval is None
    requests = axeos_sim.requests
    await _poll(hass, 120)
    assert axeos_sim.requests == requests
    assert await rows(hass, entry, Telemetry) == []


async def test_polling_toggle_persists_and_audits(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_admin_user: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    (coordinator,) = entry.runtime_data.coordinators.values()
    subentry_id = coordinator.subentry.subentry_id
    await async_set_polling_enabled(
        coordinator,
        False,
        user_id=hass_admin_user.id,  # type: ignore[attr-defined]
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    # Paused is not down: values unavailable, the status says why.
    assert set(_sensor_states(hass, entry.entry_id, subentry_id)) == {STATE_UNAVAILABLE}
    assert hass.states.get("sensor.miner_status").state == "polling_paused"  # type: ignore[union-attr]
    # Same coordinator (no rebuild), persisted in the subentry and Miner row.
    assert (
        entry.runtime_data.coordinators[coordinator.subentry.subentry_id] is coordinator
    )
    assert coordinator.subentry.data["enabled"] is False
    requests = axeos_sim.requests
    await _poll(hass, 120)
    assert axeos_sim.requests == requests
    (miner,) = await rows(hass, entry, Miner)
    assert miner.enabled is False

    caplog.clear()
    await async_set_polling_enabled(coordinator, True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert coordinator.last_update_success
    assert axeos_sim.requests > requests
    assert hass.states.get("sensor.miner_status").state == "mining"  # type: ignore[union-attr]
    assert STATE_UNAVAILABLE not in _sensor_states(hass, entry.entry_id, subentry_id)
    # Resuming a paused miner is not a recovery from a failure.
    assert "recovered" not in caplog.text

    # A second pause and resume behave the same.
    await async_set_polling_enabled(coordinator, False)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.miner_status").state == "polling_paused"  # type: ignore[union-attr]
    await async_set_polling_enabled(coordinator, True)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.miner_status").state == "mining"  # type: ignore[union-attr]
    assert "recovered" not in caplog.text
    audit = [(a.action, a.user) for a in await rows(hass, entry, AuditLog)]
    assert audit == [
        ("miner_disabled", hass_admin_user.name),  # type: ignore[attr-defined]
        ("miner_enabled", "system"),
        ("miner_disabled", "system"),
        ("miner_enabled", "system"),
    ]


async def test_remove_miner_keeps_history(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    (subentry_id,) = entry.subentries
    coordinator = entry.runtime_data.coordinators[subentry_id]
    assert device_registry.async_get_device(
        identifiers={("home_miner_manager", BITAXE_UID)}
    )
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert subentry_id not in entry.runtime_data.coordinators
    assert entry.state is ConfigEntryState.LOADED
    assert not device_registry.async_get_device(
        identifiers={("home_miner_manager", BITAXE_UID)}
    )
    # Only the miner's device went: the hub's own device stays.
    (hub_device,) = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert hub_device.identifiers == {("home_miner_manager", entry.entry_id)}
    (miner,) = await rows(hass, entry, Miner)
    assert miner.id == coordinator.miner_id
    assert miner.enabled is False
    assert await rows(hass, entry, Telemetry)  # history kept
    assert [a.action for a in await rows(hass, entry, AuditLog)] == ["miner_removed"]
    requests = axeos_sim.requests
    await _poll(hass)
    assert axeos_sim.requests == requests


async def test_nightly_maintenance_purges(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: Simulator
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)],
        options={"telemetry_days": 1},
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    old = dt_util.utcnow() - timedelta(days=5)
    entry.runtime_data.database.queue_telemetry(coordinator.miner_id, old, hashrate=1.0)
    assert len(await rows(hass, entry, Telemetry)) == 2
    now = dt_util.now()
    next_run = (now + timedelta(days=1)).replace(hour=4, minute=12, second=0)
    async_fire_time_changed(hass, next_run)
    await hass.async_block_till_done(wait_background_tasks=True)
    remaining = await rows(hass, entry, Telemetry)
    assert all(row.hashrate != 1.0 for row in remaining)


async def test_network_range_raises_repair_issue(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    (subentry_id,) = entry.subentries
    issue_id = f"miner_auth_{subentry_id}"
    await axeos_sim.set_fault("network_range")
    await _poll(hass)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "network_range"
    assert issue.translation_placeholders == {"name": "Miner", "host": "127.0.0.1"}
    await axeos_sim.clear_fault()
    await _poll(hass)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


# -- the hub-wide bound on polls in flight ---------------------------------------------


async def _hold_every_slot(hub: Any) -> int:
    """Take every poll slot (as other miners' slow polls would)."""
    held = 0
    while not hub.poll_slots.locked():
        await hub.poll_slots.acquire()
        held += 1
    return held


async def test_poll_waits_for_a_slot(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """With every slot taken a poll waits, then runs once one is free."""
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    hub = entry.runtime_data
    (coordinator,) = hub.coordinators.values()
    held = await _hold_every_slot(hub)
    assert held == const.MAX_CONCURRENT_POLLS
    requests = axeos_sim.requests
    task = hass.async_create_task(coordinator.async_refresh())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    assert axeos_sim.requests == requests  # still waiting for a slot
    hub.poll_slots.release()
    await task
    assert axeos_sim.requests > requests
    assert coordinator.last_update_success
    for _ in range(held - 1):
        hub.poll_slots.release()


@pytest.mark.parametrize("stop", ["shutdown", "polling_off"])
async def test_stopped_miner_gives_up_its_wait(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    caplog: pytest.LogCaptureFixture,
    stop: str,
) -> None:
    """A poll still waiting when its miner stops never reaches the miner."""
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    hub = entry.runtime_data
    (coordinator,) = hub.coordinators.values()
    telemetry = len(await rows(hass, entry, Telemetry))
    held = await _hold_every_slot(hub)
    task = hass.async_create_task(coordinator.async_refresh())
    for _ in range(20):
        await asyncio.sleep(0)
    if stop == "shutdown":
        await coordinator.async_shutdown()
    else:
        await async_set_polling_enabled(coordinator, False)
    requests = axeos_sim.requests
    for _ in range(held):
        hub.poll_slots.release()
    await task
    assert axeos_sim.requests == requests
    assert not coordinator.last_update_success
    assert len(await rows(hass, entry, Telemetry)) == telemetry
    assert "Unexpected error" not in caplog.text
    # Unloading is not held up either.
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED


async def test_unload_while_polls_wait_for_slots(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One slot, two silent miners due at once: unloading still completes."""
    monkeypatch.setattr(const, "MAX_CONCURRENT_POLLS", 1)
    async with AxeOSSimulator("bitaxe_v2_9", **FAST) as other:
        entry = await setup_hub(
            [
                miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID),
                miner_subentry(other, "bitaxe", title="Other", unique_id="other"),
            ]
        )
        hub = entry.runtime_data
        await axeos_sim.set_fault("timeout")
        await other.set_fault("timeout")
        before = axeos_sim.requests + other.requests
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
        # One poll hangs in the only slot; the other waits behind it.
        await wait_until(lambda: axeos_sim.requests + other.requests > before)
        assert hub.poll_slots.locked()
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert entry.state is ConfigEntryState.NOT_LOADED
        assert axeos_sim.requests + other.requests == before + 1
        assert "Unexpected error" not in caplog.text
