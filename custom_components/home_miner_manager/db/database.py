"""The facade the Home Assistant layer uses: open, queue, read, maintain, close.

Blocking methods (``open``, ``run``, ``run_maintenance``, ``close``) must run in
an executor; ``queue_*`` never block and are safe from the event loop; the
``async_*`` methods run their work in this object's own threads.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
import logging
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy.orm import Session, sessionmaker

from .base import Base, to_naive_utc
from .engine import DatabaseTarget, check_connection, create_db_engine, resolve_url
from .exceptions import DatabaseClosedError
from .migrations import current_version, migrate
from .retention import MaintenanceResult, run_maintenance
from .telemetry_rows import TELEMETRY_FIELDS, TELEMETRY_KEYS, TELEMETRY_TABLE
from .writer import DatabaseWriter

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    import os

    from sqlalchemy import Table
    from sqlalchemy.engine import Engine

    from .writer_status import WriterStats, WriterStatus, WriterStatusListener

_LOGGER = logging.getLogger(__name__)

EXECUTOR_THREAD_PREFIX: Final = "hmm_db"
_VALUE_KEYS: Final = TELEMETRY_KEYS[2:]


class Database:
    """One open database: engine, writer thread and a small reader pool."""

    def __init__(
        self,
        engine: Engine,
        target: DatabaseTarget,
        writer: DatabaseWriter,
        *,
        reader_threads: int = 2,
    ) -> None:
        """Wrap a migrated engine; use ``Database.open`` instead."""
        self._engine = engine
        self._target = target
        self._writer = writer
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._executor = ThreadPoolExecutor(
            max_workers=reader_threads, thread_name_prefix=EXECUTOR_THREAD_PREFIX
        )
        self._closed = False
        self.url_redacted = target.redacted

    @classmethod
    def open(
        cls,
        url: str,
        *,
        sqlite_path: str | os.PathLike[str] | None = None,
        batch_size: int = 5000,
        retry_attempts: int = 3,
        retry_wait: float = 1.0,
        max_retry_wait: float = 30.0,
        max_backlog: int = 250_000,
        sqlite_busy_timeout: float = 30.0,
    ) -> Database:
        """Connect, migrate and start the writer.  BLOCKING.

        ``url`` empty means the SQLite file ``sqlite_path``.  While the
        database is unreachable the writer keeps up to ``max_backlog`` rows
        (the oldest go first beyond that) and retries every ``retry_wait``
        seconds, doubling up to ``max_retry_wait``.  Raises
        ``DatabaseUrlError``, ``DatabaseDriverMissingError``,
        ``DatabaseConnectionError`` or ``DatabaseMigrationError``.
        """
        target = resolve_url(url, sqlite_path)
        engine = create_db_engine(target, sqlite_busy_timeout=sqlite_busy_timeout)
        try:
            check_connection(engine, target)
            result = migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        if result.from_version != result.to_version:
            _LOGGER.info(
                "Database %s migrated from schema %s to %s",
                target.redacted,
                result.from_version,
                result.to_version,
            )
        writer = DatabaseWriter(
            engine,
            batch_size=batch_size,
            retry_attempts=retry_attempts,
            retry_wait=retry_wait,
            max_retry_wait=max_retry_wait,
            max_backlog=max_backlog,
            label=target.redacted,
        )
        writer.start()
        return cls(engine, target, writer)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests, benchmarks and diagnostics)."""
        return self._engine

    @property
    def dialect(self) -> str:
        """``sqlite``, ``postgresql`` or ``mysql``."""
        return self._target.backend

    @property
    def writer_stats(self) -> WriterStats:
        """Commit/retry/drop/backlog counters of the writer thread."""
        return self._writer.stats

    # --- availability, as seen by the writer (any thread, never blocks) ---

    @property
    def available(self) -> bool:
        """False from the first failed write of an outage until a write succeeds."""
        return self._writer.status().available

    @property
    def outage_since(self) -> datetime | None:
        """Aware UTC start of the current outage; None while available."""
        return self._writer.status().outage_since

    def status(self) -> WriterStatus:
        """Availability, backlog and dropped-row counters in one snapshot."""
        return self._writer.status()

    def add_status_listener(self, listener: WriterStatusListener) -> Callable[[], None]:
        """Call ``listener(status)`` when availability flips or rows start dropping.

        The call comes from the writer thread (or from the thread whose
        ``queue_*`` call overflowed the backlog): hand it to the event loop
        with ``loop.call_soon_threadsafe``.  Returns the unsubscribe function.
        """
        return self._writer.add_listener(listener)

    def take_dropped_report(self) -> int:
        """Rows dropped since the previous call; resets the count."""
        return self._writer.take_dropped_report()

    def schema_version(self) -> int:
        """Return the schema version recorded in the database.  BLOCKING."""
        with self._engine.connect() as conn:
            return current_version(conn)

    # --- non-blocking, event-loop safe ---

    def queue_telemetry(
        self, miner_id: int, timestamp: datetime, **fields: Any
    ) -> None:
        """Queue one telemetry row (field names as in the schema, e.g. ``power_watts``)."""
        if not fields.keys() <= TELEMETRY_FIELDS:
            unknown = sorted(fields.keys() - TELEMETRY_FIELDS)
            raise TypeError(f"Unknown telemetry fields: {unknown}")
        self._check_open()
        # One column set for every row (missing fields are NULL), so a flush
        # is a single executemany.
        values = (miner_id, to_naive_utc(timestamp), *map(fields.get, _VALUE_KEYS))
        self._writer.queue_row(TELEMETRY_TABLE, TELEMETRY_KEYS, values)

    def queue_insert(self, model: type[Base], **values: Any) -> None:
        """Queue one row of any table (``Event``, ``AuditLog``, ``HighDiffShare``...)."""
        table: Table = model.__table__  # type: ignore[assignment]
        unknown = values.keys() - table.columns.keys()
        if unknown:
            raise TypeError(f"Unknown {table.name} fields: {sorted(unknown)}")
        self._check_open()
        self._writer.queue_row(
            table,
            tuple(values),
            tuple(
                to_naive_utc(value) if isinstance(value, datetime) else value
                for value in values.values()
            ),
        )

    # --- async: the work runs in our own threads ---

    async def async_run[T](self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in one transaction off the loop; commit; return."""
        self._check_open()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.run, fn)

    async def async_flush(self) -> None:
        """Wait until everything queued so far is committed."""
        self._check_open()
        await asyncio.wrap_future(self._writer.barrier())

    async def async_run_maintenance(
        self, now: datetime, retention: Mapping[str, int], *, repack: bool = False
    ) -> MaintenanceResult:
        """``run_maintenance`` without blocking the loop."""
        self._check_open()
        future = self._writer.submit(
            lambda engine: run_maintenance(engine, now, retention, repack=repack)
        )
        result: MaintenanceResult = await asyncio.wrap_future(future)
        return result

    # --- blocking ---

    def run[T](self, fn: Callable[[Session], T]) -> T:
        """Blocking form of ``async_run``."""
        with self._sessions.begin() as session:
            return fn(session)

    def flush(self, timeout: float | None = None) -> None:
        """Blocking form of ``async_flush``."""
        self._check_open()
        self._writer.barrier().result(timeout)

    def run_maintenance(
        self, now: datetime, retention: Mapping[str, int], *, repack: bool = False
    ) -> MaintenanceResult:
        """Roll up telemetry, then purge per ``retention`` (days per key).  BLOCKING.

        Runs in the writer thread, so it never competes with queued inserts.
        """
        self._check_open()
        future = self._writer.submit(
            lambda engine: run_maintenance(engine, now, retention, repack=repack)
        )
        result: MaintenanceResult = future.result()
        return result

    def close(self) -> None:
        """Flush what is queued, stop the threads, release connections.  BLOCKING."""
        if self._closed:
            return
        self._closed = True
        self._writer.stop()
        self._writer.join()
        self._executor.shutdown(wait=True)
        self._engine.dispose()

    def _check_open(self) -> None:
        if self._closed:
            raise DatabaseClosedError(f"Database {self.url_redacted} is closed")
