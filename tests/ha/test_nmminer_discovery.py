"""NMMiners heard on UDP are offered for adding (integration discovery)."""

from __future__ import annotations

import asyncio
import logging
import socket
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_INTEGRATION_DISCOVERY,
    SOURCE_USER,
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryData,
)
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.const import DOMAIN, SUBENTRY_MINER
from custom_components.home_miner_manager.db.models import AuditLog
from custom_components.home_miner_manager.miner import nmminer_discovery
from hmm_sim import NMMinerSimulator, UdpBroadcaster
from tests.plugins.simulators import FAST

from .conftest import HubFactory, miner_subentry, rows


@pytest.fixture(autouse=True)
def _listen_on(udp_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub listens where the simulated NMMiner sends."""
    monkeypatch.setattr(const, "NMMINER_LISTEN_PORT", udp_port)


async def _hear(hass: HomeAssistant, entry: MockConfigEntry, sender: Any) -> None:
    """Send one datagram; wait until the hub got it and any flow it started ran."""
    listener = entry.runtime_data.nmminer_listener
    arrived = asyncio.Event()
    unsubscribe = listener.subscribe(sender.ip, lambda _snapshot: arrived.set())
    try:
        sender.send_now()
        await arrived.wait()
    finally:
        unsubscribe()
    await hass.async_block_till_done(wait_background_tasks=True)


def _as_subentry(data: ConfigSubentryData) -> ConfigSubentry:
    return ConfigSubentry(
        data=MappingProxyType(dict(data["data"])),
        subentry_type=data["subentry_type"],
        title=data["title"],
        unique_id=data["unique_id"],
    )


def _listening(entry: MockConfigEntry) -> bool:
    return entry.runtime_data.nmminer_listener is not None


def _offers(hass: HomeAssistant) -> list[Any]:
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_INTEGRATION_DISCOVERY
    ]


async def test_broadcast_only_nmminer_offered_and_added(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_udp_sender: UdpBroadcaster,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub()
    await _hear(hass, entry, nmminer_udp_sender)
    (offer,) = _offers(hass)
    assert offer["step_id"] == "discovery_confirm"
    assert offer["context"]["title_placeholders"] == {"name": "NMMiner 127.0.0.1"}

    result = await hass.config_entries.flow.async_configure(
        offer["flow_id"], {"name": "Lotto"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "miner_added"
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert subentry.title == "Lotto"
    assert subentry.data["udp_broadcast"] is True
    assert subentry.data["host"] == "127.0.0.1"
    assert "port" not in subentry.data
    coordinator = entry.runtime_data.coordinators[subentry.subentry_id]
    # Fed at once from the datagram the listener kept.
    assert coordinator.last_update_success
    entities = [
        e
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.config_subentry_id == subentry.subentry_id
    ]
    assert entities
    states = [hass.states.get(e.entity_id) for e in entities if not e.disabled_by]
    assert any(s is not None and s.state != STATE_UNAVAILABLE for s in states)
    (audit,) = await rows(hass, entry, AuditLog)
    assert audit.action == "miner_added"
    assert audit.changes is not None
    assert audit.changes["source"] == "nmminer_broadcast"

    # Now a configured miner: its datagrams start nothing.
    await _hear(hass, entry, nmminer_udp_sender)
    assert not _offers(hass)
    assert len(entry.subentries) == 1


async def test_http_nmminer_added_in_http_mode(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broadcasting NMMiner that also answers the v2 API is polled over HTTP."""
    monkeypatch.setattr(const, "DISCOVERY_PROBE_PORT", nmminer_sim.port)
    entry = await setup_hub()
    await _hear(hass, entry, nmminer_udp_sender)
    (offer,) = _offers(hass)
    assert offer["context"]["title_placeholders"] == {"name": "nm-cyd-a1b2c3"}
    result = await hass.config_entries.flow.async_configure(
        offer["flow_id"], {"name": "CYD"}
    )
    assert result["reason"] == "miner_added"
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert "udp_broadcast" not in subentry.data
    assert subentry.data["port"] == nmminer_sim.port
    assert subentry.unique_id == "host:nm-cyd-a1b2c3"
    coordinator = entry.runtime_data.coordinators[subentry.subentry_id]
    assert coordinator.last_update_success
    assert coordinator.data.firmware_version == "v2.0.04"  # from HTTP, not UDP


async def test_offer_withdrawn_when_added_by_hand(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
    nmminer_udp_sender: UdpBroadcaster,
) -> None:
    entry = await setup_hub()
    await _hear(hass, entry, nmminer_udp_sender)
    assert _offers(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "CYD",
            "miner_type": "nmminer",
            "host": nmminer_sim.host,
            "port": nmminer_sim.port,
            "scan_interval": 30,
        },
    )
    assert result["step_id"] == "power"  # an NMMiner reports no power
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert not _offers(hass)


async def test_offered_once_per_ip(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entry = await setup_hub()
    await _hear(hass, entry, nmminer_udp_sender)
    (offer,) = _offers(hass)
    # Dismissed: datagrams keep coming every few seconds, no new offer...
    hass.config_entries.flow.async_abort(offer["flow_id"])
    await _hear(hass, entry, nmminer_udp_sender)
    assert not _offers(hass)
    # ...until the retry period is over.
    monkeypatch.setattr(const, "NMMINER_DISCOVERY_RETRY_S", 0.0)
    await _hear(hass, entry, nmminer_udp_sender)
    assert len(_offers(hass)) == 1
    # One offer in progress is enough.
    await _hear(hass, entry, nmminer_udp_sender)
    assert len(_offers(hass)) == 1


async def test_only_plausible_addresses_offered(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The datagram's ``ip`` is free text: no public address, no flood of flows."""
    monkeypatch.setattr(nmminer_discovery, "MAX_OFFERS", 1)
    entry = await setup_hub()
    for claimed in ("8.8.8.8", "not-an-ip", "0.0.0.0"):
        nmminer_udp_sender.ip = claimed
        await _hear(hass, entry, nmminer_udp_sender)
        assert not _offers(hass), claimed
    nmminer_udp_sender.ip = "127.0.0.1"
    await _hear(hass, entry, nmminer_udp_sender)
    assert len(_offers(hass)) == 1
    # The cap is reached: another (private) address is not offered, not probed.
    nmminer_udp_sender.ip = "192.168.1.88"
    await _hear(hass, entry, nmminer_udp_sender)
    assert len(_offers(hass)) == 1
    assert entry.runtime_data.nmminer_listener.latest("192.168.1.88") is not None


async def test_ignored_nmminer_not_offered_again(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_udp_sender: UdpBroadcaster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(const, "NMMINER_DISCOVERY_RETRY_S", 0.0)
    entry = await setup_hub()
    await _hear(hass, entry, nmminer_udp_sender)
    (offer,) = _offers(hass)
    hass.config_entries.flow.async_abort(offer["flow_id"])
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_IGNORE},
        data={"unique_id": "nmminer:127.0.0.1", "title": "NMMiner 127.0.0.1"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await _hear(hass, entry, nmminer_udp_sender)
    assert not _offers(hass)
    assert entry.state is ConfigEntryState.LOADED


async def test_flow_aborts_for_configured_address(
    hass: HomeAssistant, setup_hub: HubFactory, nmminer_sim: NMMinerSimulator
) -> None:
    await setup_hub([miner_subentry(nmminer_sim, "nmminer")])
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"host": nmminer_sim.host},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_flow_without_hub(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"host": "127.0.0.1"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"


async def test_flow_nothing_heard(hass: HomeAssistant, setup_hub: HubFactory) -> None:
    """No HTTP API and no datagram kept for the address: nothing to add."""
    await setup_hub()
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_INTEGRATION_DISCOVERY},
        data={"host": "127.0.0.1"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"


async def test_udp_port_taken(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    udp_port: int,
    nmminer_udp_sender: UdpBroadcaster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another program owns the port: the hub loads, without broadcasts."""
    broadcast_miner = ConfigSubentryData(
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
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("127.0.0.1", udp_port))
        entry = await setup_hub([broadcast_miner])
        assert not _listening(entry)
        assert await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.state is ConfigEntryState.LOADED
        assert not _listening(entry)
    warnings = [
        r
        for r in caplog.records
        if r.levelno == logging.WARNING and "NMMiner broadcasts" in r.getMessage()
    ]
    assert len(warnings) == 1  # logged once, not at every reload
    (lotto,) = entry.runtime_data.coordinators.values()
    assert not lotto.last_update_success

    # The port is free again: the next subentry change binds it, and the
    # broadcast miner set up without it now follows it.
    async with NMMinerSimulator(**FAST) as sim:
        hass.config_entries.async_add_subentry(
            entry, _as_subentry(miner_subentry(sim, "nmminer", title="CYD"))
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        assert _listening(entry)
        await _hear(hass, entry, nmminer_udp_sender)
    assert lotto.last_update_success
    assert lotto.data.firmware_version == "v1.8.23"
