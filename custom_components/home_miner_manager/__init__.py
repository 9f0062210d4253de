"""Home Miner Manager: home Bitcoin miners, their database and their hub."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .assist.api import async_register_llm_api
from .const import (
    DOMAIN,
    LOGGER,
    MAINTENANCE_TIME,
    SUBENTRY_MINER,
)
from .db.exceptions import DatabaseError
from .hub.dashboard import async_setup_dashboard
from .hub.database_issues import async_track_writer_status
from .hub.lifecycle import (
    async_add_miners,
    async_create_hub_device,
    async_open_database,
    async_sync_subentries,
    effective_db_url,
    retention_days,
)
from .hub.pool_sync import async_add_pools, pool_subentries
from .hub.setup import async_start_services, async_stop_services, build_hub
from .importer.settings import async_clear_solved_issues
from .miner.nmminer_discovery import async_start_listener, stop_listener
from .options.apply import async_options_updated
from .options.audit import async_track_options
from .services import async_setup_services

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.helpers.typing import ConfigType

    from .data import HMMConfigEntry, HubData

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.SENSOR,
    Platform.SELECT,
    Platform.BUTTON,
    Platform.SWITCH,
    Platform.CALENDAR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions (once, not per entry)."""
    async_setup_services(hass)
    await async_setup_dashboard(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HMMConfigEntry) -> bool:
    """Open the database, build the runtime whole, start it, add the platforms."""
    db_url = effective_db_url(entry)
    try:
        database = await async_open_database(hass, db_url)
    except DatabaseError as err:
        # The database layer redacts passwords from its messages.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="database_unavailable",
            translation_placeholders={"error": str(err)},
        ) from err

    hub = build_hub(hass, entry, database, db_url)
    entry.runtime_data = hub
    _async_close_on_shutdown(hass, entry)
    # One warning when the database goes away, a repair issue after 5 minutes,
    # and one for rows the bounded backlog had to drop.
    entry.async_on_unload(async_track_writer_status(hass, entry.entry_id, database))
    # Before any miner entity: their devices name it as via_device.
    async_create_hub_device(hass, entry)

    try:
        await hub.share_tracker.async_load()
        # Before the miners: broadcast-mode NMMiners subscribe to it. It also
        # offers unknown broadcasting NMMiners for adding (discovery).
        await async_start_listener(hass, entry, hub)
        # Set-up waits for no miner: first polls run in the background and
        # entities of miners that are off start unavailable.
        await async_add_miners(
            hass,
            entry,
            [
                subentry
                for subentry in entry.subentries.values()
                if subentry.subentry_type == SUBENTRY_MINER
            ],
        )
        await async_add_pools(hass, entry, list(pool_subentries(entry).values()))
        # Prices and the Agile strategy (once a price source is set), coin
        # prices (an option), health scores, alerts, notifications and rules.
        await async_start_services(entry)
        # Who changed which hub option, in the audit log.
        entry.async_on_unload(async_track_options(hass, entry))
    except DatabaseError as err:
        await _async_close_hub(hass, hub)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="database_unavailable",
            translation_placeholders={"error": str(err)},
        ) from err
    except BaseException:
        await _async_close_hub(hass, hub)
        raise
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # Assist / LLM tools (read-only), gone again when the entry unloads.
    entry.async_on_unload(async_register_llm_api(hass, entry))

    async def _async_maintenance(now: datetime) -> None:
        try:
            await database.async_run_maintenance(
                dt_util.utcnow(), retention_days(entry)
            )
        except DatabaseError as err:
            LOGGER.warning("Nightly database maintenance failed: %s", err)
        except Exception:  # noqa: BLE001  (never let the nightly job die silently)
            LOGGER.exception("Nightly database maintenance failed")

    hour, minute, second = MAINTENANCE_TIME
    entry.async_on_unload(
        async_track_time_change(
            hass, _async_maintenance, hour=hour, minute=minute, second=second
        )
    )
    entry.async_on_unload(entry.add_update_listener(async_sync_subentries))
    entry.async_on_unload(entry.add_update_listener(async_options_updated))
    entry.async_on_unload(entry.add_update_listener(async_clear_solved_issues))
    return True


@callback
def _async_close_on_shutdown(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Close the database at Home Assistant's final write if still open."""

    async def _async_final_write(event: Event) -> None:
        await _async_close_hub(hass, entry.runtime_data)

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_FINAL_WRITE, _async_final_write)
    )


async def _async_close_hub(hass: HomeAssistant, hub: HubData) -> None:
    """Stop coordinators and the UDP listener, then flush and close the database."""
    await async_stop_services(hub)
    for coordinator in hub.coordinators.values():
        await coordinator.async_shutdown()
    for pool in hub.pools.values():
        await pool.async_shutdown()
    hub.coordinators.clear()
    hub.pools.clear()
    stop_listener(hub)
    if not hub.closed:
        hub.closed = True
        await hass.async_add_executor_job(hub.database.close)


async def async_unload_entry(hass: HomeAssistant, entry: HMMConfigEntry) -> bool:
    """Unload platforms, stop everything and close the database."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await _async_close_hub(hass, entry.runtime_data)
    return True
