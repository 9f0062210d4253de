"""Errors raised by the database layer.

Messages never contain a password: URLs are redacted before they are put in a
message, so callers may log these freely.
"""

from __future__ import annotations


class DatabaseError(Exception):
    """Base class for everything the database layer raises."""


class DatabaseUrlError(DatabaseError):
    """The URL is malformed or names an unsupported database or driver."""


class DatabaseDriverMissingError(DatabaseError):
    """The URL is fine but its DBAPI module (psycopg2, pymysql...) is not installed."""

    def __init__(self, message: str, module: str) -> None:
        """Keep the missing module name for repair messages."""
        super().__init__(message)
        self.module = module


class DatabaseConnectionError(DatabaseError):
    """The server could not be reached, refused us, or rejected the credentials."""


class DatabaseMigrationError(DatabaseError):
    """The schema could not be brought to the version this code expects."""


class DatabaseClosedError(DatabaseError):
    """The database was used after ``close()``."""
