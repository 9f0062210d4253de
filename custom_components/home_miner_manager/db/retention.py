"""Nightly maintenance: roll up complete hours, then purge, then optionally repack.

The retention families and their default days live here (the database layer
owns them; the integration's options use the same keys).  Retention is given
in days per family; a missing family takes its default and 0 or less keeps
that data forever.  Daily rollups are never purged.  Raw telemetry is never
purged before it has been rolled up, nor before the end of the day it
belongs to has been rolled up.  Each miner's ``HIGH_DIFF_KEEP_TOP`` best
shares are kept whatever their age (the leaderboard).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

from sqlalchemy import delete, func, select, text

from .base import Base, to_naive_utc
from .models import (
    AuditLog,
    EnergyPrice,
    Event,
    HealthScore,
    HighDiffShare,
    NotificationLog,
    PoolHealth,
    Telemetry,
)
from .rollup import (
    DAILY,
    DAY,
    HOUR,
    HOURLY,
    HOURLY_TABLE,
    floor_day,
    floor_hour,
    rollup,
)
from .rollup_models import TelemetryHourly

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection, Table
    from sqlalchemy.engine import Engine

# Retention families: the keys of the ``retention`` mapping (and of the
# integration's options), in days.
TELEMETRY_DAYS: Final = "telemetry_days"
HOURLY_ROLLUP_DAYS: Final = "hourly_rollup_days"
EVENT_DAYS: Final = "event_days"
AUDIT_DAYS: Final = "audit_days"
NOTIFICATION_DAYS: Final = "notification_days"
ENERGY_PRICE_DAYS: Final = "energy_price_days"
HEALTH_SCORE_DAYS: Final = "health_score_days"
POOL_HEALTH_DAYS: Final = "pool_health_days"
HIGH_DIFF_SHARE_DAYS: Final = "high_diff_share_days"

RETENTION_DEFAULTS: Final[Mapping[str, int]] = MappingProxyType(
    {
        TELEMETRY_DAYS: 7,
        HOURLY_ROLLUP_DAYS: 30,
        EVENT_DAYS: 30,
        AUDIT_DAYS: 90,
        NOTIFICATION_DAYS: 90,
        ENERGY_PRICE_DAYS: 60,
        HEALTH_SCORE_DAYS: 30,
        POOL_HEALTH_DAYS: 7,
        HIGH_DIFF_SHARE_DAYS: 180,
    }
)
# Best shares per miner kept beyond HIGH_DIFF_SHARE_DAYS (the leaderboard).
HIGH_DIFF_KEEP_TOP: Final = 30

_T: Final = cast("Table", Telemetry.__table__)
_HDS: Final = cast("Table", HighDiffShare.__table__)


@dataclass(slots=True)
class MaintenanceResult:
    """What one maintenance run did."""

    rolled_up_until: datetime | None = None
    hourly_rows: int = 0
    daily_rows: int = 0
    purged: dict[str, int] = field(default_factory=dict)


def rollup_pending(
    engine: Engine, now: datetime, result: MaintenanceResult
) -> datetime:
    """Roll up every complete hour not rolled up yet; return the end reached.

    Work goes a day at a time from the midnight before the first pending hour
    (one transaction per day keeps a first run over months of data bounded),
    so a day split over two nightly runs ends up complete.
    """
    end = floor_hour(to_naive_utc(now))
    with engine.connect() as conn:
        last = conn.scalar(select(func.max(HOURLY_TABLE.c.period_start)))
        oldest = conn.scalar(select(func.min(_T.c.timestamp)))
    result.rolled_up_until = end
    if oldest is None:
        return end
    start = floor_hour(oldest)
    if last is not None:
        start = max(start, last + HOUR)
    day = floor_day(start)
    while day < end:
        chunk_end = min(day + DAY, end)
        with engine.begin() as conn:
            written = rollup(conn, day, chunk_end, (HOURLY, DAILY))
        result.hourly_rows += written[HOURLY.table.name]
        result.daily_rows += written[DAILY.table.name]
        day += DAY
    return end


# (retention family, model, timestamp column compared with the cutoff)
_PURGE: Final[tuple[tuple[str, type[Base], str], ...]] = (
    (TELEMETRY_DAYS, Telemetry, "timestamp"),
    (HOURLY_ROLLUP_DAYS, TelemetryHourly, "period_start"),
    (EVENT_DAYS, Event, "timestamp"),
    (AUDIT_DAYS, AuditLog, "timestamp"),
    (NOTIFICATION_DAYS, NotificationLog, "timestamp"),
    (ENERGY_PRICE_DAYS, EnergyPrice, "valid_to"),  # a price slot is old once ended
    (HEALTH_SCORE_DAYS, HealthScore, "timestamp"),
    (POOL_HEALTH_DAYS, PoolHealth, "timestamp"),
    (HIGH_DIFF_SHARE_DAYS, HighDiffShare, "timestamp"),
)


def purge(
    engine: Engine,
    now: datetime,
    retention: Mapping[str, int],
    rolled_up_until: datetime,
    result: MaintenanceResult,
) -> None:
    """Delete rows older than their retention (rows exactly at the cutoff stay)."""
    now = to_naive_utc(now)
    for key, model, column_name in _PURGE:
        days = retention.get(key, RETENTION_DEFAULTS[key])
        if days <= 0:
            continue
        table = cast("Table", model.__table__)
        cutoff = now - timedelta(days=days)
        if model is Telemetry:
            # Keep what is not rolled up, and the whole current day (its
            # daily row is rewritten from raw rows at the next run).
            cutoff = min(cutoff, floor_day(rolled_up_until))
        with engine.begin() as conn:
            if model is HighDiffShare:
                deleted = _purge_high_diff_shares(conn, cutoff)
            else:
                done = conn.execute(delete(table).where(table.c[column_name] < cutoff))
                deleted = max(done.rowcount or 0, 0)
        result.purged[table.name] = deleted


def _purge_high_diff_shares(conn: Connection, cutoff: datetime) -> int:
    """Delete shares older than ``cutoff`` except each miner's best ones.

    The best are the ``HIGH_DIFF_KEEP_TOP`` highest difficulties (the oldest
    first among equals, as the leaderboard ranks them).  Ids are fetched per
    miner rather than in a subquery: MySQL refuses LIMIT inside IN (...).
    """
    miner_ids = conn.scalars(
        select(_HDS.c.miner_id).where(_HDS.c.timestamp < cutoff).distinct()
    ).all()
    deleted = 0
    for miner_id in miner_ids:
        best = conn.scalars(
            select(_HDS.c.id)
            .where(_HDS.c.miner_id == miner_id)
            .order_by(_HDS.c.difficulty.desc(), _HDS.c.timestamp, _HDS.c.id)
            .limit(HIGH_DIFF_KEEP_TOP)
        ).all()
        done = conn.execute(
            delete(_HDS).where(
                _HDS.c.miner_id == miner_id,
                _HDS.c.timestamp < cutoff,
                _HDS.c.id.not_in(best),
            )
        )
        deleted += max(done.rowcount or 0, 0)
    return deleted


def vacuum(engine: Engine) -> None:
    """Give freed pages back to the file system and refresh planner statistics."""
    if engine.dialect.name not in ("sqlite", "postgresql"):
        return
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM" if sqlite else "VACUUM ANALYZE"))
        if sqlite:
            # VACUUM goes through the WAL; fold it back and shrink the WAL file.
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def run_maintenance(
    engine: Engine,
    now: datetime,
    retention: Mapping[str, int],
    *,
    repack: bool = False,
) -> MaintenanceResult:
    """Roll up, then purge, then optionally repack.  Blocking."""
    result = MaintenanceResult()
    rolled_until = rollup_pending(engine, now, result)
    purge(engine, now, retention, rolled_until, result)
    if repack:
        vacuum(engine)
    return result
