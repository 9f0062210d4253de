"""Hub lifecycle: open the database, add, remove and reconfigure miners.

Subentry changes are applied one miner at a time (no reload of the hub); only a
change of the database URL reloads the whole entry.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr

from .const import (
    CONF_DB_URL,
    CONF_ENABLED,
    CONF_MINER_ID,
    DB_FILENAME,
    DEFAULT_RETENTION,
    DOMAIN,
    HUB_DEVICE_NAME,
    LOGGER,
    SUBENTRY_MINER,
)
from .coordinator import MinerCoordinator, build_driver
from .db import Database, DatabaseError
from .issues import async_delete_miner_issues
from .nmminer_discovery import async_start_listener
from .records import async_actor, async_save_miner, async_update_miner, queue_audit

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigSubentry
    from homeassistant.core import HomeAssistant

    from .data import HMMConfigEntry


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
    """Return the stable identity of a miner subentry."""
    return subentry.unique_id or subentry.subentry_id


async def async_add_miner(
    hass: HomeAssistant, entry: HMMConfigEntry, subentry: ConfigSubentry
) -> MinerCoordinator:
    """Create, start and register the coordinator of one miner subentry."""
    hub = entry.runtime_data
    miner_id = await async_save_miner(
        hub.database, subentry.data, miner_identity(subentry)
    )
    if subentry.data.get(CONF_MINER_ID) != miner_id:
        hass.config_entries.async_update_subentry(
            entry, subentry, data={**subentry.data, CONF_MINER_ID: miner_id}
        )
    coordinator = MinerCoordinator(
        hass,
        entry,
        subentry,
        driver=build_driver(hass, entry, subentry.data),
        miner_id=miner_id,
    )
    await coordinator.async_start()
    hub.async_add_coordinator(coordinator)
    return coordinator


async def async_remove_miner(
    hass: HomeAssistant, entry: HMMConfigEntry, subentry_id: str
) -> None:
    """Forget a deleted miner subentry; keep its history in the database."""
    hub = entry.runtime_data
    coordinator = hub.coordinators.pop(subentry_id)
    await coordinator.async_shutdown()
    async_delete_miner_issues(hass, subentry_id)
    device_registry = dr.async_get(hass)
    device = device_registry.async_get_device(
        identifiers={(DOMAIN, coordinator.device_identifier)}
    )
    if device is not None:
        device_registry.async_update_device(
            device.id,
            remove_config_entry_id=entry.entry_id,
            remove_config_subentry_id=subentry_id,
        )
    # The row stays (disabled) so telemetry history survives; adding the same
    # device again re-enables it.
    await async_update_miner(hub.database, coordinator.miner_id, enabled=False)
    queue_audit(
        hub.database,
        actor=await async_actor(hass),
        action="miner_removed",
        miner_id=coordinator.miner_id,
        miner_name=coordinator.subentry.title,
    )


def _changed(coordinator: MinerCoordinator, subentry: ConfigSubentry) -> bool:
    data: dict[str, Any] = dict(subentry.data)
    return data != coordinator.applied_data or subentry.title != coordinator.name


async def async_sync_miners(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Update listener: apply subentry changes miner by miner.

    A different database URL reloads the entry; retention options are read at
    maintenance time and need nothing here.
    """
    hub = entry.runtime_data
    if effective_db_url(entry) != hub.db_url:
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    async with hub.lock:
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
            await async_start_listener(hass, entry)
            late_listener = not had_listener and hub.nmminer_listener is not None
            for subentry_id, subentry in miners.items():
                coordinator = hub.coordinators.get(subentry_id)
                if coordinator is None:
                    await async_add_miner(hass, entry, subentry)
                elif _changed(coordinator, subentry):
                    await _async_reconfigure_miner(hass, entry, coordinator, subentry)
                elif late_listener and coordinator.broadcast:
                    await coordinator.async_reconfigure(subentry)
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
    await async_save_miner(hub.database, subentry.data, miner_identity(subentry))
    await coordinator.async_reconfigure(subentry)
    # A manual power estimate added or removed changes which sensors it has.
    hub.async_sync_entities(hass, coordinator)
    if not subentry.data.get(CONF_ENABLED, True):
        await async_update_miner(hub.database, coordinator.miner_id, enabled=False)
    if title_changed:
        device_registry = dr.async_get(hass)
        device = device_registry.async_get_device(
            identifiers={(DOMAIN, coordinator.device_identifier)}
        )
        if device is not None:
            device_registry.async_update_device(device.id, name=subentry.title)
