"""DHCP discovery of Bitaxe/NerdQAxe miners into the hub."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_DHCP, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.const import DOMAIN
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry

DHCP = DhcpServiceInfo(ip="127.0.0.1", hostname="bitaxe", macaddress="2c549188c9e5")


async def _discover(
    hass: HomeAssistant, info: DhcpServiceInfo = DHCP
) -> ConfigFlowResult:
    return await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_DHCP}, data=info
    )


async def test_dhcp_adds_miner(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(const, "DISCOVERY_PROBE_PORT", axeos_sim.port)
    entry = await setup_hub()
    result = await _discover(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Desk Bitaxe"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "miner_added"
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert subentry.unique_id == BITAXE_UID
    assert subentry.title == "Desk Bitaxe"
    assert entry.runtime_data.coordinators[subentry.subentry_id].last_update_success
    # Seen again: nothing new.
    result = await _discover(hass)
    assert result["reason"] == "already_configured"
    assert len(entry.subentries) == 1


async def test_dhcp_updates_address(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    # Known at another (local, unreachable) address; DHCP reports the new one.
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID, host="::1")]
    )
    (subentry_id,) = entry.subentries
    coordinator = entry.runtime_data.coordinators[subentry_id]
    assert not coordinator.last_update_success
    result = await _discover(hass)
    assert result["reason"] == "already_configured"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.subentries[subentry_id].data["host"] == "127.0.0.1"
    assert entry.runtime_data.coordinators[subentry_id] is coordinator
    assert coordinator.last_update_success


async def test_dhcp_without_hub(hass: HomeAssistant) -> None:
    result = await _discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"


async def test_dhcp_unreachable(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(const, "DISCOVERY_PROBE_PORT", 9)  # discard port: closed
    await setup_hub()
    result = await _discover(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"
