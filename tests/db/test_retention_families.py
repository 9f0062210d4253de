"""Retention families owned by the database layer, and purges run twice.

Each purge is checked on both sides of its cutoff and one past each limit
(the 31st best share, not only the 30th), and a second run right after the
first must find nothing left to do.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.models import (
    Event,
    HighDiffShare,
    Pool,
    PoolHealth,
    Telemetry,
)
from custom_components.home_miner_manager.db.retention import (
    HIGH_DIFF_KEEP_TOP,
    HIGH_DIFF_SHARE_DAYS,
    POOL_HEALTH_DAYS,
    RETENTION_DEFAULTS,
)
from custom_components.home_miner_manager.db.rollup_models import (
    TelemetryDaily,
    TelemetryHourly,
)

from .conftest import add_miner

NOW = datetime(2026, 9, 1, 12, 30, tzinfo=UTC).replace(tzinfo=None)
SECOND = timedelta(seconds=1)
DB_PACKAGE = Path(const.__file__).parent / "db"


def _count(db: Database, model: Any) -> int:
    return int(db.run(lambda s: s.scalar(select(func.count()).select_from(model))))


def _share(db: Database, miner_id: int, difficulty: float, when: datetime) -> None:
    db.queue_insert(
        HighDiffShare,
        miner_id=miner_id,
        miner_name="m",
        miner_type="bitaxe",
        coin="BTC",
        pool_name="pool",
        difficulty=difficulty,
        was_block_solve=False,
        hashrate_unit="GH/s",
        timestamp=when,
    )


def test_families_and_defaults() -> None:
    """The historic option keys keep their days; the two new families exist."""
    assert dict(RETENTION_DEFAULTS) == {
        "telemetry_days": 7,
        "hourly_rollup_days": 30,
        "event_days": 30,
        "audit_days": 90,
        "notification_days": 90,
        "energy_price_days": 60,
        "health_score_days": 30,
        "pool_health_days": 7,
        "high_diff_share_days": 180,
    }
    assert HIGH_DIFF_KEEP_TOP == 30
    # Whatever the options layer holds must agree with the database layer.
    for key, days in const.DEFAULT_RETENTION.items():
        assert RETENTION_DEFAULTS[key] == days, key


def test_db_package_never_reaches_up() -> None:
    """No module of db/ imports Home Assistant or the integration's const."""
    offenders: list[str] = []
    for path in sorted(DB_PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                # from ..x import y: x is outside db/, in the integration.
                parts = ["custom_components.home_miner_manager"] * (node.level >= 2)
                module = ".".join([*parts, *filter(None, [node.module])])
                names = [module, *(f"{module}.{a.name}" for a in node.names)]
            else:
                continue
            offenders.extend(
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0] == "homeassistant"
                or name.endswith("home_miner_manager.const")
            )
    assert offenders == []


def test_pool_health_purge_boundary(database: Database) -> None:
    """Pool checks 1 s past the 7-day cutoff go; the one at the cutoff stays."""

    def _add_pool(session: Any) -> int:
        pool = Pool(name="p", url="pool.example", port=3333, user="u", password="x")
        session.add(pool)
        session.flush()
        return pool.id

    pool_id = database.run(_add_pool)
    cutoff = NOW - timedelta(days=RETENTION_DEFAULTS[POOL_HEALTH_DAYS])
    for when in (cutoff - 2 * SECOND, cutoff - SECOND, cutoff, NOW):
        database.queue_insert(
            PoolHealth, pool_id=pool_id, timestamp=when, is_reachable=True
        )
    database.flush()
    first = database.run_maintenance(NOW, RETENTION_DEFAULTS)
    assert first.purged["pool_health"] == 2
    kept = database.run(
        lambda s: list(s.scalars(select(PoolHealth.timestamp).order_by("timestamp")))
    )
    assert kept == [cutoff, NOW]
    second = database.run_maintenance(NOW, RETENTION_DEFAULTS)
    assert second.purged["pool_health"] == 0
    assert _count(database, PoolHealth) == 2


def test_high_diff_shares_keep_each_miners_best(database: Database) -> None:
    """Old shares go except each miner's 30 best; the 31st best goes too."""
    miner_a = add_miner(database, "a")
    miner_b = add_miner(database, "b")
    cutoff = NOW - timedelta(days=RETENTION_DEFAULTS[HIGH_DIFF_SHARE_DAYS])
    old = cutoff - timedelta(days=10)
    # Miner A: 32 old shares with difficulties 1..32, plus low ones around
    # the cutoff.
    for rank in range(1, 33):
        _share(database, miner_a, float(rank), old + rank * SECOND)
    _share(database, miner_a, 0.5, cutoff - SECOND)  # just old enough to go
    _share(database, miner_a, 0.25, cutoff)  # at the cutoff: stays
    _share(database, miner_a, 0.1, NOW)  # recent: stays whatever its rank
    # Miner B: one old share, far below A's, but B's own best: stays.
    _share(database, miner_b, 0.01, old)
    database.flush()

    result = database.run_maintenance(NOW, RETENTION_DEFAULTS)
    # A: 35 shares; the 30 best old ones (3..32), cutoff and NOW stay.
    assert result.purged["high_diff_shares"] == 3

    def _kept(session: Any, miner: int) -> list[float]:
        return list(
            session.scalars(
                select(HighDiffShare.difficulty)
                .where(HighDiffShare.miner_id == miner)
                .order_by(HighDiffShare.difficulty.desc())
            )
        )

    assert database.run(lambda s: _kept(s, miner_a)) == [
        *(float(rank) for rank in range(32, 2, -1)),
        0.25,
        0.1,
    ]
    assert database.run(lambda s: _kept(s, miner_b)) == [0.01]

    # A second run finds nothing to do, and a new 31st-best old share goes.
    again = database.run_maintenance(NOW, RETENTION_DEFAULTS)
    assert again.purged["high_diff_shares"] == 0
    _share(database, miner_a, 2.5, old)
    _share(database, miner_a, 40.0, old)  # new best: pushes 3.0 out
    database.flush()
    third = database.run_maintenance(NOW, RETENTION_DEFAULTS)
    assert third.purged["high_diff_shares"] == 2  # 2.5 and 3.0
    assert min(database.run(lambda s: _kept(s, miner_a))[:30]) == 4.0


def test_high_diff_ties_keep_the_older_share(sqlite_db: Database) -> None:
    """Equal difficulties at the 30th place: the older share keeps its place."""
    miner = add_miner(sqlite_db)
    old = NOW - timedelta(days=RETENTION_DEFAULTS[HIGH_DIFF_SHARE_DAYS] + 1)
    for rank in range(HIGH_DIFF_KEEP_TOP - 1):
        _share(sqlite_db, miner, 100.0 + rank, old)
    _share(sqlite_db, miner, 7.0, old + 2 * SECOND)  # ties, newer
    _share(sqlite_db, miner, 7.0, old + SECOND)  # ties, older: 30th
    sqlite_db.flush()
    sqlite_db.run_maintenance(NOW, RETENTION_DEFAULTS)
    survivors = sqlite_db.run(
        lambda s: list(
            s.scalars(
                select(HighDiffShare.timestamp).where(HighDiffShare.difficulty == 7.0)
            )
        )
    )
    assert survivors == [old + SECOND]


def test_second_maintenance_run_changes_nothing(database: Database) -> None:
    """Right after a run, a second one rolls up the same and purges nothing."""
    miner = add_miner(database)
    start = NOW - timedelta(days=10)
    for minute in range(0, 10 * 24 * 60, 90):  # every 90 min for 10 days
        database.queue_telemetry(
            miner, start + timedelta(minutes=minute), hashrate=500.0, power_watts=12.0
        )
    for day in range(40):
        database.queue_insert(
            Event,
            timestamp=NOW - timedelta(days=day),
            event_type="info",
            source="system",
            message="m",
        )
    database.flush()
    first = database.run_maintenance(NOW, RETENTION_DEFAULTS)
    assert first.purged["telemetry"] > 0
    assert first.purged["events"] == 9  # days 31..39 (day 30 is at the cutoff)
    counts = {
        model: _count(database, model)
        for model in (Telemetry, TelemetryHourly, TelemetryDaily, Event)
    }
    second = database.run_maintenance(NOW, RETENTION_DEFAULTS)
    assert set(second.purged.values()) == {0}
    assert set(second.purged) == set(first.purged)
    assert {model: _count(database, model) for model in counts} == counts
