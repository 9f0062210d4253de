"""Actions: ``set_mode``, ``restart``, ``switch_pool`` for miners; ``get_leaderboard``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .actions.events import async_setup_event_services
from .actions.simulate_strategy import async_setup_strategy_services
from .const import DOMAIN, POOL_COINS
from .data import loaded_hub
from .db.share_rows import (
    LEADERBOARD_COUNT,
    LEADERBOARD_DAYS,
    MAX_LEADERBOARD_COUNT,
    leaderboard,
)
from .device_links import miner_coordinator
from .importer.action import async_setup_import_service
from .miner.commands import async_restart, async_set_mode, async_switch_pool
from .pool.lookup import pool_order

if TYPE_CHECKING:
    from .miner.coordinator import MinerCoordinator

SERVICE_SET_MODE = "set_mode"
SERVICE_RESTART = "restart"
SERVICE_SWITCH_POOL = "switch_pool"
SERVICE_GET_LEADERBOARD = "get_leaderboard"
ATTR_MODE = "mode"
ATTR_POOL = "pool"
ATTR_COUNT = "count"
ATTR_COIN = "coin"
ATTR_DAYS = "days"

_TARGET_SCHEMA = vol.Schema(cv.TARGET_SERVICE_FIELDS)
_SET_MODE_SCHEMA = _TARGET_SCHEMA.extend({vol.Required(ATTR_MODE): cv.string})
_SWITCH_POOL_SCHEMA = _TARGET_SCHEMA.extend({vol.Required(ATTR_POOL): cv.string})
_LEADERBOARD_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_COUNT, default=LEADERBOARD_COUNT): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_LEADERBOARD_COUNT)
        ),
        vol.Optional(ATTR_COIN): vol.All(
            cv.string, vol.Upper, vol.In([*POOL_COINS, "UNKNOWN"])
        ),
        vol.Optional(ATTR_DAYS, default=LEADERBOARD_DAYS): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=3650)
        ),
    }
)


def _targeted_devices(
    hass: HomeAssistant, call: ServiceCall
) -> tuple[set[str], set[str]]:
    """Return (devices named, devices found through areas, floors or labels).

    The UI's target picker offers this integration's entities and the devices
    that have them (services.yaml filters by integration, not by device: the
    device filter is invalid from Home Assistant 2026.11). A picked entity
    stands for its miner.
    """
    selection = TargetSelection(call.data)
    selected = async_extract_referenced_entity_ids(hass, selection)
    named = set(selection.device_ids)
    registry = er.async_get(hass)
    for entity_id in selected.referenced:
        entity = registry.async_get(entity_id)
        named.add(entity.device_id if entity and entity.device_id else entity_id)
    return named, selected.referenced_devices - named


def _coordinators(hass: HomeAssistant, call: ServiceCall) -> list[MinerCoordinator]:
    """Return the miners targeted by a call; refuse anything named that is not one.

    Devices reached through an area, floor or label that are not miners are
    left out: an area holds more than miners.
    """
    named, grouped = _targeted_devices(hass, call)
    coordinators: dict[str, MinerCoordinator] = {}
    for device_id in sorted(named | grouped):
        coordinator = miner_coordinator(hass, device_id)
        if coordinator is None and device_id in named:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="not_a_miner",
                translation_placeholders={"device_id": device_id},
            )
        if coordinator is not None:
            coordinators.setdefault(coordinator.subentry.subentry_id, coordinator)
    if not coordinators:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="no_miner_selected"
        )
    return list(coordinators.values())


async def _async_set_mode(call: ServiceCall) -> None:
    for coordinator in _coordinators(call.hass, call):
        await async_set_mode(
            coordinator, call.data[ATTR_MODE], user_id=call.context.user_id
        )


async def _async_restart(call: ServiceCall) -> None:
    for coordinator in _coordinators(call.hass, call):
        await async_restart(coordinator, user_id=call.context.user_id)


async def _async_switch_pool(call: ServiceCall) -> None:
    """Point the targeted miners at a configured, enabled pool (by name)."""
    coordinators = _coordinators(call.hass, call)
    wanted = str(call.data[ATTR_POOL]).strip()
    pools = [
        pool
        for pool in sorted(
            loaded_hub(call.hass).runtime_data.pools.values(), key=pool_order
        )
        if pool.enabled
    ]
    match = next(
        (pool for pool in pools if pool.title.casefold() == wanted.casefold()), None
    )
    if match is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_pool",
            translation_placeholders={
                "pool": wanted,
                "pools": ", ".join(pool.title for pool in pools) or "-",
            },
        )
    for coordinator in coordinators:
        await async_switch_pool(
            coordinator, match.subentry, user_id=call.context.user_id
        )


async def _async_get_leaderboard(call: ServiceCall) -> ServiceResponse:
    """Return the best shares (response only; difficulties as numbers)."""
    hub = loaded_hub(call.hass).runtime_data
    count: int = call.data[ATTR_COUNT]
    coin: str | None = call.data.get(ATTR_COIN)
    days: int = call.data[ATTR_DAYS]
    entries = await hub.database.async_run(
        lambda session: leaderboard(
            session, now=dt_util.utcnow(), count=count, coin=coin, days=days
        )
    )
    return {
        "shares": [
            {
                "rank": rank,
                "miner": entry.miner_name,
                "miner_type": entry.miner_type,
                "coin": entry.coin,
                "pool": entry.pool_name,
                "difficulty": entry.difficulty,
                "network_difficulty": entry.network_difficulty,
                "block": entry.was_block_solve,
                "timestamp": dt_util.as_utc(entry.timestamp).isoformat(),
            }
            for rank, entry in enumerate(entries, start=1)
        ]
    }


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (called from ``async_setup``)."""
    async_setup_strategy_services(hass)
    async_setup_event_services(hass)
    async_setup_import_service(hass)
    hass.services.async_register(
        DOMAIN, SERVICE_SET_MODE, _async_set_mode, schema=_SET_MODE_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_RESTART, _async_restart, schema=_TARGET_SCHEMA
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SWITCH_POOL, _async_switch_pool, schema=_SWITCH_POOL_SCHEMA
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_LEADERBOARD,
        _async_get_leaderboard,
        schema=_LEADERBOARD_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
