"""Which upstream HMM history tables an import copies, and into which of ours.

Each table is one :class:`CopySpec`: the source columns read, our table
written, the time column batches and retention go by, and the natural key that
tells a row already imported. Kept apart from the copying itself
(``history.py``) so that reads as the steps it takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import Column, MetaData, Table, Text

from ..db.models import (
    AuditLog,
    BlockFound,
    EnergyPrice,
    Event,
    HighDiffShare,
    Telemetry,
)
from ..db.retention import (
    AUDIT_DAYS,
    ENERGY_PRICE_DAYS,
    EVENT_DAYS,
    HOURLY_ROLLUP_DAYS,
    RETENTION_DEFAULTS,
    TELEMETRY_DAYS,
)
from ..db.rollup_models import TelemetryDaily, TelemetryHourly

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True, slots=True)
class CopySpec:
    """One source table copied into one of ours: its columns and natural key."""

    kind: str
    source: str
    columns: tuple[str, ...]
    target: Table
    time_col: str
    key_cols: tuple[str, ...]
    per_miner: bool


def table_of(model: type[Any]) -> Table:
    """Return the SQLAlchemy table behind one of our models."""
    return cast("Table", model.__table__)


# ``telemetry`` with ``data`` as plain text: the source's JSON text goes in as
# it came (decoding and encoding millions of objects doubles the import time).
_RAW_TELEMETRY: Final = Table(
    "telemetry",
    MetaData(),
    *(
        Column(c.name, Text if c.name == "data" else c.type, primary_key=c.primary_key)
        for c in table_of(Telemetry).columns
    ),
)


# Which retention option bounds each kind (see db/retention.py).
_RETENTION_KEYS: Final = {
    "telemetry": TELEMETRY_DAYS,
    "telemetry_hourly": HOURLY_ROLLUP_DAYS,
    "energy_prices": ENERGY_PRICE_DAYS,
    "events": EVENT_DAYS,
    "audit_logs": AUDIT_DAYS,
}


def keep_since(now: datetime, retention: Mapping[str, int]) -> dict[str, datetime]:
    """Oldest time kept per kind under ``retention`` (days; 0 keeps forever)."""
    cutoffs: dict[str, datetime] = {}
    for kind, key in _RETENTION_KEYS.items():
        days = retention.get(key, RETENTION_DEFAULTS[key])
        if days > 0:
            cutoffs[kind] = now - timedelta(days=days)
    return cutoffs


_FOUND_COLUMNS: Final = (
    "miner_id",
    "miner_name",
    "miner_type",
    "coin",
    "pool_name",
    "difficulty",
    "network_difficulty",
    "hashrate",
    "hashrate_unit",
    "miner_mode",
    "timestamp",
)
_ROLLUP_COLUMNS: Final = (
    "miner_id",
    "uptime_minutes",
    "avg_hashrate",
    "min_hashrate",
    "max_hashrate",
    "hashrate_unit",
    "avg_temperature",
    "peak_temperature",
    "total_kwh",
    "shares_accepted",
    "shares_rejected",
    "reject_rate_pct",
)


def copy_specs() -> list[CopySpec]:
    """Every history table an import copies, in the order it copies them."""
    telemetry = _RAW_TELEMETRY
    return [
        CopySpec(
            "telemetry",
            "telemetry",
            tuple(c.name for c in telemetry.columns if c.name != "id"),
            telemetry,
            "timestamp",
            ("miner_id", "timestamp"),
            per_miner=True,
        ),
        CopySpec(
            "telemetry_hourly",
            "telemetry_hourly",
            (*_ROLLUP_COLUMNS, "hour_start"),
            table_of(TelemetryHourly),
            "period_start",
            ("miner_id", "period_start"),
            per_miner=True,
        ),
        CopySpec(
            "telemetry_daily",
            "telemetry_daily",
            (*_ROLLUP_COLUMNS, "date"),
            table_of(TelemetryDaily),
            "period_start",
            ("miner_id", "period_start"),
            per_miner=True,
        ),
        CopySpec(
            "high_diff_shares",
            "high_diff_shares",
            (*_FOUND_COLUMNS, "was_block_solve"),
            table_of(HighDiffShare),
            "timestamp",
            ("miner_id", "timestamp", "difficulty"),
            per_miner=True,
        ),
        CopySpec(
            "blocks_found",
            "blocks_found",
            (*_FOUND_COLUMNS, "block_height", "block_reward"),
            table_of(BlockFound),
            "timestamp",
            ("miner_id", "timestamp"),
            per_miner=True,
        ),
        CopySpec(
            "energy_prices",
            "energy_prices",
            ("region", "valid_from", "valid_to", "price_pence", "created_at"),
            table_of(EnergyPrice),
            "valid_from",
            ("region", "valid_from"),
            per_miner=False,
        ),
        CopySpec(
            "events",
            "events",
            ("timestamp", "event_type", "source", "message", "data"),
            table_of(Event),
            "timestamp",
            ("timestamp", "event_type", "message"),
            per_miner=False,
        ),
        CopySpec(
            "audit_logs",
            "audit_logs",
            tuple(c.name for c in table_of(AuditLog).columns if c.name != "id"),
            table_of(AuditLog),
            "timestamp",
            ("timestamp", "action", "resource_type", "resource_name"),
            per_miner=False,
        ),
    ]
