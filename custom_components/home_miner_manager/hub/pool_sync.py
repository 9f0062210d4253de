"""Pool subentries, applied: ``pools`` rows, audit rows, one coordinator each.

The pool flow only creates or changes subentries; this is the one place that
writes ``pools`` rows. A removed pool keeps its row (disabled) and history.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.helpers import device_registry as dr

from ..audit import RESOURCE_POOL, async_actor, queue_audit
from ..compat import device_by_identifier
from ..const import (
    CONF_COIN,
    CONF_ENABLED,
    CONF_FAILOVER_TO,
    CONF_KEEP_USER,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_POOL_CHECK_MINUTES,
    CONF_POOL_ID,
    CONF_POOL_STATS_URL,
    CONF_PORT,
    CONF_PRIORITY,
    CONF_URL,
    CONF_USER,
    DEFAULT_POOL_CHECK_MINUTES,
    DOMAIN,
    SUBENTRY_POOL,
)
from ..db.pool_rows import PoolRow, disable_pool, save_pools
from ..entity import pool_device_identifier, pool_model
from ..miner.commands import pool_target_data
from ..pool.coordinator import PoolCoordinator
from .rows import async_save_rows

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigSubentry
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry, HubData

# Pool fields worth an audit entry (the password only as "changed").
_AUDITED = (CONF_NAME, CONF_URL, CONF_PORT, CONF_USER, CONF_COIN, CONF_PRIORITY)
_AUDITED_OPTIONS = (CONF_ENABLED, CONF_KEEP_USER, CONF_FAILOVER_TO)


def pool_subentries(entry: HMMConfigEntry) -> dict[str, ConfigSubentry]:
    """Return the pool subentries of the hub by id."""
    return {
        subentry_id: subentry
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_POOL
    }


def check_interval(entry: HMMConfigEntry) -> timedelta:
    """Return the time between two health checks of a pool (an option)."""
    minutes = entry.options.get(CONF_POOL_CHECK_MINUTES, DEFAULT_POOL_CHECK_MINUTES)
    return timedelta(minutes=max(1, int(minutes)))


def _audited(title: str, data: Mapping[str, Any]) -> dict[str, Any]:
    named = {**data, CONF_NAME: title}
    return {key: named.get(key) for key in (*_AUDITED, *_AUDITED_OPTIONS)}


def _changes(pool: PoolCoordinator, new: ConfigSubentry) -> dict[str, Any]:
    """Non-secret fields that changed since the pool applied its subentry."""
    before = _audited(pool.applied_title, pool.applied_data)
    after = _audited(new.title, new.data)
    changes: dict[str, Any] = {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in after
        if before.get(key) != after.get(key)
    }
    if pool.applied_data.get(CONF_PASSWORD) != new.data.get(CONF_PASSWORD):
        changes[CONF_PASSWORD] = "changed"  # never the value itself
    return changes


def _row(subentry: ConfigSubentry) -> PoolRow:
    host, port, user, password = pool_target_data(subentry.data)
    return PoolRow(
        name=subentry.title,
        url=host,
        port=port,
        user=user,
        password=password,
        priority=int(subentry.data.get(CONF_PRIORITY, 0)),
        enabled=bool(subentry.data.get(CONF_ENABLED, True)),
        pool_id=subentry.data.get(CONF_POOL_ID),
    )


async def _async_save_rows(
    hass: HomeAssistant, entry: HMMConfigEntry, subentries: list[ConfigSubentry]
) -> list[int]:
    rows = [_row(subentry) for subentry in subentries]
    return await async_save_rows(
        hass, entry, subentries, rows=rows, save=save_pools, id_key=CONF_POOL_ID
    )


async def async_add_pools(
    hass: HomeAssistant, entry: HMMConfigEntry, subentries: list[ConfigSubentry]
) -> None:
    """Save the pools' rows, then start a coordinator for each (no waiting)."""
    if not subentries:
        return
    hub = entry.runtime_data
    ids = await _async_save_rows(hass, entry, subentries)
    if _hub_closing(hass, entry, hub):
        return  # unloaded meanwhile: no pool starts on a closed hub
    for subentry, pool_id in zip(subentries, ids, strict=True):
        current = entry.subentries.get(subentry.subentry_id, subentry)
        pool = PoolCoordinator(
            hass,
            entry,
            current,
            hub=hub,
            pool_id=pool_id,
            interval=check_interval(entry),
        )
        hub.async_add_pool(pool)
        if pool.enabled:
            entry.async_create_background_task(
                hass, pool.async_refresh(), f"{DOMAIN} first check {pool.title}"
            )
        else:
            pool.update_interval = None


def _hub_closing(hass: HomeAssistant, entry: HMMConfigEntry, hub: HubData) -> bool:
    """Tell whether the hub unloads or Home Assistant stops (a sync ends there).

    A sync awaits the database; the hub may close its pools meanwhile.
    """
    return (
        hub.closed
        or hass.is_stopping
        or entry.state
        in (ConfigEntryState.UNLOAD_IN_PROGRESS, ConfigEntryState.NOT_LOADED)
    )


def _same(pool: PoolCoordinator, new: ConfigSubentry) -> bool:
    """Return True if only the remembered row id differs from what is applied.

    (Home Assistant updates a subentry object in place, so the pool keeps a
    copy of what it applied to compare with.)
    """

    def _settings(data: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k != CONF_POOL_ID}

    return pool.applied_title == new.title and _settings(pool.applied_data) == (
        _settings(new.data)
    )


async def async_sync_pools(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Apply added, changed and removed pool subentries (called under the lock)."""
    hub = entry.runtime_data
    hub.share_tracker.set_stats_url(entry.options.get(CONF_POOL_STATS_URL))
    wanted = pool_subentries(entry)
    actor = await async_actor(hass)
    for subentry_id in [sid for sid in hub.pools if sid not in wanted]:
        pool = hub.pool_fleet.async_remove(subentry_id)
        await pool.async_shutdown()
        await hub.database.async_run(partial(disable_pool, pool_id=pool.pool_id))
        queue_audit(
            hub.database,
            actor=actor,
            action="pool_removed",
            resource_id=pool.pool_id,
            resource_name=pool.title,
            resource_type=RESOURCE_POOL,
        )
    added = [sub for sid, sub in wanted.items() if sid not in hub.pools]
    await async_add_pools(hass, entry, added)
    if _hub_closing(hass, entry, hub):
        return
    for subentry in added:
        queue_audit(
            hub.database,
            actor=actor,
            action="pool_added",
            resource_id=hub.pools[subentry.subentry_id].pool_id,
            resource_name=subentry.title,
            changes=_audited(subentry.title, subentry.data),
            resource_type=RESOURCE_POOL,
        )
    interval = check_interval(entry)
    for subentry_id, subentry in wanted.items():
        if _hub_closing(hass, entry, hub):
            return  # its pools are shut down and gone
        pool = hub.pools[subentry_id]
        if subentry in added or _same(pool, subentry):
            pool.async_reconfigure(subentry, pool.update_interval)
            if pool.enabled and pool.update_interval != interval:
                pool.update_interval = interval  # the option changed
            continue
        old_title, old_model = pool.applied_title, pool_model(pool.applied_data)
        changes = _changes(pool, subentry)
        await _async_save_rows(hass, entry, [subentry])
        pool.async_reconfigure(
            entry.subentries[subentry_id], interval if pool.enabled else None
        )
        if pool.enabled:
            await pool.async_request_refresh()
        if changes.keys() - {CONF_POOL_ID}:
            queue_audit(
                hub.database,
                actor=actor,
                action="pool_updated",
                resource_id=pool.pool_id,
                resource_name=subentry.title,
                changes=changes,
                resource_type=RESOURCE_POOL,
            )
        registry = dr.async_get(hass)
        device = device_by_identifier(
            registry, pool_device_identifier(subentry_id), entry.entry_id
        )
        # The coin shows as the device's model: a new coin must show at once.
        if device is not None and (
            old_title != subentry.title or old_model != pool_model(subentry.data)
        ):
            registry.async_update_device(
                device.id, name=subentry.title, model=pool_model(subentry.data)
            )
    # Renamed, enabled or disabled pools: the miners' pool selects follow.
    hub.pool_fleet.async_update_listeners()
