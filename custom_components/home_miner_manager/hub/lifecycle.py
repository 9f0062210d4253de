"""Hub lifecycle: open the database, add, remove and reconfigure miners.

Subentry changes are applied one miner at a time (no reload of the hub); only a
change of the database URL reloads the whole entry. This is the one place that
writes ``miners`` rows: flows only create subentries.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr

from ..audit import Actor, async_actor, audited_fields, queue_audit
from ..compat import async_remove_subentry_device, device_by_identifier
from ..const import (
    CONF_DB_URL,
    CONF_ENABLED,
    CONF_HOST,
    CONF_MANUAL_POWER_WATTS,
    CONF_MINER_ID,
    CONF_MINER_TYPE,
    CONF_NAME,
    CONF_PORT,
    DB_FILENAME,
    DEFAULT_RETENTION,
    DOMAIN,
    HUB_DEVICE_NAME,
    LOGGER,
    SUBENTRY_MINER,
)
from ..db import Database, DatabaseError
from ..db.miner_rows import MinerRow, save_miners
from ..entity import async_track_device
from ..miner.commands import async_update_miner_row
from ..miner.coordinator import MinerCoordinator
from ..miner.issues import async_delete_miner_issues
from ..miner.nmminer_discovery import async_start_listener
from .pool_sync import async_sync_pools
from .rows import async_save_rows

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigSubentry
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry


def effective_db_url(entry: HMMConfigEntry) -> str:
    """Return the database URL in use (options override the initial setup)."""
    return str(entry.options.get(CONF_DB_URL, entry.data.get(CONF_DB_URL, "")))


async def async_open_database(hass: HomeAssistant, db_url: str) -> Database:
    """Open (and migrate) the database in the executor.

    An empty URL means the SQLite file in Home Assistant's config folder.
    """
    return await hass.async_add_executor_job(
        partial(
            Database.open, db_url.strip(), sqlite_path=hass.config.path(DB_FILENAME)
        )
    )


def retention_days(entry: HMMConfigEntry) -> dict[str, int]:
    """Return retention days per table family from the options."""
    return {
        key: int(entry.options.get(key, default))
        for key, default in DEFAULT_RETENTION.items()
    }


@callback
def async_create_hub_device(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Create (or keep) the hub's own device; miner devices hang under it.

    It belongs to the entry itself, not to a miner subentry, so removing a
    miner (which clears that subentry's devices) never touches it.
    """
    dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=HUB_DEVICE_NAME,
        manufacturer=HUB_DEVICE_NAME,
        model="Hub",
        entry_type=dr.DeviceEntryType.SERVICE,
    )


def miner_identity(subentry: ConfigSubentry) -> str:
    """Return the identity linking a miner subentry to its ``miners`` row.

    The one rule: the device's own identity (MAC, else serial: the subentry's
    unique id), else the subentry id. An address is never an identity: it
    changes with DHCP, and factory hostnames are shared by many units.
    """
    return subentry.unique_id or subentry.subentry_id


def _miner_row(subentry: ConfigSubentry) -> MinerRow:
    data = subentry.data
    return MinerRow(
        identity=miner_identity(subentry),
        name=subentry.title,
        miner_type=str(data[CONF_MINER_TYPE]),
        ip_address=str(data[CONF_HOST]),
        port=data.get(CONF_PORT),
        manual_power_watts=data.get(CONF_MANUAL_POWER_WATTS),
        enabled=bool(data.get(CONF_ENABLED, True)),
        miner_id=data.get(CONF_MINER_ID),
    )


async def async_save_miner_rows(
    hass: HomeAssistant, entry: HMMConfigEntry, subentries: list[ConfigSubentry]
) -> list[int]:
    """Write the miners' rows (one database job) and remember their ids."""
    rows = [_miner_row(subentry) for subentry in subentries]
    return await async_save_rows(
        hass, entry, subentries, rows=rows, save=save_miners, id_key=CONF_MINER_ID
    )


async def async_add_miners(
    hass: HomeAssistant, entry: HMMConfigEntry, subentries: list[ConfigSubentry]
) -> None:
    """Save the miners' rows, then start a coordinator for each.

    Nothing here waits for a miner to answer: each first poll runs in the
    background (see ``MinerCoordinator.async_start``).
    """
    if not subentries:
        return
    ids = await async_save_miner_rows(hass, entry, subentries)
    hub = entry.runtime_data
    for subentry, miner_id in zip(subentries, ids, strict=True):
        # The subentry object may have been replaced by the miner_id update.
        current = entry.subentries.get(subentry.subentry_id, subentry)
        coordinator = MinerCoordinator(
            hass, entry, current, services=hub, miner_id=miner_id
        )
        async_track_device(hass, coordinator)
        coordinator.async_start()
        hub.async_add_coordinator(coordinator)


async def async_remove_miner(
    hass: HomeAssistant, entry: HMMConfigEntry, subentry_id: str
) -> None:
    """Forget a deleted miner subentry; keep its history in the database."""
    hub = entry.runtime_data
    coordinator = hub.fleet.async_remove(subentry_id)
    await coordinator.async_shutdown()
    async_delete_miner_issues(hass, subentry_id)
    device_registry = dr.async_get(hass)
    device = device_by_identifier(
        device_registry, (DOMAIN, coordinator.device_identifier), entry.entry_id
    )
    if device is not None:
        async_remove_subentry_device(
            device_registry, device, entry.entry_id, subentry_id
        )
    # The row stays (disabled) so telemetry history survives; adding the same
    # device again re-enables it.
    await async_update_miner_row(coordinator, enabled=False)
    queue_audit(
        hub.database,
        actor=await async_actor(hass),
        action="miner_removed",
        resource_id=coordinator.miner_id,
        resource_name=coordinator.subentry.title,
    )


def _changed(coordinator: MinerCoordinator, subentry: ConfigSubentry) -> bool:
    data: dict[str, Any] = dict(subentry.data)
    return data != coordinator.applied_data or subentry.title != coordinator.name


async def async_sync_subentries(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Update listener: apply subentry changes miner by miner, pool by pool.

    A different database URL reloads the entry; retention options are read at
    maintenance time and need nothing here.
    """
    hub = entry.runtime_data
    if effective_db_url(entry) != hub.db_url:
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    async with hub.lock:
        if hub.closed:
            return  # unloaded while this sync waited for the previous one
        miners = {
            subentry_id: subentry
            for subentry_id, subentry in entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_MINER
        }
        try:
            for subentry_id in [sid for sid in hub.coordinators if sid not in miners]:
                await async_remove_miner(hass, entry, subentry_id)
            # Retries a bind that failed before (the port may be free now);
            # broadcast miners started without the listener then follow it.
            had_listener = hub.nmminer_listener is not None
            await async_start_listener(hass, entry, hub)
            late_listener = not had_listener and hub.nmminer_listener is not None
            added = [
                subentry
                for subentry_id, subentry in miners.items()
                if subentry_id not in hub.coordinators
            ]
            await async_add_miners(hass, entry, added)
            if added:
                actor = await async_actor(hass)
                for subentry in added:
                    _audit_added(entry, subentry, actor)
            for subentry_id, subentry in miners.items():
                coordinator = hub.coordinators[subentry_id]
                if subentry in added:
                    continue
                if _changed(coordinator, subentry):
                    await _async_reconfigure_miner(hass, entry, coordinator, subentry)
                elif late_listener and coordinator.broadcast:
                    await coordinator.async_reconfigure(subentry)
            await async_sync_pools(hass, entry)
        except DatabaseError as err:
            # Polling goes on; the rows catch up at the next change or restart.
            LOGGER.error("Could not record a miner change in the database: %s", err)


async def _async_reconfigure_miner(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    coordinator: MinerCoordinator,
    subentry: ConfigSubentry,
) -> None:
    """Apply a reconfigured miner in place; entities keep their coordinator."""
    hub = entry.runtime_data
    title_changed = subentry.title != coordinator.name
    await async_save_miner_rows(hass, entry, [subentry])
    await coordinator.async_reconfigure(subentry)
    # A manual power estimate added or removed changes which sensors it has.
    hub.async_sync_entities(hass, coordinator)
    if title_changed:
        device_registry = dr.async_get(hass)
        device = device_by_identifier(
            device_registry, (DOMAIN, coordinator.device_identifier), entry.entry_id
        )
        if device is not None:
            device_registry.async_update_device(device.id, name=subentry.title)


def _audit_added(entry: HMMConfigEntry, subentry: ConfigSubentry, actor: Actor) -> None:
    """Audit a miner added at runtime (the user is the one running the flow)."""
    coordinator = entry.runtime_data.coordinators[subentry.subentry_id]
    changes = audited_fields({**subentry.data, CONF_NAME: subentry.title})
    if source := entry.runtime_data.added_via.pop(subentry.subentry_id, None):
        changes["source"] = source
    queue_audit(
        entry.runtime_data.database,
        actor=actor,
        action="miner_added",
        resource_id=coordinator.miner_id,
        resource_name=subentry.title,
        changes=changes,
    )
