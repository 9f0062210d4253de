"""The writer thread: every queued insert is committed here, off the event loop.

Modelled on Home Assistant's recorder: callers put work on a
``queue.SimpleQueue`` (non-blocking, safe from the event loop) and one thread
drains it.  Queued rows are written in one transaction per flush: a flush
happens when the queue runs dry or ``batch_size`` rows are waiting.
A transient database error (locked, connection lost) retries the batch; if
it still fails the rows are carried into the next flush rather than dropped.
Rows the database rejects outright (constraint violations) are dropped one by
one so a single bad row cannot block the rest.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
import logging
from queue import Empty, SimpleQueue
import threading
import time
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import insert
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
    TimeoutError as PoolTimeoutError,
)

from .engine import describe_error
from .exceptions import DatabaseConnectionError
from .models import Base
from .telemetry_rows import (
    SQLITE_INSERT,
    TELEMETRY_KEYS,
    TELEMETRY_TABLE,
    sqlite_params,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Table
    from sqlalchemy.engine import Engine

_LOGGER = logging.getLogger(__name__)

WRITER_THREAD_NAME: Final = "hmm_db_writer"
_STOP: Final = object()

# (table, column names, values in that order); the names tuple is shared by
# rows of one shape, so grouping a batch costs no per-row key handling.
type _Row = tuple[Table, tuple[str, ...], tuple[Any, ...]]

type _Group = tuple[Table, tuple[str, ...], list[tuple[Any, ...]]]


@dataclass(slots=True)
class WriterStats:
    """Counters for diagnostics and tests (read from any thread)."""

    commits: int = 0
    rows_written: int = 0
    retries: int = 0
    failed_flushes: int = 0
    dropped_rows: int = 0


@dataclass(slots=True)
class _Job:
    """Run ``fn(engine)`` in the writer thread, after everything queued before."""

    fn: Callable[[Engine], Any] | None  # None: a barrier
    future: Future[Any]


def _is_transient(err: SQLAlchemyError) -> bool:
    if isinstance(err, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(err, DBAPIError) and err.connection_invalidated


class DatabaseWriter(threading.Thread):
    """Owns every write that does not need a result."""

    def __init__(
        self,
        engine: Engine,
        *,
        batch_size: int = 5000,
        retry_attempts: int = 3,
        retry_wait: float = 1.0,
        max_backlog: int = 250_000,
    ) -> None:
        """Prepare the thread; ``start()`` it before queueing work."""
        super().__init__(name=WRITER_THREAD_NAME, daemon=True)
        self._engine = engine
        self._queue: SimpleQueue[object] = SimpleQueue()
        self._batch_size = batch_size
        self._retry_attempts = retry_attempts
        self._retry_wait = retry_wait
        self._max_backlog = max_backlog
        self._table_order = {
            table: index for index, table in enumerate(Base.metadata.sorted_tables)
        }
        self._sqlite = engine.dialect.name == "sqlite"
        self.stats = WriterStats()

    # --- called from any thread (the event loop included): never blocks ---

    def queue_row(
        self, table: Table, keys: tuple[str, ...], values: tuple[Any, ...]
    ) -> None:
        """Queue one row: ``values`` in the order of the column names ``keys``."""
        self._queue.put((table, keys, values))

    def submit(self, fn: Callable[[Engine], Any]) -> Future[Any]:
        """Run ``fn(engine)`` in this thread once earlier work is committed."""
        future: Future[Any] = Future()
        self._queue.put(_Job(fn, future))
        return future

    def barrier(self) -> Future[Any]:
        """Future that resolves once everything queued so far is committed."""
        future: Future[Any] = Future()
        self._queue.put(_Job(None, future))
        return future

    def stop(self) -> None:
        """Ask the thread to flush what is queued and exit (join() to wait)."""
        self._queue.put(_STOP)

    # --- the thread ---

    def run(self) -> None:
        """Drain the queue until ``stop()``."""
        backlog: list[_Row] = []
        stopping = False
        while not stopping:
            try:
                item = self._queue.get(
                    timeout=self._retry_wait * 5 if backlog else None
                )
            except Empty:
                item = None
            rows, job, stopping = self._collect(item, backlog)
            if rows:
                backlog = [] if self._flush(rows) else self._trim(rows)
            if job is not None:
                self._run_job(job, backlog)
        self._drain_after_stop(backlog)

    def _collect(
        self, item: object, rows: list[_Row]
    ) -> tuple[list[_Row], _Job | None, bool]:
        """Gather rows up to the next job, stop marker, batch limit or empty queue."""
        while item is not None:
            if item is _STOP:
                return rows, None, True
            if isinstance(item, _Job):
                return rows, item, False
            rows.append(item)  # type: ignore[arg-type]
            if len(rows) >= self._batch_size:
                break
            try:
                item = self._queue.get_nowait()
            except Empty:
                break
        return rows, None, False

    def _run_job(self, job: _Job, backlog: list[_Row]) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        if job.fn is None:
            if backlog:
                job.future.set_exception(
                    DatabaseConnectionError(
                        f"{len(backlog)} rows could not be written yet; retrying"
                    )
                )
            else:
                job.future.set_result(None)
            return
        try:
            job.future.set_result(job.fn(self._engine))
        except BaseException as err:  # noqa: BLE001  (handed to the waiter)
            job.future.set_exception(err)

    def _drain_after_stop(self, backlog: list[_Row]) -> None:
        rows = backlog
        while True:
            try:
                item = self._queue.get_nowait()
            except Empty:
                break
            if isinstance(item, _Job):
                item.future.cancel()
            elif item is not _STOP:
                rows.append(item)  # type: ignore[arg-type]
        if rows and not self._flush(rows):
            self.stats.dropped_rows += len(rows)
            _LOGGER.error("Database unavailable at shutdown: %s rows lost", len(rows))

    def _trim(self, rows: list[_Row]) -> list[_Row]:
        """Keep failed rows for the next flush, within ``max_backlog``."""
        excess = len(rows) - self._max_backlog
        if excess > 0:
            self.stats.dropped_rows += excess
            _LOGGER.error("Database write backlog full: dropped %s oldest rows", excess)
            return rows[excess:]
        return rows

    def _group(self, rows: list[_Row]) -> list[_Group]:
        """Group rows per table and column set, parents before children."""
        groups: dict[tuple[Table, tuple[str, ...]], list[tuple[Any, ...]]] = {}
        for table, keys, values in rows:
            groups.setdefault((table, keys), []).append(values)
        ordered = sorted(groups.items(), key=lambda kv: self._table_order[kv[0][0]])
        return [(table, keys, values) for (table, keys), values in ordered]

    def _write(self, groups: list[_Group]) -> None:
        with self._engine.begin() as conn:
            for table, keys, values in groups:
                if self._sqlite and table is TELEMETRY_TABLE and keys == TELEMETRY_KEYS:
                    conn.exec_driver_sql(SQLITE_INSERT, sqlite_params(values))
                else:
                    params = [dict(zip(keys, row, strict=True)) for row in values]
                    conn.execute(insert(table), params)  # executemany
        self.stats.commits += 1

    def _flush(self, rows: list[_Row]) -> bool:
        """Commit ``rows`` in one transaction; False if they must be retried later."""
        groups = self._group(rows)
        for attempt in range(1, self._retry_attempts + 1):
            try:
                self._write(groups)
            except Exception as err:  # noqa: BLE001  (this thread must not die)
                if not (isinstance(err, SQLAlchemyError) and _is_transient(err)):
                    # Bad data (constraint, unserializable value): not retried.
                    self._write_one_by_one(rows, err)
                    return True
                _LOGGER.warning(
                    "Database write of %s rows failed (attempt %s/%s): %s",
                    len(rows),
                    attempt,
                    self._retry_attempts,
                    describe_error(err),
                )
                if attempt < self._retry_attempts:
                    self.stats.retries += 1
                    time.sleep(self._retry_wait * attempt)
            else:
                self.stats.rows_written += len(rows)
                return True
        self.stats.failed_flushes += 1
        return False

    def _write_one_by_one(self, rows: list[_Row], first_error: Exception) -> None:
        """Isolate the rows the database rejects; write the others."""
        dropped: dict[str, int] = {}
        for table, keys, values in rows:
            try:
                self._write([(table, keys, [values])])
            except Exception:  # noqa: BLE001  (counted and logged below)
                dropped[table.name] = dropped.get(table.name, 0) + 1
            else:
                self.stats.rows_written += 1
        if dropped:
            self.stats.dropped_rows += sum(dropped.values())
            # Values stay out of the log: they may hold pool or device secrets.
            _LOGGER.error(
                "Database rejected rows, dropped %s (%s)",
                dropped,
                type(getattr(first_error, "orig", None) or first_error).__name__,
            )
