"""The miner subentry form: its fields and their checks (no flow logic)."""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any

from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ..const import (
    CONF_HOST,
    CONF_MANUAL_POWER_WATTS,
    CONF_NAME,
    CONF_PORT,
    CONF_POWER_SWITCH,
    CONF_SCAN_INTERVAL,
    CONF_WEB_PASSWORD,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    MAX_SCAN_INTERVAL_S,
    MIN_SCAN_INTERVAL_S,
    MINER_TYPE_AUTO,
)
from ..devices.types import MinerType

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

_HOSTNAME_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
TYPE_OPTIONS = [MINER_TYPE_AUTO, *(t.value for t in MinerType)]


def host_error(host: str) -> str | None:
    """Return a form error key if ``host`` is not a bare hostname or IP."""
    if "://" in host:
        return "host_has_scheme"
    if "/" in host or "?" in host or "#" in host:
        return "host_has_path"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return None
    if host.startswith("[") or host.count(":") > 1:
        return "invalid_host"  # bracketed or malformed IPv6
    if ":" in host:
        return "host_has_port"
    name = host.removesuffix(".")
    if not name or len(name) > 253:
        return "invalid_host"
    if not all(_HOSTNAME_LABEL.fullmatch(label) for label in name.split(".")):
        return "invalid_host"
    return None


def _number(low: int, high: int, unit: str | None = None) -> NumberSelector:
    config = NumberSelectorConfig(
        min=low, max=high, step=1, mode=NumberSelectorMode.BOX
    )
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def own_switches(hass: HomeAssistant, entry_id: str) -> list[str]:
    """Return this integration's own switches (never a miner's power plug).

    The hub's "Agile strategy" switch picked as a plug would let the strategy
    switch itself off at the first OFF band.
    """
    return sorted(
        reg.entity_id
        for reg in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if reg.domain == "switch"
    )


def power_switch_error(hass: HomeAssistant, entity_id: str | None) -> str | None:
    """Return a form error key if ``entity_id`` belongs to this integration."""
    if not entity_id:
        return None
    reg = er.async_get(hass).async_get(entity_id)
    if reg is not None and reg.platform == DOMAIN:
        return "power_switch_own_entity"
    return None


def common_fields(
    defaults: dict[str, Any], exclude_switches: list[str]
) -> dict[Any, Any]:
    """Fields shared by the add and reconfigure steps."""
    # One of ours saved before they were refused is not offered back (the
    # selector would reject it): the field comes up empty, to pick the plug.
    switch = defaults.get(CONF_POWER_SWITCH)
    if switch in exclude_switches:
        switch = None
    return {
        vol.Required(
            CONF_NAME, default=defaults.get(CONF_NAME, vol.UNDEFINED)
        ): TextSelector(),
        vol.Required(
            CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)
        ): TextSelector(),
        vol.Optional(
            CONF_PORT, description={"suggested_value": defaults.get(CONF_PORT)}
        ): _number(1, 65535),
        vol.Required(
            CONF_SCAN_INTERVAL,
            default=defaults.get(
                CONF_SCAN_INTERVAL, int(DEFAULT_SCAN_INTERVAL.total_seconds())
            ),
        ): _number(MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, "s"),
        # The plug the miner hangs on (the Agile strategy switches it).
        vol.Optional(
            CONF_POWER_SWITCH,
            description={"suggested_value": switch},
        ): EntitySelector(
            EntitySelectorConfig(domain="switch", exclude_entities=exclude_switches)
        ),
    }


def power_field(defaults: dict[str, Any]) -> dict[Any, Any]:
    """Return the power estimate field (for miners not reporting power)."""
    return {
        vol.Optional(
            CONF_MANUAL_POWER_WATTS,
            description={"suggested_value": defaults.get(CONF_MANUAL_POWER_WATTS)},
        ): _number(1, 5000, "W"),
    }


def password_field() -> dict[Any, Any]:
    """Return the Avalon web password field (never filled in)."""
    return {
        vol.Optional(CONF_WEB_PASSWORD): TextSelector(
            TextSelectorConfig(type=TextSelectorType.PASSWORD)
        )
    }


def clean(user_input: dict[str, Any]) -> dict[str, Any]:
    """Strip text, turn selector floats into ints, drop empty optionals."""
    data: dict[str, Any] = {}
    for key, raw in user_input.items():
        value = raw.strip() if isinstance(raw, str) else raw
        if isinstance(value, float):
            value = int(value)
        if value in ("", None):
            continue
        data[key] = value
    return data
