"""Schema versions: fresh databases, step-by-step upgrades, refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, inspect, select, text

from custom_components.home_miner_manager.db import (
    SCHEMA_VERSION,
    Database,
    DatabaseMigrationError,
)
from custom_components.home_miner_manager.db.base import Base
from custom_components.home_miner_manager.db.engine import create_db_engine, resolve_url
from custom_components.home_miner_manager.db.migrations import SchemaVersion, migrate
from custom_components.home_miner_manager.db.models import SEED_MODELS, Miner, Telemetry

ROLLUP_TABLES = {"telemetry_hourly", "telemetry_daily"}
T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).replace(tzinfo=None)  # stored form


def _engine(url: str) -> Any:
    return create_db_engine(resolve_url(url))


def _versions(db: Database) -> list[int]:
    return db.run(
        lambda s: list(
            s.scalars(select(SchemaVersion.version).order_by(SchemaVersion.id))
        )
    )


def test_fresh_database_is_created_at_latest_version(db_url: str) -> None:
    """Every step runs once, in order, and is recorded."""
    db = Database.open(db_url)
    try:
        assert SCHEMA_VERSION == 2
        assert db.schema_version() == SCHEMA_VERSION
        assert _versions(db) == [1, 2]
        assert set(inspect(db.engine).get_table_names()) >= ROLLUP_TABLES
    finally:
        db.close()


def test_upgrade_from_version_1_keeps_data(db_url: str) -> None:
    """A version-1 database gains the rollup tables; its rows are untouched."""
    engine = _engine(db_url)
    try:
        assert migrate(engine, target=1).to_version == 1
        assert not ROLLUP_TABLES & set(inspect(engine).get_table_names())
        with engine.begin() as conn:
            miner_id = conn.execute(
                insert(Miner).values(
                    name="old", miner_type="bitaxe", ip_address="10.0.0.2"
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(Telemetry),
                [
                    {
                        "miner_id": miner_id,
                        "timestamp": T0,
                        "hashrate": 480.5,
                        "power_watts": None,
                    },
                    {
                        "miner_id": miner_id,
                        "timestamp": T0,
                        "hashrate": None,
                        "power_watts": 14.5,
                    },
                ],
            )
    finally:
        engine.dispose()

    db = Database.open(db_url)
    try:
        assert db.schema_version() == 2
        assert _versions(db) == [1, 2]
        assert set(inspect(db.engine).get_table_names()) >= ROLLUP_TABLES
        rows = db.run(
            lambda s: s.execute(
                select(
                    Telemetry.hashrate, Telemetry.power_watts, Telemetry.timestamp
                ).order_by(Telemetry.id)
            ).all()
        )
        assert [tuple(r) for r in rows] == [(480.5, None, T0), (None, 14.5, T0)]
        assert db.run(lambda s: s.scalar(select(Miner.name))) == "old"
    finally:
        db.close()


def test_upstream_database_without_version_table(db_url: str) -> None:
    """Upstream HMM databases have the contract tables but no version: v1."""
    engine = _engine(db_url)
    try:
        Base.metadata.create_all(engine, tables=[m.__table__ for m in SEED_MODELS])  # type: ignore[misc]
    finally:
        engine.dispose()
    db = Database.open(db_url)
    try:
        assert db.schema_version() == 2
        assert _versions(db) == [2]
    finally:
        db.close()


def test_upstream_rollup_table_with_other_layout_is_refused(sqlite_url: str) -> None:
    """Upstream's own telemetry_hourly is not silently reused."""
    engine = _engine(sqlite_url)
    try:
        Base.metadata.create_all(engine, tables=[m.__table__ for m in SEED_MODELS])  # type: ignore[misc]
        upstream = MetaData()
        Table(
            "telemetry_hourly",
            upstream,
            Column("id", Integer, primary_key=True),
            Column("uptime_minutes", Integer),
        )
        upstream.create_all(engine)
    finally:
        engine.dispose()
    with pytest.raises(DatabaseMigrationError, match="telemetry_hourly"):
        Database.open(sqlite_url)


def test_newer_schema_is_refused(sqlite_url: str) -> None:
    """A database from a newer release is not touched."""
    Database.open(sqlite_url).close()
    engine = _engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO schema_version (version, applied_at) VALUES (99, '2026-01-01')"
                )
            )
    finally:
        engine.dispose()
    with pytest.raises(DatabaseMigrationError, match="newer"):
        Database.open(sqlite_url)


def test_reopen_does_not_migrate_again(sqlite_url: str) -> None:
    """Opening a current database records no further steps."""
    Database.open(sqlite_url).close()
    db = Database.open(sqlite_url)
    try:
        assert _versions(db) == [1, 2]
    finally:
        db.close()
