"""The writer thread: batching, flush, close, retries, loop responsiveness."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
import logging
from pathlib import Path
import sqlite3
import threading
import time
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, text

from custom_components.home_miner_manager.db import (
    Database,
    DatabaseClosedError,
    DatabaseConnectionError,
)
from custom_components.home_miner_manager.db.models import (
    AlertConfig,
    Event,
    Miner,
    Telemetry,
)
from custom_components.home_miner_manager.db.telemetry_rows import TELEMETRY_TABLE
from custom_components.home_miner_manager.db.writer import WRITER_THREAD_NAME

from .conftest import add_miner

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).replace(
    tzinfo=None
)  # naive UTC, as stored


def _telemetry_count(db: Database) -> int:
    return int(
        db.run(
            lambda s: s.execute(
                select(func.count()).select_from(Telemetry)
            ).scalar_one()
        )
    )


def _db_threads() -> list[str]:
    return [
        t.name
        for t in threading.enumerate()
        if t.name == WRITER_THREAD_NAME or t.name.startswith("hmm_db")
    ]


def _wait_for(condition: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


@pytest.fixture
def commits(sqlite_db: Database) -> Iterator[list[int]]:
    """Count real COMMITs on the engine."""
    seen: list[int] = []

    def _on_commit(_conn: Any) -> None:
        seen.append(1)

    event.listen(sqlite_db.engine, "commit", _on_commit)
    yield seen
    event.remove(sqlite_db.engine, "commit", _on_commit)


def test_one_transaction_per_flush(sqlite_url: str) -> None:
    """12,001 rows queued while the writer is busy → 3 commits of ≤ 5,000."""
    db = Database.open(sqlite_url, batch_size=5000)
    try:
        miner = add_miner(db)
        seen: list[int] = []
        event.listen(db.engine, "commit", lambda _c: seen.append(1))
        gate = threading.Event()
        busy = db._writer.submit(lambda _engine: gate.wait(10))
        for i in range(12_001):
            db.queue_telemetry(miner, T0 + timedelta(seconds=i), hashrate=float(i))
        gate.set()
        busy.result(10)
        db.flush(timeout=30)
        assert len(seen) == 3
        assert db.writer_stats.commits == 3
        assert _telemetry_count(db) == 12_001
    finally:
        db.close()


def test_fields_and_timezones(sqlite_db: Database) -> None:
    """Aware timestamps are stored as naive UTC; missing fields are NULL."""
    miner = add_miner(sqlite_db)
    plus_one = timezone(timedelta(hours=1))
    sqlite_db.queue_telemetry(
        miner,
        datetime(2026, 3, 1, 13, 0, tzinfo=plus_one),
        power_watts=15.5,
        pool_in_use="stratum+tcp://pool.example:3333",
        data={"best_session_diff": 4.29e6},
    )
    sqlite_db.queue_insert(
        Event,
        timestamp=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        event_type="info",
        source="system",
        message="hello",
    )
    sqlite_db.flush()
    row = sqlite_db.run(lambda s: s.execute(select(Telemetry)).scalar_one())
    assert row.timestamp == T0
    assert (row.power_watts, row.hashrate, row.temperature) == (15.5, None, None)
    assert row.data == {"best_session_diff": 4.29e6}
    assert sqlite_db.run(lambda s: s.scalar(select(Event.timestamp))) == T0


def test_unknown_fields_are_refused(sqlite_db: Database) -> None:
    """The classic upstream mistakes fail loudly instead of being dropped."""
    with pytest.raises(TypeError, match="power"):
        sqlite_db.queue_telemetry(1, T0, power=15.0)
    with pytest.raises(TypeError, match="uptime"):
        sqlite_db.queue_telemetry(1, T0, uptime=3600)
    with pytest.raises(TypeError, match="current_pool"):
        sqlite_db.queue_insert(Event, current_pool="x")


async def test_async_flush_and_run(database: Database) -> None:
    """async_flush waits for the commit; async_run reads it back (both backends)."""

    def _create(session: Any) -> int:
        miner = Miner(name="m", miner_type="bitaxe", ip_address="127.0.0.1")
        session.add(miner)
        session.flush()
        return miner.id

    miner_id = await database.async_run(_create)
    for i in range(2000):
        database.queue_telemetry(miner_id, T0 + timedelta(seconds=i), hashrate=1.0)
    await database.async_flush()
    count = await database.async_run(
        lambda s: s.scalar(select(func.count()).select_from(Telemetry))
    )
    assert count == 2000


async def test_loop_keeps_ticking_during_10000_rows(sqlite_db: Database) -> None:
    """Queueing 10,000 rows never blocks the loop; every row lands."""
    loop = asyncio.get_running_loop()
    miner_id = await loop.run_in_executor(None, add_miner, sqlite_db)
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    for i in range(10_000):
        sqlite_db.queue_telemetry(
            miner_id, T0 + timedelta(seconds=30 * i), hashrate=480.0, power_watts=15.0
        )
        if i % 500 == 0:
            await asyncio.sleep(0)  # a coordinator yields between polls
    ticks_before_flush = ticks
    await sqlite_db.async_flush()
    ticks_during_flush = ticks - ticks_before_flush
    stop.set()
    await task
    assert ticks_during_flush > 0
    assert (
        await sqlite_db.async_run(
            lambda s: s.scalar(select(func.count()).select_from(Telemetry))
        )
        == 10_000
    )


def test_close_flushes_pending_rows(sqlite_url: str) -> None:
    """Rows queued right before close() are committed; no thread is left."""
    db = Database.open(sqlite_url)
    miner = add_miner(db)
    for i in range(1000):
        db.queue_telemetry(miner, T0 + timedelta(seconds=i), hashrate=1.0)
    assert WRITER_THREAD_NAME in _db_threads()
    db.close()
    assert _db_threads() == []
    db.close()  # idempotent
    with pytest.raises(DatabaseClosedError):
        db.queue_telemetry(miner, T0)

    reopened = Database.open(sqlite_url)
    try:
        assert _telemetry_count(reopened) == 1000
    finally:
        reopened.close()


def test_transient_lock_is_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A locked database is retried; rows wait, then land once it frees up."""
    path = tmp_path / "hmm.db"
    db = Database.open(
        f"sqlite:///{path}", sqlite_busy_timeout=0.05, retry_wait=0.02, retry_attempts=2
    )
    blocker = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        miner = add_miner(db)
        blocker.execute("BEGIN EXCLUSIVE")
        caplog.set_level(
            logging.WARNING, logger="custom_components.home_miner_manager.db"
        )
        for i in range(50):
            db.queue_telemetry(miner, T0 + timedelta(seconds=i), hashrate=1.0)
        # All attempts fail while the lock is held: the barrier reports it.
        with pytest.raises(DatabaseConnectionError, match="50 rows"):
            db.flush(timeout=30)
        assert db.writer_stats.retries >= 1
        assert db.writer_stats.failed_flushes >= 1
        assert "database is locked" in caplog.text
        blocker.execute("COMMIT")
        db.flush(timeout=30)
        assert _telemetry_count(db) == 50
        assert db.writer_stats.dropped_rows == 0
    finally:
        blocker.close()
        db.close()


def test_rejected_row_is_dropped_alone(sqlite_db: Database) -> None:
    """A constraint violation drops that row only; the batch's others land."""
    miner = add_miner(sqlite_db)
    gate = threading.Event()
    busy = sqlite_db._writer.submit(lambda _engine: gate.wait(10))
    sqlite_db.queue_insert(
        AlertConfig, alert_type="miner_offline", config={"minutes": 5}
    )
    sqlite_db.queue_insert(
        AlertConfig, alert_type="miner_offline", config={"minutes": 9}
    )
    for i in range(10):
        sqlite_db.queue_telemetry(miner, T0 + timedelta(seconds=i), hashrate=1.0)
    gate.set()
    busy.result(10)
    sqlite_db.flush(timeout=30)
    assert _telemetry_count(sqlite_db) == 10
    configs = sqlite_db.run(lambda s: list(s.scalars(select(AlertConfig.config))))
    assert configs == [{"minutes": 5}]
    assert sqlite_db.writer_stats.dropped_rows == 1


def test_writer_survives_failing_job(sqlite_db: Database) -> None:
    """An exception in a submitted job reaches its caller; the thread goes on."""

    def _boom(_engine: Any) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        sqlite_db._writer.submit(_boom).result(10)
    miner = add_miner(sqlite_db)
    sqlite_db.queue_telemetry(miner, T0, hashrate=1.0)
    sqlite_db.flush(timeout=10)
    assert _telemetry_count(sqlite_db) == 1


def test_sqlite_fast_path_stores_what_sqlalchemy_stores(sqlite_db: Database) -> None:
    """The writer's SQLite telemetry path and Core insert() store identical values."""
    miner = add_miner(sqlite_db)
    when = datetime(2026, 3, 1, 12, 0, 5, 250, tzinfo=UTC)
    fields: dict[str, Any] = {
        "hashrate": 1.0154,
        "hashrate_unit": "MH/s",
        "temperature": None,
        "power_watts": 14.25,
        "shares_accepted": 7,
        "shares_rejected": 0,
        "pool_in_use": "stratum+tcp://pool.example:3333",
    }
    for data in ({"best_diff": "4.29M", "rssi": -61, "ok": True}, None):
        sqlite_db.queue_telemetry(miner, when, data=data, **fields)  # fast path
        sqlite_db.flush()
        row = {"miner_id": miner, "timestamp": when.replace(tzinfo=None), "data": data}

        def _core(session: Any, row: dict[str, Any] = row) -> None:
            # SQLAlchemy's own parameter processing.
            session.connection().execute(insert(TELEMETRY_TABLE), [row | fields])

        sqlite_db.run(_core)
    raw = sqlite_db.run(
        lambda s: s.execute(
            text(
                "SELECT miner_id, timestamp, hashrate, hashrate_unit, temperature,"
                " power_watts, shares_accepted, shares_rejected, pool_in_use, data,"
                " typeof(data) FROM telemetry ORDER BY id"
            )
        ).all()
    )
    fast_json, core_json, fast_null, core_null = (tuple(row) for row in raw)
    assert fast_json == core_json
    assert fast_null == core_null
    assert fast_json[1] == "2026-03-01 12:00:05.000250"
    assert fast_null[-1] == "null"  # SQL NULL, not the JSON text "null"
    back = sqlite_db.run(
        lambda s: list(s.scalars(select(Telemetry.data).order_by(Telemetry.id)))
    )
    assert back == [{"best_diff": "4.29M", "rssi": -61, "ok": True}] * 2 + [None] * 2


def test_unserializable_row_does_not_kill_the_writer(sqlite_db: Database) -> None:
    """A value JSON cannot encode drops that row; the thread keeps writing."""
    miner = add_miner(sqlite_db)
    gate = threading.Event()
    busy = sqlite_db._writer.submit(lambda _engine: gate.wait(10))
    sqlite_db.queue_telemetry(miner, T0, data={"oops": object()})
    sqlite_db.queue_telemetry(miner, T0 + timedelta(seconds=30), data={"ok": 1})
    gate.set()
    busy.result(10)
    sqlite_db.flush(timeout=10)
    assert sqlite_db._writer.is_alive()
    assert _telemetry_count(sqlite_db) == 1
    assert sqlite_db.writer_stats.dropped_rows == 1
