"""Fixtures for the database tests: a SQLite file, or a fresh PostgreSQL or
MariaDB database on the session's throw-away servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.models import Miner
from tests.plugins.mariadb import mariadb_server, mariadb_url  # noqa: F401

BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``mariadb`` marker (``-m mariadb`` selects those tests)."""
    config.addinivalue_line(
        "markers", "mariadb: needs a MariaDB server (started by the test session)"
    )


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for each backend the project supports in CI."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hmm.db'}"
    url: str = request.getfixturevalue(
        "postgres_url" if request.param == "postgresql" else "mariadb_url"
    )
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'hmm.db'}"


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """An open Database on each backend, closed after the test."""
    db = Database.open(db_url, retry_wait=0.05)
    yield db
    db.close()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    """An open Database on SQLite only (writer mechanics tests)."""
    db = Database.open(sqlite_url, retry_wait=0.05)
    yield db
    db.close()


def add_miner(db: Database, name: str = "bitaxe-1", **values: object) -> int:
    """Insert a miner row and return its id."""

    def _add(session: object) -> int:
        miner = Miner(name=name, miner_type="bitaxe", ip_address="127.0.0.1", **values)
        session.add(miner)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        return miner.id

    return db.run(_add)
