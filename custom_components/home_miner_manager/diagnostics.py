"""Diagnostics for the hub and for each miner (secrets redacted)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data

from .const import CONF_DB_URL, CONF_WEB_PASSWORD, DOMAIN
from .db import DatabaseError, redact_url
from .db.migrations import current_version
from .sensor import pool_address

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.device_registry import DeviceEntry

    from .data import HMMConfigEntry, HubData
    from .devices.snapshot import MinerSnapshot
    from .miner.coordinator import MinerCoordinator

# Anything that could carry a credential or identify the owner, wherever it
# appears: a pool user is a wallet address (plus worker name).
TO_REDACT = {
    CONF_WEB_PASSWORD,
    "password",
    "pool_password",
    "stratumPassword",
    "fallbackStratumPassword",
    "wifi_password",
    "wifiPass",
    "otp",
    "user",
    "pool_user",
    "stratumUser",
    "fallbackStratumUser",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HMMConfigEntry
) -> dict[str, Any]:
    """Return hub diagnostics: database (URL masked), options, miners."""
    hub = entry.runtime_data
    try:
        schema_version: int | str = await hub.database.async_run(
            lambda session: current_version(session.connection())
        )
    except DatabaseError as err:
        schema_version = f"unavailable: {err}"
    db_url = entry.options.get(CONF_DB_URL, entry.data.get(CONF_DB_URL, ""))
    return {
        "database": {
            "url": redact_url(db_url) if db_url else "default SQLite file",
            "dialect": hub.database.dialect,
            "schema_version": schema_version,
            "writer": asdict(hub.database.writer_stats),
            "health": asdict(hub.database.status()),
        },
        "options": {
            key: value for key, value in entry.options.items() if key != CONF_DB_URL
        },
        "miner_count": len(hub.coordinators),
        "pools": [
            {
                "title": pool.title,
                "coin": pool.coin,
                "enabled": pool.enabled,
                "reachable": pool.data.reachable if pool.data else None,
                "health_score": pool.data.health_score if pool.data else None,
                "failed_over_miners": len(pool.failover.failed_over),
            }
            for pool in hub.pools.values()
        ],
        "strategy": _strategy_diagnostics(hub),
        "nmminer_listener": hub.nmminer_listener is not None,
        "miners": [
            _coordinator_diagnostics(coordinator)
            for coordinator in hub.coordinators.values()
        ],
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: HMMConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return one miner's diagnostics (the hub's for the hub device)."""
    if (DOMAIN, entry.entry_id) in device.identifiers:
        return await async_get_config_entry_diagnostics(hass, entry)
    for coordinator in entry.runtime_data.coordinators.values():
        if (DOMAIN, coordinator.device_identifier) in device.identifiers:
            return _coordinator_diagnostics(coordinator)
    return {"error": "not a miner of this hub"}


def _coordinator_diagnostics(coordinator: MinerCoordinator) -> dict[str, Any]:
    snapshot = coordinator.data
    return async_redact_data(
        {
            "title": coordinator.subentry.title,
            "subentry": dict(coordinator.subentry.data),
            "miner_id": coordinator.miner_id,
            "miner_type": coordinator.miner_type.value,
            "polling_enabled": coordinator.polling_enabled,
            "broadcast": coordinator.broadcast,
            "update_interval_s": (
                coordinator.update_interval.total_seconds()
                if coordinator.update_interval
                else None
            ),
            "last_update_success": coordinator.last_update_success,
            "last_exception": (
                repr(coordinator.last_exception) if coordinator.last_exception else None
            ),
            "modes": list(coordinator.driver.modes),
            "snapshot": _snapshot_dict(snapshot) if snapshot is not None else None,
        },
        TO_REDACT,
    )


def _snapshot_dict(snapshot: MinerSnapshot) -> dict[str, Any]:
    # Not dataclasses.asdict: ``extras`` may be a read-only mapping.
    data = {field.name: getattr(snapshot, field.name) for field in fields(snapshot)}
    data["extras"] = dict(snapshot.extras)
    data["pool_in_use"] = pool_address(snapshot.pool_in_use)
    return data


def _strategy_diagnostics(hub: HubData) -> dict[str, Any] | None:
    """Return the Agile strategy's state (bands, decision, miners: no secrets)."""
    runner = hub.strategy
    if not hub.prices.configured:
        return None
    return {
        "enabled": runner.enabled,
        "bands": [band.to_dict() for band in runner.bands],
        "enrolled_miner_ids": sorted(runner.enrolled),
        "decision": runner.decision.to_dict() if runner.decision else None,
        "miners": {
            str(miner_id): state.to_dict() for miner_id, state in runner.miners.items()
        },
    }
