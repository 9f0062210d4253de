"""Rollups and purge on data with irregular gaps, a reboot and an outage.

Expected figures are worked out by hand in the comments, from the rule in
``db/rollup.py``: a sample's power holds until the next sample, for at most
10 minutes, split at period boundaries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.models import (
    AuditLog,
    EnergyPrice,
    Event,
    HealthScore,
    NotificationLog,
    Telemetry,
)
from custom_components.home_miner_manager.db.retention import (
    AUDIT_DAYS,
    ENERGY_PRICE_DAYS,
    EVENT_DAYS,
    HEALTH_SCORE_DAYS,
    HOURLY_ROLLUP_DAYS,
    NOTIFICATION_DAYS,
    RETENTION_DEFAULTS,
    TELEMETRY_DAYS,
)
from custom_components.home_miner_manager.db.rollup import hashrate_ghs
from custom_components.home_miner_manager.db.rollup_models import (
    TelemetryDaily,
    TelemetryHourly,
)

from .conftest import add_miner

D0 = datetime(2026, 1, 5, tzinfo=UTC).replace(tzinfo=None)  # naive UTC, as stored
# (time on D0, hashrate, unit, temperature, watts, accepted, rejected)
MINER_A = [
    ("10:00:00", 500.0, "GH/s", 60.0, 12.0, 100, 1),
    ("10:00:30", 510.0, "GH/s", 62.0, 12.0, 110, 1),  # +10 / +0
    ("10:01:40", 490.0, "GH/s", None, 12.0, 120, 2),  # 70 s gap; +10 / +1
    ("10:02:00", 0.5, "TH/s", 61.0, 12.0, 125, 2),  # 500 GH/s; +5 / +0
    # 38 min offline, rebooted: counters restart (+3 / +0)
    ("10:40:00", 480.0, "GH/s", 58.0, 12.0, 3, 0),
    ("10:59:00", 520.0, "GH/s", 63.0, 24.0, 50, 1),  # 19 min gap; +47 / +1
    ("11:00:30", 505.0, "GH/s", 64.0, 20.0, 60, 1),  # crosses the hour; +10 / +0
    ("11:01:00", 495.0, "GH/s", 65.0, 30.0, 70, 2),  # last one; +10 / +1
]
# Hour 10 energy: 12 W x (30+70+20 + 600 capped + 600 capped) s + 24 W x 60 s
HOUR10_WS = 12 * 1320 + 24 * 60
# Hour 11: 24 W x 30 s + 20 W x 30 s + 30 W x 600 s (held the full cap)
HOUR11_WS = 24 * 30 + 20 * 30 + 30 * 600


def _at(clock: str, day: int = 0) -> datetime:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return D0 + timedelta(days=day, hours=hours, minutes=minutes, seconds=seconds)


def _load(db: Database) -> tuple[int, int]:
    miner_a = add_miner(db, "bitaxe")
    miner_b = add_miner(db, "nmminer", manual_power_watts=2)
    for clock, rate, unit, temp, watts, acc, rej in MINER_A:
        db.queue_telemetry(
            miner_a,
            _at(clock),
            hashrate=rate,
            hashrate_unit=unit,
            temperature=temp,
            power_watts=watts,
            shares_accepted=acc,
            shares_rejected=rej,
        )
    # NMMiner: 1 MH/s, no power reading (manual 2 W), every 60 s for 10 samples.
    for minute in range(10):
        db.queue_telemetry(
            miner_b, _at(f"10:{minute:02d}:00"), hashrate=1.0, hashrate_unit="MH/s"
        )
    # Later days: one sample at noon on days 1, 2, 5 and 8.
    for day in (1, 2, 5, 8):
        db.queue_telemetry(
            miner_a, _at("12:00:00", day), hashrate=500.0, power_watts=12.0
        )
    db.flush()
    return miner_a, miner_b


def _rows(db: Database, model: Any, miner_id: int) -> list[dict[str, Any]]:
    def _read(session: Any) -> list[dict[str, Any]]:
        result = session.execute(
            select(model.__table__)
            .where(model.__table__.c.miner_id == miner_id)
            .order_by(model.__table__.c.period_start)
        )
        # ids change when a period is rewritten; the figures must not.
        return [{k: v for k, v in row._mapping.items() if k != "id"} for row in result]

    return db.run(_read)


def _count(db: Database, model: Any) -> int:
    return int(
        db.run(
            lambda s: s.execute(select(func.count()).select_from(model)).scalar_one()
        )
    )


def test_hashrate_normalization() -> None:
    """Every unit the devices report ends up in GH/s."""
    assert hashrate_ghs(1013.4, "KH/s") == pytest.approx(0.0010134)
    assert hashrate_ghs(1.0154, "MH/s") == pytest.approx(0.0010154)
    assert hashrate_ghs(480.0, "GH/s") == 480.0
    assert hashrate_ghs(1.2, "TH/s") == pytest.approx(1200.0)
    assert hashrate_ghs(480.0, None) == 480.0
    assert hashrate_ghs(None, "GH/s") is None
    assert hashrate_ghs(1.0, "bogus") is None


def test_rollup_figures(database: Database) -> None:
    """kWh from real gaps, averages, share deltas over a reboot, reject %."""
    miner_a, miner_b = _load(database)
    result = database.run_maintenance(_at("12:30:00", 9), RETENTION_DEFAULTS)
    assert result.rolled_up_until == _at("12:00:00", 9)

    hourly = _rows(database, TelemetryHourly, miner_a)
    h10, h11 = hourly[0], hourly[1]
    assert h10["period_start"] == _at("10:00:00")
    assert h10["sample_count"] == 6
    assert h10["hashrate_avg_ghs"] == pytest.approx(500.0)
    assert (h10["hashrate_min_ghs"], h10["hashrate_max_ghs"]) == (480.0, 520.0)
    assert h10["temperature_avg"] == pytest.approx(304 / 5)
    assert h10["temperature_max"] == 63.0
    assert h10["online_seconds"] == pytest.approx(1380)
    assert h10["energy_kwh"] == pytest.approx(HOUR10_WS / 3_600_000)
    assert (h10["shares_accepted"], h10["shares_rejected"]) == (75, 2)
    assert h10["reject_pct"] == pytest.approx(2 / 77 * 100)

    assert h11["period_start"] == _at("11:00:00")
    assert h11["sample_count"] == 2
    assert h11["hashrate_avg_ghs"] == pytest.approx(500.0)
    assert h11["online_seconds"] == pytest.approx(660)
    assert h11["energy_kwh"] == pytest.approx(HOUR11_WS / 3_600_000)
    assert (h11["shares_accepted"], h11["shares_rejected"]) == (20, 1)

    day0 = _rows(database, TelemetryDaily, miner_a)[0]
    assert day0["period_start"] == D0
    assert day0["sample_count"] == 8
    assert day0["energy_kwh"] == pytest.approx((HOUR10_WS + HOUR11_WS) / 3_600_000)
    assert (day0["shares_accepted"], day0["shares_rejected"]) == (95, 3)
    assert day0["reject_pct"] == pytest.approx(3 / 98 * 100)
    # Exact over the day's raw samples (7 temperatures), not a mean of means.
    assert day0["temperature_avg"] == pytest.approx((304 + 64 + 65) / 7)
    assert (day0["hashrate_min_ghs"], day0["hashrate_max_ghs"]) == (480.0, 520.0)

    # NMMiner: 0.001 GH/s; manual 2 W over 9 x 60 s + the last sample's 600 s.
    (b10,) = _rows(database, TelemetryHourly, miner_b)
    assert b10["hashrate_avg_ghs"] == pytest.approx(0.001)
    assert b10["temperature_avg"] is None
    assert b10["energy_kwh"] == pytest.approx(2 * 1140 / 3_600_000)
    assert b10["reject_pct"] is None

    # Each later noon sample: one hour and one day, 10 minutes at 12 W.
    later = [row for row in hourly if row["period_start"] >= _at("00:00:00", 1)]
    assert [row["period_start"] for row in later] == [
        _at("12:00:00", day) for day in (1, 2, 5, 8)
    ]
    assert all(
        row["energy_kwh"] == pytest.approx(12 * 600 / 3_600_000) for row in later
    )
    daily = _rows(database, TelemetryDaily, miner_a)
    assert [row["period_start"] for row in daily] == [
        D0 + timedelta(days=day) for day in (0, 1, 2, 5, 8)
    ]


def test_rollup_is_idempotent(database: Database) -> None:
    """Running again, or over a day split between runs, counts nothing twice."""
    miner_a, _ = _load(database)
    keep = dict(RETENTION_DEFAULTS, **{TELEMETRY_DAYS: 0})  # raw kept
    # First run stops at 11:00 on D0: hour 10 done, the day partial.
    first = database.run_maintenance(_at("11:00:00"), keep)
    assert first.hourly_rows == 2  # miners A and B, hour 10
    partial = _rows(database, TelemetryDaily, miner_a)[0]
    assert partial["sample_count"] == 6
    # 10:59:00's power is held only up to the run's end (11:00) for now.
    assert partial["energy_kwh"] == pytest.approx(HOUR10_WS / 3_600_000)

    database.run_maintenance(_at("12:30:00", 9), keep)
    hourly_once = _rows(database, TelemetryHourly, miner_a)
    daily_once = _rows(database, TelemetryDaily, miner_a)
    again = database.run_maintenance(_at("12:30:00", 9), keep)
    # The latest day with data is rewritten (same figures), nothing is added.
    assert (again.hourly_rows, again.daily_rows) == (1, 1)
    assert _rows(database, TelemetryHourly, miner_a) == hourly_once
    assert _rows(database, TelemetryDaily, miner_a) == daily_once
    assert daily_once[0]["sample_count"] == 8
    assert daily_once[0]["energy_kwh"] == pytest.approx(
        (HOUR10_WS + HOUR11_WS) / 3_600_000
    )
    # Hourly and daily agree.
    assert sum(r["energy_kwh"] for r in hourly_once) == pytest.approx(
        sum(r["energy_kwh"] for r in daily_once)
    )


def test_purge_boundaries(database: Database) -> None:
    """Rows older than their retention go; rows exactly at the cutoff stay."""
    miner_a, _ = _load(database)
    now = _at("12:30:00", 9)
    second = timedelta(seconds=1)
    logs: dict[Any, dict[str, Any]] = {
        Event: {"event_type": "info", "source": "system", "message": "m"},
        AuditLog: {"action": "update", "resource_type": "miner"},
        NotificationLog: {
            "channel_type": "telegram",
            "alert_type": "miner_offline",
            "message": "m",
            "success": True,
        },
        HealthScore: {
            "miner_id": miner_a,
            "overall_score": 90.0,
            "uptime_score": 90.0,
            "hashrate_score": 90.0,
            "reject_rate_score": 90.0,
        },
    }
    days = {
        Event: EVENT_DAYS,
        AuditLog: AUDIT_DAYS,
        NotificationLog: NOTIFICATION_DAYS,
        HealthScore: HEALTH_SCORE_DAYS,
    }
    for model, values in logs.items():
        cutoff = now - timedelta(days=RETENTION_DEFAULTS[days[model]])
        database.queue_insert(model, timestamp=cutoff - second, **values)
        database.queue_insert(model, timestamp=cutoff, **values)
    raw_cutoff = now - timedelta(days=RETENTION_DEFAULTS[TELEMETRY_DAYS])
    for when in (raw_cutoff - second, raw_cutoff):
        database.queue_telemetry(miner_a, when, hashrate=500.0)
    price_cutoff = now - timedelta(days=RETENTION_DEFAULTS[ENERGY_PRICE_DAYS])
    for valid_to in (price_cutoff - second, price_cutoff):
        database.queue_insert(
            EnergyPrice,
            region="C",
            valid_from=valid_to - timedelta(minutes=30),
            valid_to=valid_to,
            price_pence=20.0,
        )
    database.flush()

    retention = dict(RETENTION_DEFAULTS, **{HOURLY_ROLLUP_DAYS: 5})
    result = database.run_maintenance(now, retention)

    for model in (*logs, EnergyPrice):
        assert _count(database, model) == 1, model.__tablename__
    # Raw: cutoff is day 2 12:30 → D0 (8 + 10 rows), day 1, day 2 noon and
    # 12:29:59 go; 12:30:00 and days 5 and 8 stay.
    assert result.purged["telemetry"] == 21
    kept = database.run(
        lambda s: list(
            s.scalars(select(Telemetry.timestamp).order_by(Telemetry.timestamp))
        )
    )
    assert kept == [_at("12:30:00", 2), _at("12:00:00", 5), _at("12:00:00", 8)]
    # Hourly kept 5 days (from day 4 12:30): only day 5 and day 8 noon remain.
    assert [r["period_start"] for r in _rows(database, TelemetryHourly, miner_a)] == [
        _at("12:00:00", 5),
        _at("12:00:00", 8),
    ]
    # Daily rows are kept forever.
    assert len(_rows(database, TelemetryDaily, miner_a)) == 5


def test_zero_days_keeps_forever(sqlite_db: Database) -> None:
    """A retention of 0 days disables purging for that data."""
    _load(sqlite_db)
    sqlite_db.queue_insert(
        Event, timestamp=D0, event_type="info", source="system", message="old"
    )
    sqlite_db.flush()
    result = sqlite_db.run_maintenance(
        _at("12:00:00", 400), dict.fromkeys(RETENTION_DEFAULTS, 0)
    )
    assert result.purged == {}
    assert _count(sqlite_db, Telemetry) == 22
    assert _count(sqlite_db, Event) == 1
    assert _count(sqlite_db, TelemetryHourly) == 7  # A: 2 + 4 noons, B: 1
