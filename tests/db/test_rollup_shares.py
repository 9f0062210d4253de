"""Share deltas in the rollups when only one counter restarts.

The rule (``db/rollup.py``): a drop of EITHER lifetime counter means the miner
restarted, and the new values are the delta.  The fixtures of
``test_retention.py`` always drop both counters together; here only one
drops, the other stays at 0 (or keeps rising), reboots come twice, and one
sits right after the midnight that splits two maintenance runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.retention import (
    RETENTION_DEFAULTS,
    TELEMETRY_DAYS,
)
from custom_components.home_miner_manager.db.rollup_models import (
    TelemetryDaily,
    TelemetryHourly,
)

from .conftest import add_miner

D0 = datetime(2026, 2, 2, tzinfo=UTC).replace(tzinfo=None)
KEEP_RAW = dict(RETENTION_DEFAULTS, **{TELEMETRY_DAYS: 0})


def _load(db: Database, counters: list[tuple[int | None, int | None]]) -> int:
    """One sample a minute from 10:00 on D0 with these (accepted, rejected)."""
    miner = add_miner(db)
    for minute, (acc, rej) in enumerate(counters):
        db.queue_telemetry(
            miner,
            D0 + timedelta(hours=10, minutes=minute),
            hashrate=500.0,
            shares_accepted=acc,
            shares_rejected=rej,
        )
    db.flush()
    return miner


def _shares(db: Database, model: Any, miner: int) -> list[tuple[int, int]]:
    def _read(session: Any) -> list[tuple[int, int]]:
        rows = session.execute(
            select(model.shares_accepted, model.shares_rejected)
            .where(model.miner_id == miner)
            .order_by(model.period_start)
        )
        return [tuple(row) for row in rows]

    return db.run(_read)


@pytest.mark.parametrize(
    ("counters", "expected"),
    [
        pytest.param(
            # accepted drops (reboot), rejected stays 0: +20, +7, +3
            [(100, 0), (120, 0), (7, 0), (10, 0)],
            (30, 0),
            id="accepted-drops-rejected-zero",
        ),
        pytest.param(
            # rejected drops, accepted stays 0: +2, +1, +1
            [(0, 4), (0, 6), (0, 1), (0, 2)],
            (0, 4),
            id="rejected-drops-accepted-zero",
        ),
        pytest.param(
            # rejected alone drops while accepted rose past its old value: the
            # restart is still seen, accepted counts from 0 (110, not +10).
            [(100, 3), (110, 0), (115, 1)],
            (115, 1),
            id="rejected-drops-accepted-rises",
        ),
        pytest.param(
            # two reboots in a row, the second straight after the first
            [(50, 5), (2, 0), (1, 0), (4, 1)],
            (2 + 1 + 3, 1),
            id="rebooted-twice",
        ),
        pytest.param(
            # a sample missing one counter is skipped, not taken as a drop
            [(100, 2), (None, 3), (110, None), (120, 2)],
            (20, 0),
            id="one-counter-missing",
        ),
    ],
)
def test_single_counter_restart_never_goes_negative(
    database: Database,
    counters: list[tuple[int | None, int | None]],
    expected: tuple[int, int],
) -> None:
    """Hourly and daily share counts are exact and never negative."""
    miner = _load(database, counters)
    database.run_maintenance(D0 + timedelta(days=1, hours=1), KEEP_RAW)
    hourly = _shares(database, TelemetryHourly, miner)
    daily = _shares(database, TelemetryDaily, miner)
    assert hourly == [expected]
    assert daily == [expected]


def test_restart_right_after_the_split_between_runs(database: Database) -> None:
    """The reboot sample opens the second run; its previous sample is in the first."""
    miner = add_miner(database)
    samples = [
        (D0 + timedelta(hours=23, minutes=58), 500, 0),
        (D0 + timedelta(hours=23, minutes=59), 510, 0),
        (D0 + timedelta(days=1, minutes=1), 3, 0),  # rebooted at midnight
        (D0 + timedelta(days=1, minutes=2), 8, 0),
    ]
    for when, acc, rej in samples:
        database.queue_telemetry(
            miner, when, hashrate=1.0, shares_accepted=acc, shares_rejected=rej
        )
    database.flush()
    database.run_maintenance(D0 + timedelta(days=1), KEEP_RAW)  # day 0 only
    database.run_maintenance(D0 + timedelta(days=1, hours=2), KEEP_RAW)
    assert _shares(database, TelemetryDaily, miner) == [(10, 0), (8, 0)]
    assert _shares(database, TelemetryHourly, miner) == [(10, 0), (8, 0)]
