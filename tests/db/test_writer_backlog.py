"""The writer's bounded backlog and its outage handling, on SQLite.

Overflows are checked twice (the second episode must log and count again)
and on every path rows can pile up: queued while the writer is busy, queued
while a write hangs, and rows handed back after a failed write.  Which rows
survive is asserted exactly: the newest, never the oldest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
import sqlite3
import threading
import time
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError, OperationalError

from custom_components.home_miner_manager.db import Database, WriterStatus
from custom_components.home_miner_manager.db.models import Telemetry
from custom_components.home_miner_manager.db.writer import WRITER_THREAD_NAME

from .conftest import add_miner

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).replace(tzinfo=None)
WRITER_LOGGER = "custom_components.home_miner_manager.db.writer"


def _seconds_stored(db: Database) -> list[int]:
    """Telemetry rows as their offset from T0 in seconds, in time order."""
    stamps = db.run(
        lambda s: list(s.scalars(select(Telemetry.timestamp).order_by("timestamp")))
    )
    return [int((stamp - T0).total_seconds()) for stamp in stamps]


def _queue(db: Database, miner: int, seconds: range) -> None:
    for second in seconds:
        db.queue_telemetry(miner, T0 + timedelta(seconds=second), hashrate=1.0)


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.005)


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == WRITER_LOGGER and r.levelno == level
    ]


@pytest.fixture
def small_db(sqlite_url: str) -> Iterator[Database]:
    """A SQLite database whose writer keeps at most 5 rows."""
    db = Database.open(sqlite_url, max_backlog=5, retry_wait=0.01)
    yield db
    db.close()


class _Gate:
    """Keep the writer thread busy in a job until ``open()``."""

    def __init__(self, db: Database) -> None:
        self._event = threading.Event()
        self._busy = db._writer.submit(lambda _engine: self._event.wait(10))

    def open(self) -> None:
        self._event.set()
        self._busy.result(10)


def test_overflow_keeps_newest_twice(
    small_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """8 rows into 5 places: 0-2 go; 4 more: 3-6 go; then a second episode."""
    caplog.set_level(logging.INFO, logger=WRITER_LOGGER)
    seen: list[WriterStatus] = []
    small_db.add_status_listener(seen.append)
    miner = add_miner(small_db)

    gate = _Gate(small_db)
    _queue(small_db, miner, range(8))
    stats = small_db.writer_stats
    assert (stats.dropped_overflow, stats.backlog) == (3, 5)
    _queue(small_db, miner, range(8, 12))  # one past the limit, four times
    assert (stats.dropped_overflow, stats.dropped_rows, stats.backlog) == (7, 7, 5)
    gate.open()
    small_db.flush(timeout=10)
    assert _seconds_stored(small_db) == [7, 8, 9, 10, 11]
    # One listener call for the first drop since the last report, not seven.
    assert [h.dropped_since_report for h in seen] == [1]
    assert small_db.status().dropped_since_report == 7
    assert small_db.take_dropped_report() == 7
    assert small_db.take_dropped_report() == 0

    # Second episode: logged and reported again, counted on top.
    gate = _Gate(small_db)
    _queue(small_db, miner, range(100, 107))
    gate.open()
    small_db.flush(timeout=10)
    assert _seconds_stored(small_db) == [7, 8, 9, 10, 11, 102, 103, 104, 105, 106]
    assert (stats.dropped_overflow, stats.dropped_rows) == (9, 9)
    assert [h.dropped_since_report for h in seen] == [1, 1]
    assert small_db.take_dropped_report() == 2
    assert len([m for m in _records(caplog, logging.ERROR) if "full" in m]) == 2
    assert stats.backlog == 0
    assert small_db.available


class _Hang:
    """Hold the writer's next write inside the database call until released.

    While ``fail`` is set, that write and every later one fails as if the
    disk or server had gone away.
    """

    def __init__(self, db: Database) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = False
        event.listen(db.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_args: Any) -> None:
        if threading.current_thread().name != WRITER_THREAD_NAME:
            return
        if not self.entered.is_set():
            self.entered.set()
            self.release.wait(10)
        if self.fail:
            raise OperationalError(
                "INSERT", {}, sqlite3.OperationalError("disk I/O error")
            )


@pytest.mark.parametrize("write_fails", [False, True])
def test_rows_queued_while_a_write_hangs_are_bounded(
    small_db: Database, write_fails: bool
) -> None:
    """A hung write holds 3 rows; 10 more come: only the newest 5 wait.

    If the hung write then succeeds its rows are stored; if it fails they
    are older than everything waiting, so they are the ones dropped.
    """
    miner = add_miner(small_db)
    hang = _Hang(small_db)
    hang.fail = write_fails
    gate = _Gate(small_db)
    _queue(small_db, miner, range(3))
    gate.open()  # the writer takes rows 0-2 and hangs writing them
    assert hang.entered.wait(10)
    _queue(small_db, miner, range(3, 13))
    stats = small_db.writer_stats
    assert stats.backlog == 8  # 5 waiting + 3 in flight: bounded
    assert stats.dropped_overflow == 5  # rows 3-7
    hang.release.set()
    if write_fails:
        _wait_for(lambda: not small_db.available, "the failed write")
        assert stats.backlog == 5  # rows 0-2 came back in front, then went
        hang.fail = False
    _wait_for(lambda: stats.backlog == 0, "the backlog to drain")
    small_db.flush(timeout=10)
    if write_fails:
        assert _seconds_stored(small_db) == [8, 9, 10, 11, 12]
        assert stats.dropped_overflow == 8
    else:
        assert _seconds_stored(small_db) == [0, 1, 2, 8, 9, 10, 11, 12]
        assert stats.dropped_overflow == 5


def test_outage_logs_once_and_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Locked for a second while rows keep coming: one WARNING, one INFO, no loss."""
    path = tmp_path / "hmm.db"
    db = Database.open(
        f"sqlite:///{path}",
        sqlite_busy_timeout=0.02,
        retry_wait=0.01,
        max_retry_wait=0.1,
        retry_attempts=2,
    )
    caplog.set_level(logging.DEBUG, logger=WRITER_LOGGER)
    seen: list[WriterStatus] = []
    db.add_status_listener(seen.append)
    blocker = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        miner = add_miner(db)
        blocker.execute("BEGIN EXCLUSIVE")
        before = datetime.now(UTC)
        _queue(db, miner, range(10))
        _wait_for(lambda: not db.available, "the outage to be noticed")
        outage_since = db.outage_since
        assert outage_since is not None
        assert before <= outage_since <= datetime.now(UTC)
        for burst in range(1, 5):  # polls keep queueing during the outage
            time.sleep(0.25)
            _queue(db, miner, range(burst * 10, burst * 10 + 10))
        failed_during_outage = db.writer_stats.failed_flushes
        blocker.execute("COMMIT")
        _wait_for(lambda: db.available, "the database to be back")
        db.flush(timeout=10)
        assert _seconds_stored(db) == list(range(50))
        assert db.outage_since is None
        assert db.writer_stats.dropped_rows == 0
        assert db.writer_stats.outages == 1
    finally:
        blocker.close()
        db.close()
    warnings = _records(caplog, logging.WARNING)
    infos = [m for m in _records(caplog, logging.INFO) if "reachable again" in m]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0]
    assert "database is locked" in warnings[0]
    assert len(infos) == 1
    assert [h.available for h in seen] == [False, True]
    assert seen[0].outage_since == outage_since
    assert seen[0].last_error is not None
    # Backoff: retries doubled up to 0.1 s, so ~10 in a second, not ~50.
    assert 3 <= failed_during_outage <= 25


def test_barrier_during_outage_fails_fast_and_keeps_rows(tmp_path: Path) -> None:
    """A flush() while unreachable says so at once; the rows are kept."""
    path = tmp_path / "hmm.db"
    db = Database.open(
        f"sqlite:///{path}", sqlite_busy_timeout=0.02, retry_wait=5, retry_attempts=1
    )
    blocker = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        miner = add_miner(db)
        blocker.execute("BEGIN EXCLUSIVE")
        _queue(db, miner, range(3))
        _wait_for(lambda: not db.available, "the outage")
        started = time.monotonic()
        with pytest.raises(Exception, match="3 rows could not be written yet"):
            db.flush(timeout=10)
        # Not held up by the 5 s backoff: one immediate attempt only.
        assert time.monotonic() - started < 2
        blocker.execute("COMMIT")
        db.flush(timeout=10)  # the barrier's own attempt ends the outage
        assert db.available
        assert _seconds_stored(db) == [0, 1, 2]
    finally:
        blocker.close()
        db.close()


def test_shutdown_during_outage_counts_the_loss(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """close() while unreachable: the rows are counted as lost, and said so."""
    path = tmp_path / "hmm.db"
    db = Database.open(f"sqlite:///{path}", sqlite_busy_timeout=0.02, retry_wait=0.01)
    seen: list[WriterStatus] = []
    db.add_status_listener(seen.append)
    blocker = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        miner = add_miner(db)
        blocker.execute("BEGIN EXCLUSIVE")
        _queue(db, miner, range(4))
        _wait_for(lambda: not db.available, "the outage")
        db.close()
    finally:
        blocker.close()
    stats = db.writer_stats
    assert (stats.dropped_at_shutdown, stats.dropped_rows, stats.backlog) == (4, 4, 0)
    assert "4 rows lost" in caplog.text
    assert [h.dropped_since_report for h in seen if h.rows_dropped] == [4]


def test_transient_error_while_isolating_bad_rows_keeps_the_rest(
    sqlite_db: Database,
) -> None:
    """A bad row, then the server goes away: untried rows wait, none is lost."""
    miner = add_miner(sqlite_db)
    errors: list[Exception] = [
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE failed")),
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE failed")),
        OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error")),
    ]

    def _on_execute(*_args: Any) -> None:
        if threading.current_thread().name == WRITER_THREAD_NAME and errors:
            raise errors.pop(0)

    gate = _Gate(sqlite_db)
    _queue(sqlite_db, miner, range(4))
    event.listen(sqlite_db.engine, "before_cursor_execute", _on_execute)
    # Batch fails (bad data) -> row 0 rejected -> row 1: server gone.
    gate.open()
    _wait_for(lambda: not errors, "the scripted errors")
    _wait_for(lambda: sqlite_db.writer_stats.backlog == 0, "the retry")
    sqlite_db.flush(timeout=10)
    assert _seconds_stored(sqlite_db) == [1, 2, 3]
    stats = sqlite_db.writer_stats
    assert (stats.dropped_rejected, stats.dropped_rows) == (1, 1)


def test_listener_errors_do_not_kill_the_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A listener that raises is logged; availability still flips and rows land."""
    path = tmp_path / "hmm.db"
    db = Database.open(f"sqlite:///{path}", sqlite_busy_timeout=0.02, retry_wait=0.01)
    calls: list[bool] = []

    def _broken(health: WriterStatus) -> None:
        calls.append(health.available)
        raise RuntimeError("listener bug")

    remove = db.add_status_listener(_broken)
    blocker = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        miner = add_miner(db)
        blocker.execute("BEGIN EXCLUSIVE")
        _queue(db, miner, range(2))
        _wait_for(lambda: not db.available, "the outage")
        blocker.execute("COMMIT")
        _wait_for(lambda: db.available, "the recovery")
        remove()
        remove()  # idempotent
        db.flush(timeout=10)
        assert _seconds_stored(db) == [0, 1]
        assert db._writer.is_alive()
    finally:
        blocker.close()
        db.close()
    assert calls == [False, True]
    assert "listener bug" in caplog.text
