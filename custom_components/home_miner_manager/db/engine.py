"""Database URL handling and engine creation.

Accepted URLs (the same spellings Home Assistant's recorder documents):
an empty string (SQLite file chosen by the caller), ``sqlite:///path``,
``postgresql://`` (psycopg2, or ``postgresql+psycopg://`` for psycopg 3) and
``mysql://`` / ``mysql+pymysql://`` / ``mariadb://``.
"""

from __future__ import annotations

from dataclasses import dataclass
import importlib.util
import os
import re
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import URL, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from . import json_codec
from .exceptions import (
    DatabaseConnectionError,
    DatabaseDriverMissingError,
    DatabaseUrlError,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

SQLITE: Final = "sqlite"
POSTGRESQL: Final = "postgresql"
MYSQL: Final = "mysql"

# backend -> {driver spelled in the URL (None = default): DBAPI module}
_DRIVERS: Final[dict[str, dict[str | None, str]]] = {
    SQLITE: {None: "sqlite3", "pysqlite": "sqlite3"},
    POSTGRESQL: {None: "psycopg2", "psycopg2": "psycopg2", "psycopg": "psycopg"},
    MYSQL: {None: "MySQLdb", "mysqldb": "MySQLdb", "pymysql": "pymysql"},
}
_BACKEND_ALIASES: Final = {"postgres": POSTGRESQL, "mariadb": MYSQL}
# Query options masked like the password: any name holding one of these
# (password, passwd, sslpassword, passfile, sslkey, ssl_key, auth_token...).
# Over-masking costs nothing (the form puts masked values back), a miss leaks.
_SECRET_QUERY_PARTS: Final = ("pass", "pwd", "secret", "token", "key")
_MASK: Final = "***"
# For strings SQLAlchemy cannot parse: hide whatever sits between "user:" and "@".
_CREDENTIALS_RE: Final = re.compile(r"(?P<head>://[^:/@\s]*:)[^@\s]*(?P<tail>@)")
_QUERY_SECRET_RE: Final = re.compile(
    r"(?P<key>[?&;][^=&;\s]*(?:pass|pwd|secret|token|key)[^=&;\s]*=)[^&;\s]*",
    re.IGNORECASE,
)


def is_secret_query_key(key: str) -> bool:
    """Return True for a URL query option that may carry a credential."""
    lowered = key.lower()
    return any(part in lowered for part in _SECRET_QUERY_PARTS)


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """A validated URL with its backend name and a loggable form."""

    url: URL
    backend: str
    redacted: str


def redact_url(url: str | URL) -> str:
    """Return the URL with its password (and password query options) masked."""
    if isinstance(url, str):
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            masked = _CREDENTIALS_RE.sub(rf"\g<head>{_MASK}\g<tail>", url)
            return _QUERY_SECRET_RE.sub(rf"\g<key>{_MASK}", masked)
    else:
        parsed = url
    query = {
        key: (_MASK if is_secret_query_key(key) else value)
        for key, value in parsed.query.items()
    }
    rendered = parsed.set(query=query).render_as_string(hide_password=True)
    return rendered.replace("%2A%2A%2A", _MASK)  # query values come out escaped


def url_secrets(url: str | URL) -> list[str]:
    """Return the password and secret query values of ``url`` (for scrubbing)."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):
        return []
    found = [str(parsed.password)] if parsed.password else []
    for key, value in parsed.query.items():
        if is_secret_query_key(key):
            found += [value] if isinstance(value, str) else list(value)
    return [secret for secret in found if secret and secret != _MASK]


def restore_masked(new_url: str, current_url: str) -> str:
    """Put the stored secrets back where ``new_url`` still shows them masked.

    A form shows the stored URL through :func:`redact_url`; a user who edits
    another part (the database name, an option) leaves ``***`` in place. That
    means "keep it" only while the URL names the same server and user: a
    secret is never sent to another host.
    """
    try:
        new, current = make_url(new_url), make_url(current_url)
    except (ArgumentError, ValueError):
        return new_url
    if (new.get_backend_name(), new.host, new.port, new.username) != (
        current.get_backend_name(),
        current.host,
        current.port,
        current.username,
    ):
        return new_url
    restored = new
    if new.password == _MASK and current.password is not None:
        restored = restored.set(password=current.password)
    query = dict(new.query)
    for key, value in new.query.items():
        if value == _MASK and is_secret_query_key(key) and key in current.query:
            query[key] = current.query[key]
    if restored is new and query == dict(new.query):
        return new_url
    return restored.set(query=query).render_as_string(hide_password=False)


def resolve_url(
    url: str, sqlite_path: str | os.PathLike[str] | None = None
) -> DatabaseTarget:
    """Validate ``url`` (empty means the SQLite file ``sqlite_path``)."""
    if not url.strip():
        if sqlite_path is None or not os.fspath(sqlite_path):
            raise DatabaseUrlError("No database URL and no SQLite file path given")
        parsed = URL.create(SQLITE, database=os.fspath(sqlite_path))
    else:
        try:
            parsed = make_url(url.strip())
        except (ArgumentError, ValueError) as err:
            raise DatabaseUrlError(
                f"Malformed database URL: {redact_url(url)}"
            ) from err

    redacted = redact_url(parsed)
    backend_spelled, _, driver_spelled = parsed.drivername.partition("+")
    backend = _BACKEND_ALIASES.get(backend_spelled, backend_spelled)
    drivers = _DRIVERS.get(backend)
    if drivers is None:
        raise DatabaseUrlError(
            f"Unsupported database {backend_spelled!r} in {redacted} "
            "(use sqlite, postgresql or mysql)"
        )
    driver = driver_spelled or None
    if driver not in drivers:
        raise DatabaseUrlError(f"Unsupported driver {driver!r} in {redacted}")

    if backend == SQLITE:
        if not parsed.database or parsed.database == ":memory:":
            # The writer thread and readers use separate connections, so an
            # in-memory database would be a different empty database for each.
            raise DatabaseUrlError(f"In-memory SQLite is not supported: {redacted}")
    elif not parsed.database:
        raise DatabaseUrlError(f"Database name missing in {redacted}")

    module = drivers[driver]
    if backend == MYSQL and driver is None and not _module_present(module):
        # mysql:// defaults to mysqlclient; PyMySQL is a common pure-Python stand-in.
        driver, module = "pymysql", "pymysql"
    if not _module_present(module):
        raise DatabaseDriverMissingError(
            f"Python package for {backend} is not installed (module {module!r})",
            module,
        )
    drivername = backend if driver is None else f"{backend}+{driver}"
    parsed = parsed.set(drivername=drivername)
    return DatabaseTarget(url=parsed, backend=backend, redacted=redact_url(parsed))


def _module_present(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def create_db_engine(
    target: DatabaseTarget, *, sqlite_busy_timeout: float = 30.0
) -> Engine:
    """Create the engine with the per-backend settings this project relies on."""
    # hide_parameters: bound values (pool passwords, tokens) never reach SQL
    # logging or exception messages.
    kwargs: dict[str, Any] = {
        "hide_parameters": True,
        "json_serializer": json_codec.dumps,
        "json_deserializer": json_codec.loads,
    }
    url = target.url
    if target.backend == SQLITE:
        kwargs["connect_args"] = {
            "timeout": sqlite_busy_timeout,
            "check_same_thread": False,
        }
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_recycle"] = 3600
        if target.backend == POSTGRESQL and url.drivername.endswith("psycopg2"):
            kwargs["connect_args"] = {
                "connect_timeout": 10,
                "application_name": "home_miner_manager",
            }
        if target.backend == MYSQL and "charset" not in url.query:
            url = url.update_query_dict({"charset": "utf8mb4"})
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError) as err:
        raise DatabaseUrlError(f"Cannot use {target.redacted}: {err}") from err
    if target.backend == SQLITE:
        busy_ms = int(sqlite_busy_timeout * 1000)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers run beside the writer thread; NORMAL is safe in
            # WAL mode (a power cut may lose the last commits, never corrupts).
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.close()

    return engine


def check_connection(engine: Engine, target: DatabaseTarget) -> None:
    """Open one connection and run ``SELECT 1``; map failures to our errors."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as err:
        raise DatabaseConnectionError(
            f"Cannot connect to {target.redacted}: {describe_error(err, target.url)}"
        ) from None
    except SQLAlchemyError as err:
        raise DatabaseConnectionError(
            f"Cannot connect to {target.redacted}: {type(err).__name__}"
        ) from None


def describe_error(err: BaseException, url: URL | None = None) -> str:
    """One line naming the error, safe to log (no statement, no password)."""
    orig = getattr(err, "orig", None) or err
    # SQLAlchemy's own str() appends the statement and its parameters; skip them.
    raw = (
        str(orig.args[0])
        if isinstance(orig, SQLAlchemyError) and orig.args
        else str(orig)
    )
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    # psycopg2 puts the useful part ("password authentication failed ...") last.
    message = " ".join(lines[:3]) if lines else type(orig).__name__
    for secret in url_secrets(url) if url is not None else ():
        message = message.replace(secret, _MASK)
    return f"{type(orig).__name__}: {message}"[:300]
