"""Device actions of a miner: set mode, switch pool, restart (through our actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import CONF_DEVICE_ID, CONF_DOMAIN, CONF_TYPE
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .const import DOMAIN
from .device_links import async_mode_choices, is_miner_device, miner_coordinator

if TYPE_CHECKING:
    from homeassistant.core import Context, HomeAssistant
    from homeassistant.helpers.typing import ConfigType, TemplateVarsType

CONF_MODE: Final = "mode"
CONF_POOL: Final = "pool"
ACTION_TYPES: Final = ("set_mode", "switch_pool", "restart")
ACTION_SCHEMA = cv.DEVICE_ACTION_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(ACTION_TYPES),
        vol.Optional(CONF_MODE): cv.string,
        vol.Optional(CONF_POOL): cv.string,
    }
)


async def async_get_actions(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """List the actions of a miner device."""
    if not is_miner_device(hass, device_id):
        return []
    return [
        {CONF_DEVICE_ID: device_id, CONF_DOMAIN: DOMAIN, CONF_TYPE: kind}
        for kind in ACTION_TYPES
    ]


async def async_get_action_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Offer the miner's modes, or the hub's enabled pools."""
    coordinator = miner_coordinator(hass, config[CONF_DEVICE_ID])
    if coordinator is None:
        return {}
    if config[CONF_TYPE] == "set_mode":
        choices = await async_mode_choices(hass, list(coordinator.driver.modes))
        return {"extra_fields": vol.Schema({vol.Required(CONF_MODE): vol.In(choices)})}
    if config[CONF_TYPE] == "switch_pool":
        hub = coordinator.config_entry.runtime_data
        pools = sorted(pool.title for pool in hub.pools.values() if pool.enabled)
        return {"extra_fields": vol.Schema({vol.Required(CONF_POOL): vol.In(pools)})}
    return {}


async def async_call_action_from_config(
    hass: HomeAssistant,
    config: ConfigType,
    variables: TemplateVarsType,
    context: Context | None,
) -> None:
    """Run the matching action on this device (audited with the caller)."""
    data: dict[str, Any] = {CONF_DEVICE_ID: config[CONF_DEVICE_ID]}
    kind = config[CONF_TYPE]
    if kind == "set_mode":
        data[CONF_MODE] = config[CONF_MODE]
    elif kind == "switch_pool":
        data[CONF_POOL] = config[CONF_POOL]
    await hass.services.async_call(DOMAIN, kind, data, blocking=True, context=context)
