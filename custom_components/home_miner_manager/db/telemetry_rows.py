"""The layout of queued telemetry rows and the SQLite fast path that writes them.

Telemetry is queued as a tuple in ``TELEMETRY_KEYS`` order (cheaper to build
in the event loop than a dict).  On SQLite the writer hands these tuples to
the driver's ``executemany`` itself, converting the two columns SQLAlchemy
would convert (DATETIME to its text form, JSON to text) exactly as
SQLAlchemy stores them; this skips SQLAlchemy's per-row parameter
processing, which costs more than the insert itself.  Other databases go
through Core ``insert()``.  ``tests/db/test_writer.py`` checks both paths
store identical values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import insert
from sqlalchemy.dialects import sqlite

from .json_codec import dumps
from .models import Telemetry

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import Table

TELEMETRY_TABLE: Final = cast("Table", Telemetry.__table__)
TELEMETRY_KEYS: Final = (
    "miner_id",
    "timestamp",
    "hashrate",
    "hashrate_unit",
    "temperature",
    "power_watts",
    "shares_accepted",
    "shares_rejected",
    "pool_in_use",
    "data",
)
# Fields a caller may pass to queue_telemetry (everything but the keys).
TELEMETRY_FIELDS: Final = frozenset(TELEMETRY_KEYS[2:])
_TIMESTAMP: Final = TELEMETRY_KEYS.index("timestamp")
_DATA: Final = TELEMETRY_KEYS.index("data")
_COMPILED: Final = insert(TELEMETRY_TABLE).compile(
    dialect=sqlite.dialect(),  # type: ignore[no-untyped-call]
    column_keys=list(TELEMETRY_KEYS),
)
SQLITE_INSERT: Final = str(_COMPILED)

if tuple(_COMPILED.positiontup or ()) != TELEMETRY_KEYS:
    raise RuntimeError("TELEMETRY_KEYS out of step with the Telemetry model")


def sqlite_params(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Driver parameters for ``SQLITE_INSERT``, as SQLAlchemy would bind them."""
    out = []
    for row in rows:
        values = list(row)
        # SQLAlchemy's SQLite DATETIME text form: "YYYY-MM-DD HH:MM:SS.ffffff".
        values[_TIMESTAMP] = row[_TIMESTAMP].isoformat(" ", "microseconds")
        data = row[_DATA]
        values[_DATA] = None if data is None else dumps(data)
        out.append(tuple(values))
    return out
