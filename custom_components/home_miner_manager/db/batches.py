"""Write one batch of queued rows: one transaction, retries, bad rows isolated.

Used by the writer thread only (``writer.py``), which owns the backlog, the
outage state and the drop counters; this module only talks to the database.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    TimeoutError as PoolTimeoutError,
)

from .base import Base
from .engine import describe_error
from .telemetry_rows import (
    SQLITE_INSERT,
    TELEMETRY_KEYS,
    TELEMETRY_TABLE,
    sqlite_params,
)

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Engine

    from .writer_status import WriterStats

_LOGGER = logging.getLogger(__name__)

# (table, column names, values in that order); the names tuple is shared by
# rows of one shape, so grouping a batch costs no per-row key handling.
type Row = tuple[Table, tuple[str, ...], tuple[Any, ...]]

type _Group = tuple[Table, tuple[str, ...], list[tuple[Any, ...]]]


def is_transient(err: BaseException) -> bool:
    """Tell whether ``err`` is worth retrying (locked, refused, connection lost)."""
    if isinstance(err, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(err, DBAPIError) and err.connection_invalidated


class BatchResult:
    """What became of a batch: rows to retry (and why), rows rejected per table."""

    __slots__ = ("error", "rejected", "unwritten")

    def __init__(
        self,
        unwritten: list[Row] | None = None,
        error: BaseException | None = None,
        rejected: dict[str, int] | None = None,
    ) -> None:
        """Everything written unless told otherwise."""
        self.unwritten: list[Row] = unwritten or []
        self.error = error
        self.rejected: dict[str, int] = rejected or {}


class BatchWriter:
    """Commits batches of rows on ``engine``, counting into ``stats``."""

    def __init__(self, engine: Engine, stats: WriterStats, retry_wait: float) -> None:
        """Remember the engine and how long to wait between attempts."""
        self._engine = engine
        self._stats = stats
        self._retry_wait = retry_wait
        self._table_order = {
            table: index for index, table in enumerate(Base.metadata.sorted_tables)
        }
        self._sqlite = engine.dialect.name == "sqlite"

    def flush(self, rows: list[Row], attempts: int) -> BatchResult:
        """Commit ``rows`` in one transaction, trying up to ``attempts`` times."""
        groups = self._group(rows)
        for attempt in range(1, attempts + 1):
            try:
                self._write(groups)
            except Exception as err:  # noqa: BLE001  (the writer thread must not die)
                if not is_transient(err):
                    # Bad data (constraint, unserializable value): not retried.
                    return self._write_one_by_one(rows, err)
                # The writer logs one WARNING per outage, not one per attempt.
                _LOGGER.debug(
                    "Database write of %s rows failed (attempt %s/%s): %s",
                    len(rows),
                    attempt,
                    attempts,
                    describe_error(err, self._engine.url),
                )
                if attempt == attempts:
                    self._stats.failed_flushes += 1
                    return BatchResult(rows, err)
                self._stats.retries += 1
                time.sleep(self._retry_wait * attempt)
            else:
                self._stats.rows_written += len(rows)
                return BatchResult()
        raise ValueError("attempts must be >= 1")

    def _group(self, rows: list[Row]) -> list[_Group]:
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
        self._stats.commits += 1

    def _write_one_by_one(self, rows: list[Row], first_error: Exception) -> BatchResult:
        """Isolate the rows the database rejects; write the others.

        A transient error on the way (the server went away) stops here: the
        rows not tried yet are handed back for a retry, not dropped.
        """
        result = BatchResult()
        for index, (table, keys, values) in enumerate(rows):
            try:
                self._write([(table, keys, [values])])
            except Exception as err:  # noqa: BLE001  (counted and logged below)
                if is_transient(err):
                    result.unwritten, result.error = rows[index:], err
                    break
                result.rejected[table.name] = result.rejected.get(table.name, 0) + 1
            else:
                self._stats.rows_written += 1
        if result.rejected:
            # Values stay out of the log: they may hold pool or device secrets.
            _LOGGER.error(
                "Database rejected rows, dropped %s (%s)",
                result.rejected,
                type(getattr(first_error, "orig", None) or first_error).__name__,
            )
        return result
