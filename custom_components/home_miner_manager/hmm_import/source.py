"""Open an HMM database read-only: it is never written, not even by accident.

SQLite is opened through a ``file:…?mode=ro`` URI, so the driver itself
refuses writes (and no journal is created); PostgreSQL sessions start with
``default_transaction_read_only`` and every transaction is declared
``READ ONLY``; MySQL sessions are ``READ ONLY`` too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.exc import ArgumentError

from ..db.engine import redact_url

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL


class SourceUrlError(Exception):
    """The value is neither a usable URL nor an existing SQLite file."""

    def __init__(self, reason: str, shown: str) -> None:
        """Keep a reason key (translated by the glue) and the redacted value."""
        super().__init__(f"{reason}: {shown}")
        self.reason = reason
        self.shown = shown


def _sqlite_uri(path: str) -> str:
    resolved = Path(path).expanduser()
    if not resolved.is_file():
        raise SourceUrlError("not_found", str(resolved))
    return f"sqlite+pysqlite:///file:{quote(str(resolved.resolve()))}?mode=ro&uri=true"


def source_url(value: str) -> URL:
    """Return the read-only URL for ``value`` (a URL, or an SQLite file path)."""
    text = value.strip()
    if not text:
        raise SourceUrlError("not_found", "")
    if "://" not in text:
        return make_url(_sqlite_uri(text))
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise SourceUrlError("malformed", redact_url(text)) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise SourceUrlError("not_found", redact_url(url))
        return make_url(_sqlite_uri(url.database))
    if backend not in ("postgresql", "mysql", "mariadb"):
        raise SourceUrlError("unsupported", redact_url(url))
    return url


def open_source(value: str) -> Engine:
    """Create a read-only engine on the source (no connection made yet)."""
    url = source_url(value)
    kwargs: dict[str, Any] = {"hide_parameters": True}
    backend = url.get_backend_name()
    if backend == "postgresql" and url.get_driver_name() == "psycopg2":
        kwargs["connect_args"] = {
            "options": "-c default_transaction_read_only=on",
            "connect_timeout": 10,
            "application_name": "home_miner_manager_import",
        }
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError) as err:
        raise SourceUrlError("unsupported", redact_url(url)) from err
    if backend == "postgresql":

        @event.listens_for(engine, "begin")
        def _read_only(conn: Any) -> None:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    elif backend in ("mysql", "mariadb"):

        @event.listens_for(engine, "connect")
        def _session_read_only(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.close()

    return engine
