"""Device conditions of a miner: "mode is" and "is mining"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import CONF_CONDITION, CONF_DEVICE_ID, CONF_DOMAIN, CONF_TYPE
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import condition, config_validation as cv
from homeassistant.helpers.config_validation import DEVICE_CONDITION_BASE_SCHEMA
import voluptuous as vol

from .const import DOMAIN
from .device_links import (
    async_mode_choices,
    is_miner_device,
    miner_coordinator,
    miner_entity,
)

if TYPE_CHECKING:
    from homeassistant.helpers.typing import ConfigType, TemplateVarsType

CONF_MODE: Final = "mode"
CONDITION_TYPES: Final = ("is_mining", "mode_is")
CONDITION_SCHEMA = DEVICE_CONDITION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(CONDITION_TYPES),
        vol.Optional(CONF_MODE): cv.string,
    }
)


async def async_get_conditions(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """List the conditions of a miner device ("mode is" only if it has modes)."""
    if not is_miner_device(hass, device_id):
        return []
    kinds = ["is_mining"]
    if miner_entity(hass, device_id, "select", "mode") is not None:
        kinds.append("mode_is")
    return [
        {
            CONF_CONDITION: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_TYPE: kind,
        }
        for kind in kinds
    ]


async def async_get_condition_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Offer the miner's modes for "mode is"."""
    if config[CONF_TYPE] != "mode_is":
        return {}
    coordinator = miner_coordinator(hass, config[CONF_DEVICE_ID])
    modes = list(coordinator.driver.modes) if coordinator is not None else []
    choices = await async_mode_choices(hass, modes)
    return {"extra_fields": vol.Schema({vol.Required(CONF_MODE): vol.In(choices)})}


@callback
def async_condition_from_config(
    hass: HomeAssistant, config: ConfigType
) -> condition.ConditionCheckerType:
    """Check the status sensor (mining) or the mode select."""
    device_id = config[CONF_DEVICE_ID]
    if config[CONF_TYPE] == "is_mining":
        entity_id = miner_entity(hass, device_id, "sensor", "status")
        wanted = "mining"
    else:
        entity_id = miner_entity(hass, device_id, "select", "mode")
        wanted = str(config.get(CONF_MODE))

    def _test(hass: HomeAssistant, variables: TemplateVarsType) -> bool:
        return (
            entity_id is not None
            and (state := hass.states.get(entity_id)) is not None
            and state.state == wanted
        )

    return _test
