"""Check the source is HMM's schema; note which tables and columns it has.

Required: what every HMM version since its first schema has (miners, pools,
telemetry, prices, events, audit log, alert and rule settings), with the
columns this import reads.  Optional: tables and columns upstream added later
(shares and blocks, the Agile strategy, the rollups, ``hashrate_unit``...);
a missing one only skips that kind, with the reason in the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy import inspect

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection

REQUIRED: Final[Mapping[str, tuple[str, ...]]] = {
    "miners": ("id", "name", "miner_type", "ip_address", "port", "enabled", "config"),
    "pools": ("id", "name", "url", "port", "user", "password", "enabled", "priority"),
    "telemetry": (
        "id",
        "miner_id",
        "timestamp",
        "hashrate",
        "temperature",
        "power_watts",
        "shares_accepted",
        "shares_rejected",
        "pool_in_use",
        "data",
    ),
    "energy_prices": ("id", "region", "valid_from", "valid_to", "price_pence"),
    "events": ("id", "timestamp", "event_type", "source", "message", "data"),
    "audit_logs": ("id", "timestamp", "user", "action", "resource_type"),
    "alert_config": ("id", "alert_type", "enabled", "config"),
    "automation_rules": ("id", "name", "enabled", "trigger_type", "action_type"),
}

# Tables (and the columns read) that later HMM versions added.
OPTIONAL: Final[Mapping[str, tuple[str, ...]]] = {
    "high_diff_shares": ("id", "miner_id", "difficulty", "timestamp"),
    "blocks_found": ("id", "miner_id", "difficulty", "timestamp"),
    "agile_strategy": ("id", "enabled"),
    "agile_strategy_bands": (
        "id",
        "strategy_id",
        "min_price",
        "max_price",
        "target_coin",
        "bitaxe_mode",
        "nerdqaxe_mode",
        "avalon_nano_mode",
        "sort_order",
    ),
    "miner_strategy": ("miner_id", "strategy_enabled"),
    "telemetry_hourly": ("miner_id", "hour_start", "uptime_minutes"),
    "telemetry_daily": ("miner_id", "date", "uptime_minutes"),
}


class NotHmmDatabaseError(Exception):
    """The source lacks tables or columns every HMM database has."""

    def __init__(self, missing: list[str]) -> None:
        """Name what is missing (``table`` or ``table.column``)."""
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True, slots=True)
class SourceSchema:
    """Columns present per table (required ones all there)."""

    columns: Mapping[str, frozenset[str]]

    def has(self, table: str, *columns: str) -> bool:
        """Return True if ``table`` exists with every one of ``columns``."""
        present = self.columns.get(table)
        return present is not None and all(c in present for c in columns)

    def usable(self, table: str) -> bool:
        """Return True if an optional table is there with the columns read."""
        return self.has(table, *OPTIONAL.get(table, REQUIRED.get(table, ())))


def check_schema(conn: Connection) -> SourceSchema:
    """Inspect the source; raise :class:`NotHmmDatabaseError` naming what lacks."""
    inspector = inspect(conn)
    tables = set(inspector.get_table_names())
    columns = {
        table: frozenset(column["name"] for column in inspector.get_columns(table))
        for table in sorted(tables & (REQUIRED.keys() | OPTIONAL.keys()))
    }
    missing: list[str] = []
    for table, wanted in REQUIRED.items():
        if table not in columns:
            missing.append(table)
            continue
        missing.extend(f"{table}.{c}" for c in wanted if c not in columns[table])
    if missing:
        raise NotHmmDatabaseError(missing)
    return SourceSchema(columns)
