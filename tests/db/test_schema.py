"""The live schema (reflected from the database) matches the schema contract.

The contract is ``schema_contract.json`` beside this file: the 18 tables and
167 fields of upstream HMM's seed schema reference plus the extra indexes of
its schema notes, copied into the repository once so the tests need nothing
outside it.  Runs on SQLite, PostgreSQL and MariaDB.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import Any

import pytest
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.dialects import mysql
from sqlalchemy.sql import sqltypes

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.base import utcnow
from custom_components.home_miner_manager.db.models import (
    SEED_MODELS,
    AgileStrategy,
    AuditLog,
    Miner,
    Pool,
    Telemetry,
)

from .conftest import add_miner

CONTRACT_FILE = Path(__file__).with_name("schema_contract.json")
CASCADE_FROM_MINERS = {
    "telemetry",
    "blocks_found",
    "high_diff_shares",
    "health_scores",
    "miner_strategy",
}


@dataclass(frozen=True)
class SeedField:
    """One field of a contract table."""

    name: str
    type: str
    length: int | None
    nullable: bool
    indexed: bool
    unique: bool
    references: str | None
    description: str


@dataclass(frozen=True)
class SeedIndex:
    """A named extra index the schema notes list."""

    name: str
    columns: list[str]
    unique: bool


@dataclass(frozen=True)
class SeedTable:
    """One contract table: its fields and the extra indexes from the notes."""

    model: str
    table: str
    fields: list[SeedField]
    extra_indexes: list[SeedIndex]
    extra_unique_columns: list[str]


def load_contract() -> tuple[dict[str, Any], dict[str, SeedTable]]:
    """(raw contract, model name -> table), read from the JSON beside this file."""
    raw: dict[str, Any] = json.loads(CONTRACT_FILE.read_text(encoding="utf-8"))
    tables = {
        entry["model"]: SeedTable(
            model=entry["model"],
            table=entry["table"],
            fields=[SeedField(**field) for field in entry["fields"]],
            extra_indexes=[SeedIndex(**index) for index in entry["extra_indexes"]],
            extra_unique_columns=list(entry["extra_unique_columns"]),
        )
        for entry in raw["tables"]
    }
    return raw, tables


CONTRACT, SEED_TABLES = load_contract()
TABLE_OF = {model: entry.table for model, entry in SEED_TABLES.items()}
FORBIDDEN: dict[str, set[str]] = {
    table: set(names) for table, names in CONTRACT["forbidden_fields"].items()
}


def test_contract_complete() -> None:
    """Guard the contract file: 18 tables, 167 fields, flags agree with the text."""
    assert len(SEED_TABLES) == CONTRACT["table_count"] == 18
    assert len(set(TABLE_OF.values())) == 18
    fields = [field for entry in SEED_TABLES.values() for field in entry.fields]
    assert len(fields) == CONTRACT["field_count"] == 167
    assert "power_watts" in {f.name for f in SEED_TABLES["Telemetry"].fields}
    assert {
        "miners": {"current_pool", "pool"},
        "telemetry": {"power", "uptime"},
    } == FORBIDDEN
    for entry in SEED_TABLES.values():
        names = [field.name for field in entry.fields]
        assert len(names) == len(set(names)), entry.table
        assert names[0] == "id", entry.table
    # The flags were read from the upstream descriptions; a hand edit of one
    # without the other is caught here.
    for field in fields:
        desc = field.description
        assert field.indexed is ("(indexed" in desc or "indexed)" in desc), field
        assert field.unique is ("unique" in desc), field
        target = re.search(r"FK to (\w+)", desc)
        assert field.references == (TABLE_OF[target.group(1)] if target else None)
        assert (field.type == "str") is (field.length is not None), field
        assert field.type in {"str", "int", "float", "bool", "JSON", "datetime"}
    extras = sum(
        len(entry.extra_indexes) + len(entry.extra_unique_columns)
        for entry in SEED_TABLES.values()
    )
    assert extras == 7


def test_models_cover_contract() -> None:
    """The SQLAlchemy models are exactly the contract's models and table names."""
    assert {model.__name__: model.__tablename__ for model in SEED_MODELS} == TABLE_OF


def _check_type(table: str, field: SeedField, column: Any, dialect: str) -> None:
    col_type = column["type"]
    where = f"{table}.{field.name}"
    if field.type == "str":
        assert isinstance(col_type, sqltypes.String), where
        assert col_type.length == field.length, where
        return
    if dialect == "mysql":
        _check_mysql_type(where, field, col_type)
        return
    expected = {
        "int": sqltypes.Integer,
        "float": sqltypes.Float,
        "bool": sqltypes.Boolean,
        "JSON": sqltypes.JSON,
        "datetime": sqltypes.DateTime,
    }[field.type]
    assert isinstance(col_type, expected), f"{where}: {col_type!r}"
    if expected is sqltypes.DateTime:
        assert not getattr(col_type, "timezone", False), f"{where} must be naive"


def _check_mysql_type(where: str, field: SeedField, col_type: Any) -> None:
    """MySQL/MariaDB reflect some types as their storage type."""
    if field.type == "bool":  # BOOLEAN is TINYINT(1) there
        assert isinstance(col_type, mysql.TINYINT), f"{where}: {col_type!r}"
        assert col_type.display_width == 1, where
    elif field.type == "JSON":  # MariaDB's JSON is LONGTEXT + a validity check
        assert isinstance(col_type, sqltypes.JSON | mysql.LONGTEXT), where
    elif field.type == "float":  # not FLOAT: single precision
        assert isinstance(col_type, mysql.DOUBLE), f"{where}: {col_type!r}"
    elif field.type == "datetime":  # microseconds, as on SQLite/PostgreSQL
        assert isinstance(col_type, mysql.DATETIME), f"{where}: {col_type!r}"
        assert col_type.fsp == 6, f"{where}: {col_type!r}"
    else:
        assert isinstance(col_type, sqltypes.Integer), f"{where}: {col_type!r}"


def _unique_sets(insp: Any, table: str) -> list[list[str]]:
    sets = [uc["column_names"] for uc in insp.get_unique_constraints(table)]
    sets += [ix["column_names"] for ix in insp.get_indexes(table) if ix["unique"]]
    return sets


def test_live_schema_matches_seed(database: Database) -> None:
    """Every table and field: name, type, length, nullability, indexes, FKs."""
    insp = inspect(database.engine)
    live_tables = set(insp.get_table_names())
    checked_fields = 0
    for entry in SEED_TABLES.values():
        table, fields = entry.table, entry.fields
        assert table in live_tables, table
        columns = {col["name"]: col for col in insp.get_columns(table)}
        assert set(columns) == {f.name for f in fields}, table
        indexes = insp.get_indexes(table)
        single = {tuple(ix["column_names"]) for ix in indexes}
        foreign = {
            tuple(fk["constrained_columns"]): fk for fk in insp.get_foreign_keys(table)
        }
        for field in fields:
            column = columns[field.name]
            _check_type(table, field, column, database.dialect)
            assert column["nullable"] is field.nullable, f"{table}.{field.name}"
            if field.indexed:
                assert (field.name,) in single, f"index on {table}.{field.name}"
            if field.unique:
                assert [field.name] in _unique_sets(insp, table), field.name
            if field.references is not None:
                fk = foreign[(field.name,)]
                assert fk["referred_table"] == field.references
                assert fk["referred_columns"] == ["id"]
                if table in CASCADE_FROM_MINERS:
                    assert fk["options"].get("ondelete") == "CASCADE", table
            checked_fields += 1
        assert insp.get_pk_constraint(table)["constrained_columns"] == ["id"]
    assert checked_fields == 167


def test_extra_indexes_from_schema_notes(database: Database) -> None:
    """Composite and unique indexes the notes list, by name and columns."""
    insp = inspect(database.engine)
    checked = 0
    for entry in SEED_TABLES.values():
        table = entry.table
        by_name = {ix["name"]: ix for ix in insp.get_indexes(table)}
        for extra in entry.extra_indexes:
            index = by_name[extra.name]
            assert index["column_names"] == extra.columns, extra.name
            assert bool(index["unique"]) is extra.unique, extra.name
            checked += 1
        for column in entry.extra_unique_columns:
            assert [column] in _unique_sets(insp, table), f"{table}.{column}"
            checked += 1
    assert checked == 7


def test_forbidden_fields_absent(database: Database) -> None:
    """miners.current_pool/pool and telemetry.power/uptime must not exist."""
    insp = inspect(database.engine)
    for table, names in FORBIDDEN.items():
        columns = {col["name"] for col in insp.get_columns(table)}
        assert not names & columns
        assert not names & set(
            (Miner if table == "miners" else Telemetry).__table__.columns.keys()
        )


def test_defaults(database: Database) -> None:
    """enabled, priority, user, hysteresis_counter and timestamps default."""
    before = utcnow()

    def _create(session: Any) -> tuple[Any, ...]:
        miner = Miner(name="m", miner_type="bitaxe", ip_address="127.0.0.1")
        pool = Pool(name="p", url="pool.example", port=3333, user="u", password="pw")
        audit = AuditLog(action="create", resource_type="miner")
        strategy = AgileStrategy()
        session.add_all([miner, pool, audit, strategy])
        session.flush()
        return (
            miner.enabled,
            miner.created_at,
            miner.updated_at,
            pool.enabled,
            pool.priority,
            audit.user,
            audit.timestamp,
            strategy.hysteresis_counter,
        )

    values = database.run(_create)
    assert values[0] is True
    assert values[1] >= before
    assert values[1].tzinfo is None
    assert values[2] >= before
    assert values[3:6] == (True, 0, "system")
    assert values[6] >= before
    assert values[7] == 0


def test_pool_repr_hides_password() -> None:
    """A Pool in a log line never shows its password."""
    pool = Pool(name="p", url="pool.example", port=3333, user="u", password="s3cret")
    assert "s3cret" not in repr(pool)


def test_deleting_miner_cascades(database: Database) -> None:
    """ON DELETE CASCADE is enforced by the database (SQLite: foreign_keys=ON)."""
    miner_id = add_miner(database)
    for second in range(3):
        database.queue_telemetry(
            miner_id, utcnow().replace(second=second), hashrate=1.0
        )
    database.flush()

    def _delete(session: Any) -> int:
        session.execute(delete(Miner).where(Miner.id == miner_id))
        return int(session.scalar(select(func.count()).select_from(Telemetry)))

    assert database.run(_delete) == 0


def test_sqlite_foreign_keys_rejected_orphans(sqlite_db: Database) -> None:
    """A telemetry row for an unknown miner is rejected, not stored."""
    with pytest.raises(Exception, match="FOREIGN KEY"):
        sqlite_db.run(
            lambda s: s.execute(
                text(
                    "INSERT INTO telemetry (miner_id, timestamp) "
                    "VALUES (999, '2026-01-01 00:00:00')"
                )
            )
        )
