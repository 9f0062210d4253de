"""Find a miner's coordinator and entities from its device (device automations).

Beside the device triggers, conditions and actions that ask: it looks into
the loaded hubs' runtime data, which no service below the entry may do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations

from .compat import device_links
from .const import DOMAIN

if TYPE_CHECKING:
    from .miner.coordinator import MinerCoordinator

# What the status sensor shows for a miner that answers, and for one that does not.
ONLINE_STATES = ("mining", "idle", "calibrating")
OFFLINE_STATES = ("unreachable", "refused")


@callback
def miner_coordinator(hass: HomeAssistant, device_id: str) -> MinerCoordinator | None:
    """Return the coordinator of a miner device (None for other devices)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    for entry_id, subentry_id in device_links(device):
        entry = hass.config_entries.async_get_entry(entry_id)
        if (
            entry is None
            or entry.domain != DOMAIN
            or entry.state is not ConfigEntryState.LOADED
        ):
            continue
        if subentry_id and (
            coordinator := entry.runtime_data.coordinators.get(subentry_id)
        ):
            return coordinator  # type: ignore[no-any-return]
    return None


async def async_mode_choices(hass: HomeAssistant, modes: list[str]) -> dict[str, str]:
    """Return each mode with its translated label (``selector.mode`` in en.json).

    Device automation forms show a choice's label as given, so the labels are
    translated here, in Home Assistant's language.
    """
    strings = await async_get_translations(
        hass, hass.config.language, "selector", [DOMAIN]
    )
    prefix = f"component.{DOMAIN}.selector.mode.options."
    return {mode: strings.get(prefix + mode, mode) for mode in modes}


@callback
def is_miner_device(hass: HomeAssistant, device_id: str) -> bool:
    """Return True for a miner's device (its status sensor is registered)."""
    return miner_entity(hass, device_id, "sensor", "status") is not None


@callback
def miner_entity(
    hass: HomeAssistant, device_id: str, domain: str, key: str
) -> str | None:
    """Return the entity id of a miner device's entity ``key`` (status, mode...)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    registry = er.async_get(hass)
    for ident_domain, identifier in device.identifiers:
        if ident_domain == DOMAIN and (
            entity_id := registry.async_get_entity_id(
                domain, DOMAIN, f"{identifier}_{key}"
            )
        ):
            return entity_id
    return None
