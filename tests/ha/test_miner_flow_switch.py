"""Miner flow: the power switch can be cleared, and never be one of our own."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
import pytest

from custom_components.home_miner_manager.agile.miner_plan import power_switch
from custom_components.home_miner_manager.const import SUBENTRY_MINER
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry

PLUG = "switch.garage_plug"


def _fields(axeos_sim: AxeOSSimulator, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Desk",
        "host": axeos_sim.host,
        "port": axeos_sim.port,
        "scan_interval": 30,
        **extra,
    }


async def _start_reconfigure(
    hass: HomeAssistant, entry_id: str, subentry_id: str
) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, SUBENTRY_MINER),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    return result


def _switch_selector_config(result: Any) -> dict[str, Any]:
    for key, selector in result["data_schema"].schema.items():
        if str(key) == "power_switch":
            return dict(selector.config)
    raise AssertionError("no power_switch field")


async def test_clearing_the_power_switch_removes_it(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """The form omits a cleared optional field: that means "no switch"."""
    hass.states.async_set(PLUG, "on")
    entry = await setup_hub(
        [
            miner_subentry(
                axeos_sim,
                "bitaxe",
                unique_id=BITAXE_UID,
                title="Desk",
                power_switch=PLUG,
            )
        ]
    )
    (subentry_id,) = entry.subentries
    coordinator = entry.runtime_data.coordinators[subentry_id]
    assert power_switch(coordinator) == PLUG
    result = await _start_reconfigure(hass, entry.entry_id, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _fields(axeos_sim)
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "power_switch" not in entry.subentries[subentry_id].data
    # The strategy no longer switches the plug.
    assert power_switch(coordinator) is None


async def test_power_switch_can_be_changed(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    hass.states.async_set(PLUG, "on")
    hass.states.async_set("switch.other_plug", "on")
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID, power_switch=PLUG)]
    )
    (subentry_id,) = entry.subentries
    result = await _start_reconfigure(hass, entry.entry_id, subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _fields(axeos_sim, power_switch="switch.other_plug")
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[subentry_id].data["power_switch"] == "switch.other_plug"


async def test_own_switches_are_not_offered_nor_accepted(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """The hub's own switches (strategy, polling) are no miner's plug."""
    hass.states.async_set(PLUG, "on")
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    (subentry_id,) = entry.subentries
    ours = [
        reg.entity_id
        for reg in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if reg.domain == "switch"
    ]
    assert ours  # at least the miner's polling switch
    result = await _start_reconfigure(hass, entry.entry_id, subentry_id)
    config = _switch_selector_config(result)
    assert config["domain"] == ["switch"]
    assert set(config["exclude_entities"]) == set(ours)
    assert PLUG not in config["exclude_entities"]
    # Sent by a client that ignores the picker: the schema refuses it.
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            result["flow_id"], _fields(axeos_sim, power_switch=ours[0])
        )
    assert "power_switch" not in entry.subentries[subentry_id].data
    # A plug of another integration is fine.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _fields(axeos_sim, power_switch=PLUG)
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[subentry_id].data["power_switch"] == PLUG


async def test_adding_a_miner_refuses_our_own_switch(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = await setup_hub()
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    assert _switch_selector_config(result)["exclude_entities"] == []
    # One of ours created after the form was shown (e.g. the strategy's switch
    # once prices are set): refused on submit.
    own = entity_registry.async_get_or_create(
        "switch", "home_miner_manager", "some_own_switch", config_entry=entry
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"miner_type": "auto", **_fields(axeos_sim, power_switch=own.entity_id)},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"power_switch": "power_switch_own_entity"}
    assert not entry.subentries


async def test_own_switch_saved_earlier_is_not_offered_back(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """A subentry saved before the check: the form opens with the field empty."""
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    (subentry_id,) = entry.subentries
    polling = [
        reg.entity_id
        for reg in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if reg.domain == "switch"
    ]
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[subentry_id],
        data={**entry.subentries[subentry_id].data, "power_switch": polling[0]},
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await _start_reconfigure(hass, entry.entry_id, subentry_id)
    for key in result["data_schema"].schema:
        if str(key) == "power_switch":
            assert key.description == {"suggested_value": None}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _fields(axeos_sim)
    )
    assert result["reason"] == "reconfigure_successful"
    assert "power_switch" not in entry.subentries[subentry_id].data
