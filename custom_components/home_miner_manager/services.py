"""Actions: ``set_mode`` and ``restart`` for miner devices."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_extract_referenced_entity_ids
import voluptuous as vol

from .commands import async_restart, async_set_mode
from .const import DOMAIN

if TYPE_CHECKING:
    from .coordinator import MinerCoordinator

SERVICE_SET_MODE = "set_mode"
SERVICE_RESTART = "restart"
ATTR_MODE = "mode"

_TARGET_SCHEMA = vol.Schema(cv.TARGET_SERVICE_FIELDS)
_SET_MODE_SCHEMA = _TARGET_SCHEMA.extend({vol.Required(ATTR_MODE): cv.string})


def _coordinators(hass: HomeAssistant, call: ServiceCall) -> list[MinerCoordinator]:
    """Return the miners targeted by a call; refuse anything that is not one."""
    device_ids = async_extract_referenced_entity_ids(hass, call).referenced_devices
    if not device_ids:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_miner_selected"
        )
    device_registry = dr.async_get(hass)
    coordinators: list[MinerCoordinator] = []
    for device_id in sorted(device_ids):
        coordinator = _coordinator_for_device(hass, device_registry, device_id)
        if coordinator is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_a_miner",
                translation_placeholders={"device_id": device_id},
            )
        coordinators.append(coordinator)
    return coordinators


def _coordinator_for_device(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry, device_id: str
) -> MinerCoordinator | None:
    device = device_registry.async_get(device_id)
    if device is None:
        return None
    for entry_id, subentry_ids in device.config_entries_subentries.items():
        entry = hass.config_entries.async_get_entry(entry_id)
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            continue
        for subentry_id in subentry_ids:
            if subentry_id and (
                coordinator := entry.runtime_data.coordinators.get(subentry_id)
            ):
                return coordinator  # type: ignore[no-any-return]
    return None


async def _async_set_mode(call: ServiceCall) -> None:
    for coordinator in _coordinators(call.hass, call):
        await async_set_mode(
            coordinator, call.data[ATTR_MODE], user_id=call.context.user_id
        )


async def _async_restart(call: ServiceCall) -> None:
    for coordinator in _coordinators(call.hass, call):
        await async_restart(coordinator, user_id=call.context.user_id)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (called from ``async_setup``)."""
    hass.services.async_register(
        DOMAIN, SERVICE_SET_MODE, _async_set_mode, schema=_SET_MODE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_RESTART, _async_restart, schema=_TARGET_SCHEMA
    )
