"""Database layer: SQLAlchemy models, an off-loop writer, migrations, retention.

No Home Assistant import anywhere in this package.
"""

from __future__ import annotations

from .database import Database
from .engine import redact_url
from .exceptions import (
    DatabaseClosedError,
    DatabaseConnectionError,
    DatabaseDriverMissingError,
    DatabaseError,
    DatabaseMigrationError,
    DatabaseUrlError,
)
from .migrations import SCHEMA_VERSION
from .retention import HIGH_DIFF_KEEP_TOP, RETENTION_DEFAULTS, MaintenanceResult
from .writer_status import WriterStats, WriterStatus

__all__ = [
    "HIGH_DIFF_KEEP_TOP",
    "RETENTION_DEFAULTS",
    "SCHEMA_VERSION",
    "Database",
    "DatabaseClosedError",
    "DatabaseConnectionError",
    "DatabaseDriverMissingError",
    "DatabaseError",
    "DatabaseMigrationError",
    "DatabaseUrlError",
    "MaintenanceResult",
    "WriterStats",
    "WriterStatus",
    "redact_url",
]
