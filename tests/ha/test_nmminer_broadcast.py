"""NMMiner followed through its UDP broadcasts (no HTTP API)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.const import SUBENTRY_MINER
from custom_components.home_miner_manager.db.models import Telemetry
from hmm_sim import UdpBroadcaster

from .conftest import HubFactory, rows


async def _send(listener: Any, sender: UdpBroadcaster) -> dict[str, Any]:
    """Send one datagram and wait until the listener got it.

    (No sleeping: the ``freezer`` fixture stops the event loop's clock.)
    """
    arrived = asyncio.Event()
    unsubscribe = listener.subscribe("127.0.0.1", lambda _snapshot: arrived.set())
    try:
        sent = sender.send_now()
        await arrived.wait()
    finally:
        unsubscribe()
    return sent


def _broadcast_subentry() -> ConfigSubentryData:
    return ConfigSubentryData(
        data={
            "name": "Lotto",
            "miner_type": "nmminer",
            "host": "127.0.0.1",
            "scan_interval": 30,
            "enabled": True,
            "udp_broadcast": True,
        },
        subentry_type=SUBENTRY_MINER,
        title="Lotto",
        unique_id=None,
    )


async def test_broadcast_feeds_coordinator_and_watchdog(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    udp_port: int,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
    freezer: FrozenDateTimeFactory,
) -> None:
    monkeypatch.setattr(const, "NMMINER_LISTEN_PORT", udp_port)
    entry = await setup_hub([_broadcast_subentry()])
    hub = entry.runtime_data
    assert hub.nmminer_listener is not None
    (coordinator,) = hub.coordinators.values()
    assert coordinator.update_interval is None  # pushed, never polled
    assert not coordinator.available  # nothing heard yet

    sent = await _send(hub.nmminer_listener, nmminer_udp_sender)
    assert coordinator.last_update_success
    assert coordinator.data.miner_type == "nmminer"
    assert sent
    (row,) = await rows(hass, entry, Telemetry)
    assert row.miner_id == coordinator.miner_id

    # Silence for longer than the watchdog allows: unavailable.
    freezer.tick(timedelta(minutes=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not coordinator.last_update_success

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert hub.nmminer_listener is None


async def test_flow_detects_broadcast_only_nmminer(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    udp_port: int,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(const, "NMMINER_LISTEN_PORT", udp_port)
    monkeypatch.setattr(const, "NMMINER_DISCOVERY_WAIT_S", 3.0)
    entry = await setup_hub()
    assert entry.runtime_data.nmminer_listener is not None  # always, for discovery
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    # Nothing answers on HTTP (port 9), but the hub has just heard its broadcast.
    await _send(entry.runtime_data.nmminer_listener, nmminer_udp_sender)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Lotto",
            "miner_type": "nmminer",
            "host": "127.0.0.1",
            "port": 9,
            "scan_interval": 30,
        },
    )
    assert result["step_id"] == "power", result.get(
        "errors"
    )  # an NMMiner reports no power
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert subentry.data["udp_broadcast"] is True
    assert entry.runtime_data.nmminer_listener is not None


async def test_broadcast_recovers(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    udp_port: int,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(const, "NMMINER_LISTEN_PORT", udp_port)
    entry = await setup_hub([_broadcast_subentry()])
    (coordinator,) = entry.runtime_data.coordinators.values()

    async def _datagram() -> None:
        await _send(entry.runtime_data.nmminer_listener, nmminer_udp_sender)

    await _datagram()
    freezer.tick(timedelta(minutes=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert not coordinator.last_update_success
    await _datagram()
    assert coordinator.last_update_success
    messages = [r.getMessage() for r in caplog.records]
    assert sum("marking it unavailable" in m for m in messages) == 1
    assert sum("resumed" in m for m in messages) == 1


async def test_broadcasts_recorded_once_per_interval(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    udp_port: int,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An NMMiner broadcasts every few seconds: one row per scan interval.

    The second datagram within the interval updates the entities but is not
    stored; one just past the interval is; the next again is not.
    """
    monkeypatch.setattr(const, "NMMINER_LISTEN_PORT", udp_port)
    entry = await setup_hub([_broadcast_subentry()])  # scan_interval 30 s
    (coordinator,) = entry.runtime_data.coordinators.values()
    listener = entry.runtime_data.nmminer_listener

    await _send(listener, nmminer_udp_sender)
    assert len(await rows(hass, entry, Telemetry)) == 1
    first = coordinator.data

    freezer.tick(timedelta(seconds=5))
    await _send(listener, nmminer_udp_sender)
    assert len(await rows(hass, entry, Telemetry)) == 1  # within the interval
    assert coordinator.data is not first  # but the entities got it

    freezer.tick(timedelta(seconds=24))  # 29 s after the stored one
    await _send(listener, nmminer_udp_sender)
    assert len(await rows(hass, entry, Telemetry)) == 1

    freezer.tick(timedelta(seconds=2))  # 31 s: past the interval
    await _send(listener, nmminer_udp_sender)
    assert len(await rows(hass, entry, Telemetry)) == 2

    freezer.tick(timedelta(seconds=3))
    await _send(listener, nmminer_udp_sender)
    assert len(await rows(hass, entry, Telemetry)) == 2
