"""URL handling, driver checks, connection errors, SQLite settings, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from custom_components.home_miner_manager.db import (
    Database,
    DatabaseConnectionError,
    DatabaseDriverMissingError,
    DatabaseUrlError,
    engine as engine_module,
    redact_url,
)
from custom_components.home_miner_manager.db.engine import (
    describe_error,
    resolve_url,
    restore_masked,
)

SECRET = "s3cr3t-Pa55"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"postgresql://hmm:{SECRET}@db.local:5432/hmm",
            "postgresql://hmm:***@db.local:5432/hmm",
        ),
        (
            f"mysql+pymysql://hmm:{SECRET}@db/hmm?charset=utf8mb4",
            "mysql+pymysql://hmm:***@db/hmm?charset=utf8mb4",
        ),
        (
            f"postgresql://hmm@/hmm?password={SECRET}",
            "postgresql://hmm@/hmm?password=***",
        ),
        (
            "sqlite:////config/home_miner_manager.db",
            "sqlite:////config/home_miner_manager.db",
        ),
        # Unparseable: still masked.
        (
            f"postgresql://hmm:{SECRET}@db:notaport/hmm",
            "postgresql://hmm:***@db:notaport/hmm",
        ),
        # Every query option that may hold a credential, in any case.
        (
            f"postgresql://hmm@db/hmm?sslmode=verify-full&sslpassword={SECRET}",
            "postgresql://hmm@db/hmm?sslmode=verify-full&sslpassword=***",
        ),
        (
            f"postgresql://hmm@db/hmm?SSLPassword={SECRET}&passfile=/run/{SECRET}",
            "postgresql://hmm@db/hmm?SSLPassword=***&passfile=***",
        ),
        (
            f"postgresql://hmm@db/hmm?sslkey=/keys/{SECRET}.key&application_name=x",
            "postgresql://hmm@db/hmm?application_name=x&sslkey=***",
        ),
        (
            f"mysql+pymysql://hmm@db/hmm?passwd={SECRET}&ssl_key=/k/{SECRET}",
            "mysql+pymysql://hmm@db/hmm?passwd=***&ssl_key=***",
        ),
        (
            f"postgresql://hmm@db/hmm?password={SECRET}&password={SECRET}2",
            "postgresql://hmm@db/hmm?password=***",
        ),
        (
            f"postgresql://hmm:{SECRET}@db:notaport/hmm?sslpassword={SECRET}&a=1",
            "postgresql://hmm:***@db:notaport/hmm?sslpassword=***&a=1",
        ),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    """The password never survives redaction."""
    assert redact_url(url) == expected
    assert SECRET not in redact_url(url)


@pytest.mark.parametrize(
    ("typed", "stored", "saved"),
    [
        # The mask where the form showed it: the stored secrets come back.
        (
            "postgresql://hmm:***@db:5432/other?sslpassword=***",
            f"postgresql://hmm:{SECRET}@db:5432/hmm?sslpassword=k-{SECRET}",
            f"postgresql://hmm:{SECRET}@db:5432/other?sslpassword=k-{SECRET}",
        ),
        # A new password typed in: used as typed.
        (
            "postgresql://hmm:new-pass@db/hmm",
            f"postgresql://hmm:{SECRET}@db/hmm",
            "postgresql://hmm:new-pass@db/hmm",
        ),
        # Another server, port or user: the secret is not sent there.
        (
            "postgresql://hmm:***@elsewhere/hmm",
            f"postgresql://hmm:{SECRET}@db/hmm",
            "postgresql://hmm:***@elsewhere/hmm",
        ),
        (
            "postgresql://hmm:***@db:6543/hmm",
            f"postgresql://hmm:{SECRET}@db/hmm",
            "postgresql://hmm:***@db:6543/hmm",
        ),
        (
            "postgresql://root:***@db/hmm",
            f"postgresql://hmm:{SECRET}@db/hmm",
            "postgresql://root:***@db/hmm",
        ),
        # Nothing stored to restore from (the default SQLite file).
        ("postgresql://hmm:***@db/hmm", "", "postgresql://hmm:***@db/hmm"),
    ],
)
def test_restore_masked(typed: str, stored: str, saved: str) -> None:
    """What a form showed masked means "keep it", on the same server only."""
    assert restore_masked(typed, stored) == saved


def test_describe_error_masks_query_secrets() -> None:
    """A driver message echoing sslpassword or the password loses both."""
    url = make_url(f"postgresql://hmm:pw-{SECRET}@db/hmm?sslpassword=k-{SECRET}")
    err = OSError(f"bad key passphrase k-{SECRET} for pw-{SECRET}")
    message = describe_error(err, url)
    assert SECRET not in message
    assert "***" in message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "No database URL"),
        ("not a url", "Malformed"),
        (f"postgresql://hmm:{SECRET}@db:notaport/hmm", "Malformed"),
        (f"oracle://hmm:{SECRET}@db/hmm", "Unsupported database"),
        (f"postgresql+asyncpg://hmm:{SECRET}@db/hmm", "Unsupported driver"),
        ("sqlite://", "In-memory"),
        ("sqlite:///:memory:", "In-memory"),
        (f"postgresql://hmm:{SECRET}@db:5432/", "Database name missing"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    """Malformed or unsupported URLs raise DatabaseUrlError without the secret."""
    with pytest.raises(DatabaseUrlError, match=message) as err:
        Database.open(url)
    assert SECRET not in str(err.value)


def test_empty_url_uses_sqlite_path(tmp_path: Path) -> None:
    """An empty URL means the SQLite file the caller names."""
    db = Database.open("", sqlite_path=tmp_path / "hmm.db")
    try:
        assert db.dialect == "sqlite"
        assert db.url_redacted == f"sqlite:///{tmp_path / 'hmm.db'}"
        assert (tmp_path / "hmm.db").exists()
    finally:
        db.close()


def test_url_spellings() -> None:
    """Aliases map to the driver SQLAlchemy will load."""
    assert resolve_url("postgres://u:p@h/d").url.drivername == "postgresql"
    assert resolve_url("postgresql+psycopg2://u:p@h/d").backend == "postgresql"
    assert resolve_url("sqlite:////tmp/x.db").backend == "sqlite"


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://hmm:{SECRET}@127.0.0.1/hmm",
        f"mysql+pymysql://hmm:{SECRET}@127.0.0.1/hmm",
    ],
)
def test_missing_driver(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A supported database whose DBAPI package is absent says which one.

    The test requirements install PyMySQL (MariaDB tests), so its absence
    is simulated rather than skipped.
    """
    real = engine_module._module_present
    monkeypatch.setattr(
        engine_module,
        "_module_present",
        lambda module: module not in {"MySQLdb", "pymysql"} and real(module),
    )
    with pytest.raises(DatabaseDriverMissingError) as err:
        Database.open(url)
    assert err.value.module in {"pymysql", "MySQLdb"}
    assert SECRET not in str(err.value)


def test_sqlite_folder_missing(tmp_path: Path) -> None:
    """A path that cannot be opened is a connection error."""
    with pytest.raises(DatabaseConnectionError, match="Cannot connect"):
        Database.open(f"sqlite:///{tmp_path / 'missing' / 'hmm.db'}")


def test_sqlite_pragmas(sqlite_db: Database) -> None:
    """WAL, synchronous=NORMAL, foreign keys and a busy timeout on every connection."""

    def _pragmas(session: object) -> tuple[object, ...]:
        return tuple(
            session.execute(text(f"PRAGMA {name}")).scalar()  # type: ignore[attr-defined]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        )

    assert sqlite_db.run(_pragmas) == ("wal", 1, 1, 30000)


def test_postgres_wrong_password(postgres_server: object, postgres_url: str) -> None:
    """Rejected credentials: DatabaseConnectionError, password not echoed."""
    bad = postgres_url.replace(":hmm-test-pw@", f":{SECRET}@")
    with pytest.raises(DatabaseConnectionError, match="password authentication") as err:
        Database.open(bad)
    assert SECRET not in str(err.value)
    assert "***" in str(err.value)


def test_postgres_nothing_listening() -> None:
    """A refused TCP connection is a DatabaseConnectionError."""
    with pytest.raises(DatabaseConnectionError, match="Cannot connect") as err:
        Database.open(f"postgresql://hmm:{SECRET}@127.0.0.1:1/hmm")
    assert SECRET not in str(err.value)


def test_postgres_alias_opens(postgres_url: str) -> None:
    """postgres:// (Heroku style) works like postgresql://."""
    db = Database.open(postgres_url.replace("postgresql://", "postgres://", 1))
    try:
        assert db.dialect == "postgresql"
        assert db.schema_version() == 2
        assert "hmm-test-pw" not in db.url_redacted
    finally:
        db.close()
