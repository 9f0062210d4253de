"""Nightly maintenance: roll up complete hours, then purge, then optionally repack.

Retention is given in days per key (the option keys of ``const.py``); a
missing key takes its default and 0 or less keeps that data forever.  Daily
rollups are never purged.  Raw telemetry is never purged before it has been
rolled up, nor before the end of the day it belongs to has been rolled up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, cast

from sqlalchemy import delete, func, select, text

from custom_components.home_miner_manager.const import (
    CONF_AUDIT_DAYS,
    CONF_EVENT_DAYS,
    CONF_HEALTH_DAYS,
    CONF_HOURLY_DAYS,
    CONF_NOTIFICATION_DAYS,
    CONF_PRICE_DAYS,
    CONF_TELEMETRY_DAYS,
    DEFAULT_RETENTION,
)

from .models import (
    AuditLog,
    Base,
    EnergyPrice,
    Event,
    HealthScore,
    NotificationLog,
    Telemetry,
    to_naive_utc,
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

    from sqlalchemy import Table
    from sqlalchemy.engine import Engine

_T: Final = cast("Table", Telemetry.__table__)


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


# (retention key, model, timestamp column compared with the cutoff)
_PURGE: Final[tuple[tuple[str, type[Base], str], ...]] = (
    (CONF_TELEMETRY_DAYS, Telemetry, "timestamp"),
    (CONF_HOURLY_DAYS, TelemetryHourly, "period_start"),
    (CONF_EVENT_DAYS, Event, "timestamp"),
    (CONF_AUDIT_DAYS, AuditLog, "timestamp"),
    (CONF_NOTIFICATION_DAYS, NotificationLog, "timestamp"),
    (CONF_PRICE_DAYS, EnergyPrice, "valid_to"),  # a price slot is old once ended
    (CONF_HEALTH_DAYS, HealthScore, "timestamp"),
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
        days = retention.get(key, DEFAULT_RETENTION[key])
        if days <= 0:
            continue
        table = cast("Table", model.__table__)
        cutoff = now - timedelta(days=days)
        if model is Telemetry:
            # Keep what is not rolled up, and the whole current day (its
            # daily row is rewritten from raw rows at the next run).
            cutoff = min(cutoff, floor_day(rolled_up_until))
        with engine.begin() as conn:
            deleted = conn.execute(delete(table).where(table.c[column_name] < cutoff))
        result.purged[table.name] = max(deleted.rowcount or 0, 0)


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
