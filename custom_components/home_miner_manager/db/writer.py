"""The writer thread: every queued insert is committed here, off the event loop.

Modelled on Home Assistant's recorder: callers queue rows without blocking
(safe from the event loop) and one thread writes them, one transaction per
batch of up to ``batch_size`` rows (``batches.py``).  Rows wait in a bounded
in-memory backlog: when ``max_backlog`` rows are waiting (the database is
down, or a write hangs) the OLDEST are dropped and counted, so memory stays
bounded whatever happens.

A transient error (locked, connection refused or lost) retries the batch a
few times; if it still fails the database is declared unreachable: one
WARNING, the rows stay queued and are retried with exponential backoff (up to
``max_retry_wait``), and one INFO once a write succeeds again.  Listeners
(``add_listener``) hear of both, so the Home Assistant layer can raise a
repair issue without polling.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
import logging
from queue import Empty, SimpleQueue
import threading
import time
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import text

from .batches import BatchWriter, Row
from .engine import describe_error
from .exceptions import DatabaseConnectionError
from .writer_status import HealthListeners, WriterStats, WriterStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Table
    from sqlalchemy.engine import Engine

    from .batches import BatchResult
    from .writer_status import WriterStatusListener

_LOGGER = logging.getLogger(__name__)

WRITER_THREAD_NAME: Final = "hmm_db_writer"
_STOP: Final = object()
_WAKE: Final = object()  # rows are waiting in the backlog
_RETRY: Final = object()  # the outage backoff has run out


@dataclass(slots=True)
class _Job:
    """Run ``fn(engine)`` in the writer thread, after the rows queued before."""

    fn: Callable[[Engine], Any] | None  # None: a barrier
    future: Future[Any]
    upto: int  # rows with a sequence number below this go first


class DatabaseWriter(threading.Thread):
    """Owns every write that does not need a result."""

    def __init__(
        self,
        engine: Engine,
        *,
        batch_size: int = 5000,
        retry_attempts: int = 3,
        retry_wait: float = 1.0,
        max_retry_wait: float = 30.0,
        max_backlog: int = 250_000,
        label: str = "database",
    ) -> None:
        """Prepare the thread; ``start()`` it before queueing work."""
        super().__init__(name=WRITER_THREAD_NAME, daemon=True)
        if min(batch_size, retry_attempts, max_backlog) < 1:
            raise ValueError("batch_size, retry_attempts and max_backlog must be >= 1")
        self._engine = engine
        self._label = label  # redacted URL, for log lines
        self._control: SimpleQueue[object] = SimpleQueue()
        self._batch_size = batch_size
        self._retry_attempts = retry_attempts
        self._retry_wait = retry_wait
        self._max_retry_wait = max(max_retry_wait, retry_wait)
        self._max_backlog = max_backlog
        self.stats = WriterStats(max_backlog=max_backlog)
        self.listeners = HealthListeners()
        self._batches = BatchWriter(engine, self.stats, retry_wait)
        # The backlog.  _lock guards it and everything down to _overflowing.
        self._lock = threading.Lock()
        self._rows: deque[Row] = deque()
        self._queued = 0  # rows ever queued: the next row's sequence number
        self._head = 0  # sequence number of self._rows[0]
        self._in_flight = 0  # rows taken out for the batch being written
        self._woken = False  # a _WAKE is queued or the thread is on the rows
        self._overflowing = False  # logged the current overflow already
        # Outage state: changed by this thread only (under _lock for status()).
        self._outage_since: datetime | None = None
        self._last_error: str | None = None
        self._outage_started = 0.0
        self._backoff = retry_wait
        self._retry_at = 0.0

    # --- called from any thread (the event loop included): never blocks ---

    def queue_row(
        self, table: Table, keys: tuple[str, ...], values: tuple[Any, ...]
    ) -> None:
        """Queue one row: ``values`` in the order of the column names ``keys``."""
        with self._lock:
            self._rows.append((table, keys, values))
            self._queued += 1
            first_drop = self._trim_locked()
            wake = not self._woken
            self._woken = True
        if wake:
            self._control.put(_WAKE)
        if first_drop is not None:
            self._report_overflow(first_drop=first_drop)

    def submit(self, fn: Callable[[Engine], Any]) -> Future[Any]:
        """Run ``fn(engine)`` in this thread once earlier rows are written."""
        return self._put_job(fn)

    def barrier(self) -> Future[Any]:
        """Future that resolves once everything queued so far is committed.

        It fails with ``DatabaseConnectionError`` while the database is
        unreachable (after one immediate attempt); the rows stay queued.
        """
        return self._put_job(None)

    def stop(self) -> None:
        """Ask the thread to flush what is queued and exit (join() to wait)."""
        self._control.put(_STOP)

    def add_listener(self, listener: WriterStatusListener) -> Callable[[], None]:
        """Call ``listener(status)`` on availability changes and on first drops.

        "First drops" means the first rows lost since ``take_dropped_report``.
        Called from the writer thread, or from the thread queueing a row that
        pushes the oldest out of a full backlog: it must not block.  Returns
        the function that removes the listener.
        """
        return self.listeners.add(listener)

    def status(self) -> WriterStatus:
        """Snapshot of availability, backlog and drop counters."""
        with self._lock:
            return WriterStatus(
                available=self._outage_since is None,
                outage_since=self._outage_since,
                last_error=self._last_error,
                backlog=len(self._rows) + self._in_flight,
                rows_dropped=self.stats.dropped_rows,
                dropped_since_report=self.stats.dropped_since_report,
            )

    def take_dropped_report(self) -> int:
        """Rows dropped since the previous call (for a repair issue); resets it."""
        with self._lock:
            count = self.stats.dropped_since_report
            self.stats.dropped_since_report = 0
        return count

    def _put_job(self, fn: Callable[[Engine], Any] | None) -> Future[Any]:
        future: Future[Any] = Future()
        with self._lock:
            upto = self._queued
        self._control.put(_Job(fn, future, upto))
        return future

    # --- the backlog (any thread, under the lock) ---

    def _trim_locked(self) -> bool | None:
        """Drop the oldest rows beyond ``max_backlog``.

        None when nothing was dropped, else whether these are the first rows
        dropped since the last report.
        """
        excess = len(self._rows) - self._max_backlog
        if excess > 0:
            for _ in range(excess):
                self._rows.popleft()
            self._head += excess
            self.stats.dropped_overflow += excess
        self.stats.backlog = len(self._rows) + self._in_flight
        return self._count_dropped_locked(excess) if excess > 0 else None

    def _count_dropped_locked(self, count: int) -> bool:
        first = self.stats.dropped_since_report == 0
        self.stats.dropped_rows += count
        self.stats.dropped_since_report += count
        return first

    def _report_overflow(self, *, first_drop: bool) -> None:
        with self._lock:
            first_of_episode = not self._overflowing
            self._overflowing = True
        if first_of_episode:
            # One line per episode, not one per dropped row.
            _LOGGER.error(
                "Database %s write backlog full (%s rows): dropping the oldest rows",
                self._label,
                self._max_backlog,
            )
        if first_drop:
            self.listeners.notify(self.status())

    def _take_batch(self, upto: int | None) -> list[Row]:
        with self._lock:
            count = min(self._batch_size, len(self._rows))
            if upto is not None:
                count = max(0, min(count, upto - self._head))
            batch = [self._rows.popleft() for _ in range(count)]
            self._head += count
            self._in_flight = count
            if not self._rows:
                self._woken = False
        return batch

    def _return_batch(self, unwritten: list[Row]) -> None:
        """Put rows that could not be written back in front (they are the oldest)."""
        with self._lock:
            self._in_flight = 0
            self._rows.extendleft(reversed(unwritten))
            self._head -= len(unwritten)
            first_drop = self._trim_locked()
        if first_drop is not None:
            self._report_overflow(first_drop=first_drop)

    # --- the thread ---

    def run(self) -> None:
        """Write rows and run jobs until ``stop()``."""
        while (item := self._next_item()) is not _STOP:
            if isinstance(item, _Job):
                # During an outage this is one immediate attempt, so a waiter
                # learns at once whether the database is back.
                self._write_pending(on_demand=True, upto=item.upto)
                self._run_job(item)
                if self._outage_since is not None:
                    continue  # the backoff timer brings us back
            self._write_pending(on_demand=False)
        self._drain_after_stop()

    def _next_item(self) -> object:
        """Next job, stop or wake-up; ``_RETRY`` once an outage backoff ends."""
        while True:
            timeout: float | None = None
            if self._outage_since is not None:
                timeout = self._retry_at - time.monotonic()
                if timeout <= 0:
                    return _RETRY
            try:
                item = self._control.get(timeout=timeout)
            except Empty:
                return _RETRY
            if item is _WAKE and self._outage_since is not None:
                continue  # new rows wait for the next retry
            return item

    def _write_pending(self, *, on_demand: bool, upto: int | None = None) -> None:
        """Write the backlog batch by batch until it is empty or a write fails."""
        attempts = 1 if self._outage_since is not None else self._retry_attempts
        while batch := self._take_batch(upto):
            result = self._batches.flush(batch, attempts)
            self._return_batch(result.unwritten)
            self._count_rejected(result)
            if result.error is not None:
                self._write_failed(result.error, on_demand=on_demand)
                return
            self._write_succeeded()
            attempts = self._retry_attempts
        if self._outage_since is not None and not on_demand:
            # Nothing left to write (all dropped): probe so the outage can end.
            try:
                with self._engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except Exception as err:  # noqa: BLE001  (this thread must not die)
                self._write_failed(err, on_demand=False)
            else:
                self._write_succeeded()

    def _count_rejected(self, result: BatchResult) -> None:
        if not result.rejected:
            return
        count = sum(result.rejected.values())
        with self._lock:
            self.stats.dropped_rejected += count
            first = self._count_dropped_locked(count)
        if first:
            self.listeners.notify(self.status())

    def _write_failed(self, err: BaseException, *, on_demand: bool) -> None:
        now = time.monotonic()
        if self._outage_since is None:
            with self._lock:
                self._outage_since = datetime.now(UTC)
                self._last_error = describe_error(err, self._engine.url)
            self._outage_started = now
            self._backoff = self._retry_wait
            self.stats.outages += 1
            _LOGGER.warning(
                "Database %s unreachable (%s); keeping %s rows queued and retrying",
                self._label,
                self._last_error,
                self.stats.backlog,
            )
            self.listeners.notify(self.status())
        else:
            with self._lock:
                self._last_error = describe_error(err, self._engine.url)
            if on_demand:
                return  # an extra attempt for a waiter keeps the schedule
            self._backoff = min(self._backoff * 2, self._max_retry_wait)
        self._retry_at = now + self._backoff

    def _write_succeeded(self) -> None:
        with self._lock:
            if len(self._rows) < self._max_backlog:
                self._overflowing = False  # the next overflow logs again
            if self._outage_since is None:
                return
            self._outage_since = None
            self._last_error = None
        _LOGGER.info(
            "Database %s reachable again after %.1f s; writing %s queued rows",
            self._label,
            time.monotonic() - self._outage_started,
            self.stats.backlog,
        )
        self.listeners.notify(self.status())

    def _run_job(self, job: _Job) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        if job.fn is None:
            if self._outage_since is not None:
                job.future.set_exception(
                    DatabaseConnectionError(
                        f"{self.stats.backlog} rows could not be written yet; retrying"
                    )
                )
            else:
                job.future.set_result(None)
            return
        try:
            job.future.set_result(job.fn(self._engine))
        except BaseException as err:  # noqa: BLE001  (handed to the waiter)
            job.future.set_exception(err)

    def _drain_after_stop(self) -> None:
        while True:
            try:
                item = self._control.get_nowait()
            except Empty:
                break
            if isinstance(item, _Job):
                item.future.cancel()
        # A last try for what is left, even in the middle of an outage.
        self._write_pending(on_demand=True)
        with self._lock:
            lost = len(self._rows)
            self._rows.clear()
            self.stats.backlog = 0
            self.stats.dropped_at_shutdown += lost
            first = lost > 0 and self._count_dropped_locked(lost)
        if lost:
            _LOGGER.error(
                "Database %s unavailable at shutdown: %s rows lost", self._label, lost
            )
        if first:
            self.listeners.notify(self.status())
