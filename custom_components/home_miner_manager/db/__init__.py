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
from .retention import MaintenanceResult

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "DatabaseClosedError",
    "DatabaseConnectionError",
    "DatabaseDriverMissingError",
    "DatabaseError",
    "DatabaseMigrationError",
    "DatabaseUrlError",
    "MaintenanceResult",
    "redact_url",
]
