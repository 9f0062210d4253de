"""The set_mode and restart actions, reaching the simulators."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import AuditLog, Miner
from hmm_sim import AxeOSSimulator, CgminerSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows


def _device_id(hass: HomeAssistant, entry: Any) -> str:
    (coordinator,) = entry.runtime_data.coordinators.values()
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, coordinator.device_identifier)}
    )
    assert device is not None
    return device.id


async def test_set_mode_bitaxe(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_read_only_user: Any,
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    frequency = axeos_sim.device.frequency
    await hass.services.async_call(
        DOMAIN,
        "set_mode",
        {"device_id": _device_id(hass, entry), "mode": "eco"},
        blocking=True,
        context=Context(user_id=hass_read_only_user.id),
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert axeos_sim.device.frequency < frequency
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert coordinator.data.mode == "eco"
    (miner,) = await rows(hass, entry, Miner)
    assert miner.current_mode == "eco"
    assert miner.last_mode_change is not None
    (audit,) = await rows(hass, entry, AuditLog)
    assert (audit.action, audit.user, audit.status) == (
        "mode_changed",
        hass_read_only_user.name,
        "success",
    )
    assert audit.changes == {"mode": "eco"}


async def test_set_mode_avalon_and_calibration_lock(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    entry = await setup_hub([miner_subentry(avalon_sim, "avalon_nano")])
    device_id = _device_id(hass, entry)
    await hass.services.async_call(
        DOMAIN, "set_mode", {"device_id": device_id, "mode": "low"}, blocking=True
    )
    assert avalon_sim.mode == 0

    avalon_sim.calibrating = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "set_mode", {"device_id": device_id, "mode": "high"}, blocking=True
        )
    assert err.value.translation_key == "calibrating"
    assert err.value.translation_domain == DOMAIN
    assert avalon_sim.mode == 0
    audit = await rows(hass, entry, AuditLog)
    assert [(a.action, a.status) for a in audit] == [
        ("mode_changed", "success"),
        ("mode_changed", "failure"),
    ]
    assert audit[-1].error_message


async def test_unsupported_mode(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    entry = await setup_hub([miner_subentry(avalon_sim, "avalon_nano")])
    mode = avalon_sim.mode
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "set_mode",
            {"device_id": _device_id(hass, entry), "mode": "turbo"},
            blocking=True,
        )
    assert err.value.translation_key == "unsupported_mode"
    assert avalon_sim.mode == mode  # nothing sent
    assert await rows(hass, entry, AuditLog) == []


async def test_restart(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    boots = axeos_sim.boots
    await hass.services.async_call(
        DOMAIN, "restart", {"device_id": _device_id(hass, entry)}, blocking=True
    )
    await axeos_sim.wait_restarted()
    assert axeos_sim.boots == boots + 1
    (audit,) = await rows(hass, entry, AuditLog)
    assert audit.action == "miner_restarted"


async def test_restart_unreachable_is_translated(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    await axeos_sim.set_fault("refused")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN, "restart", {"device_id": _device_id(hass, entry)}, blocking=True
        )
    assert err.value.translation_key == "cannot_connect"


async def test_target_must_be_a_miner(
    hass: HomeAssistant, setup_hub: HubFactory, device_registry: dr.DeviceRegistry
) -> None:
    entry = await setup_hub()
    other = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("other", "x")}
    )
    hub = device_registry.async_get_device(identifiers={(DOMAIN, entry.entry_id)})
    assert hub is not None
    for device in (other, hub):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                DOMAIN, "restart", {"device_id": device.id}, blocking=True
            )
        assert err.value.translation_key == "not_a_miner"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "restart", {}, blocking=True)
    assert err.value.translation_key == "no_miner_selected"


@pytest.mark.parametrize("action", ["get_leaderboard", "get_events"])
async def test_actions_without_a_loaded_hub_say_so(
    hass: HomeAssistant, setup_hub: HubFactory, action: str
) -> None:
    """An action called while the hub is unloaded answers a translated error."""
    entry = await setup_hub([])
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, action, {}, blocking=True, return_response=True
        )
    assert err.value.translation_key == "hub_not_loaded"
