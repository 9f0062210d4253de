"""Device triggers, conditions and actions of a miner, through HA's automations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.components import automation, device_automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_get_device_automations,
    async_mock_service,
)

from custom_components.home_miner_manager.const import DOMAIN, EVENT_BAND_CHANGED
from custom_components.home_miner_manager.monitor.alerts import EVENT_ALERT
from custom_components.home_miner_manager.pool.best_shares import EVENT_BLOCK_FOUND
from hmm_sim import AxeOSSimulator
from hmm_sim.faults import Fault

from .conftest import BITAXE_UID, HubFactory, miner_subentry


async def _miner_device(
    hass: HomeAssistant, setup_hub: HubFactory, sim: AxeOSSimulator
) -> str:
    await setup_hub(
        [miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)]
    )
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    return device.id


async def _poll(hass: HomeAssistant) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)


def _device_automation(
    device_id: str, kind: str, *, condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "alias": kind,
        "triggers": {
            "platform": "device",
            "domain": DOMAIN,
            "device_id": device_id,
            "type": kind,
        },
        "actions": {"action": "test.automation", "data": {"kind": kind}},
    }
    if condition is not None:
        config["conditions"] = [
            {
                "condition": "device",
                "domain": DOMAIN,
                "device_id": device_id,
                **condition,
            }
        ]
    return config


async def test_lists(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    device_id = await _miner_device(hass, setup_hub, axeos_sim)

    def _ours(items: list[dict[str, Any]]) -> set[str]:
        return {item["type"] for item in items if item["domain"] == DOMAIN}

    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device_id
    )
    assert _ours(triggers) == {
        "block_found",
        "went_offline",
        "came_online",
        "high_temperature",
        "band_changed",
    }
    conditions = await async_get_device_automations(
        hass, DeviceAutomationType.CONDITION, device_id
    )
    assert _ours(conditions) == {"is_mining", "mode_is"}
    actions = await async_get_device_automations(
        hass, DeviceAutomationType.ACTION, device_id
    )
    assert _ours(actions) == {"set_mode", "switch_pool", "restart"}
    # The hub device is no miner.
    hub_device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, "01HMMHUBENTRY0000000000000")}
    )
    assert hub_device is not None
    hub_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, hub_device.id
    )
    assert _ours(hub_triggers) == set()


async def test_triggers_fire_automations(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    device_id = await _miner_device(hass, setup_hub, axeos_sim)
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    kinds = [
        "went_offline",
        "came_online",
        "block_found",
        "high_temperature",
        "band_changed",
    ]
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {automation.DOMAIN: [_device_automation(device_id, kind) for kind in kinds]},
    )

    def _fired() -> list[str]:
        return [call.data["kind"] for call in calls]

    await axeos_sim.set_fault(Fault.HTTP_500)
    await _poll(hass)
    assert _fired() == ["went_offline"]
    await axeos_sim.clear_fault()
    await _poll(hass)
    assert _fired() == ["went_offline", "came_online"]

    hass.bus.async_fire(
        EVENT_BLOCK_FOUND,
        {"miner": "Bitaxe", "coin": "BTC", "pool": "Solo", "difficulty": 2e14,
         "network_difficulty": 1e14},
    )  # fmt: skip
    await hass.async_block_till_done()
    assert _fired()[2:] == ["block_found"]
    # Another miner's alert, and a cleared one, do not trigger this device.
    for data in (
        {"device_id": "other", "type": "high_temperature", "state": "fired"},
        {"device_id": device_id, "type": "high_temperature", "state": "cleared"},
        {"device_id": device_id, "type": "high_temperature", "state": "fired"},
    ):
        hass.bus.async_fire(EVENT_ALERT, data)
    await hass.async_block_till_done()
    assert _fired()[3:] == ["high_temperature"]
    hass.bus.async_fire(EVENT_BAND_CHANGED, {"from_band": "A", "to_band": "B"})
    await hass.async_block_till_done()
    assert _fired()[4:] == ["band_changed"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"type": "is_mining"}, True),
        ({"type": "mode_is", "mode": "standard"}, True),
        ({"type": "mode_is", "mode": "eco"}, False),
    ],
)
async def test_conditions(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    condition: dict[str, Any],
    expected: bool,
) -> None:
    device_id = await _miner_device(hass, setup_hub, axeos_sim)
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                _device_automation(device_id, "band_changed", condition=condition)
            ]
        },
    )
    hass.bus.async_fire(EVENT_BAND_CHANGED, {"from_band": "A", "to_band": "B"})
    await hass.async_block_till_done()
    assert bool(calls) is expected


async def test_actions_reach_the_miner(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    device_id = await _miner_device(hass, setup_hub, axeos_sim)
    default_frequency = axeos_sim.frequency
    boots = axeos_sim.boots
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "triggers": {"platform": "event", "event_type": "go"},
                "actions": [
                    {
                        "device_id": device_id,
                        "domain": DOMAIN,
                        "type": "set_mode",
                        "mode": "eco",
                    },
                    {"device_id": device_id, "domain": DOMAIN, "type": "restart"},
                ],
            }
        },
    )
    hass.bus.async_fire("go")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert axeos_sim.frequency < default_frequency
    await axeos_sim.wait_restarted()
    assert axeos_sim.boots == boots + 1


async def test_capabilities_offer_modes(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    device_id = await _miner_device(hass, setup_hub, axeos_sim)
    assert await async_setup_component(hass, "device_automation", {})
    capabilities = await device_automation._async_get_device_automation_capabilities(
        hass,
        DeviceAutomationType.ACTION,
        {"device_id": device_id, "domain": DOMAIN, "type": "set_mode"},
    )
    (field,) = capabilities["extra_fields"]
    assert field["name"] == "mode"
    assert "eco" in [option[0] for option in field["options"]]
    capabilities = await device_automation._async_get_device_automation_capabilities(
        hass,
        DeviceAutomationType.CONDITION,
        {
            "device_id": device_id,
            "domain": DOMAIN,
            "type": "mode_is",
            "condition": "device",
        },
    )
    assert capabilities["extra_fields"][0]["name"] == "mode"
