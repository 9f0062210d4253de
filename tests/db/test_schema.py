"""The live schema (reflected from the database) matches the seed schema file.

The seed markdown and the schema notes are parsed here, not copied, so a
change on either side makes this fail.  Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import re
from typing import Any

import pytest
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.sql import sqltypes

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.models import (
    AgileStrategy,
    AuditLog,
    Miner,
    Pool,
    Telemetry,
    utcnow,
)

from .conftest import add_miner

SHARED = Path(
    os.environ.get("HMM_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared")
)
SEED = SHARED / "seeds" / "000_b0bc171994152d54.txt"
NOTES = SHARED / "docs" / "schema-notes.md"
FORBIDDEN = {"miners": {"current_pool", "pool"}, "telemetry": {"power", "uptime"}}
CASCADE_FROM_MINERS = {
    "telemetry",
    "blocks_found",
    "high_diff_shares",
    "health_scores",
    "miner_strategy",
}


@dataclass(frozen=True)
class SeedField:
    """One row of a seed table."""

    name: str
    type: str
    nullable: bool
    description: str


def _read(path: Path) -> str:
    if not path.is_file():
        pytest.fail(f"{path} missing (set HMM_SHARED_DIR to the shared/ folder)")
    return path.read_text(encoding="utf-8")


def parse_seed() -> dict[str, list[SeedField]]:
    """Model name -> fields, from the seed markdown."""
    models: dict[str, list[SeedField]] = {}
    current: str | None = None
    row = re.compile(r"^\| `(\w+)` \| ([^|]+?) \| (Yes|No) \| (.*?) \|$")
    for line in _read(SEED).splitlines():
        if heading := re.match(r"^### (\w+)\s*$", line):
            current = heading.group(1)
            models[current] = []
        elif current and (match := row.match(line.strip())):
            name, type_, nullable, desc = match.groups()
            models[current].append(
                SeedField(name, type_.strip(), nullable == "Yes", desc)
            )
    return models


def parse_notes() -> tuple[dict[str, str], dict[str, str]]:
    """(model -> table name, table name -> 'extra indexes' cell)."""
    tables: dict[str, str] = {}
    extras: dict[str, str] = {}
    for line in _read(NOTES).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`\w+`", cells[1]):
            model, table, extra = cells[0], cells[1].strip("`"), cells[2]
            tables[model] = table
            extras[table] = extra
    return tables, extras


SEED_MODELS = parse_seed()
TABLE_OF, EXTRA_INDEXES = parse_notes()


def test_seed_files_parsed() -> None:
    """Guard the parsers: 18 models, every one with a table name and fields."""
    assert len(SEED_MODELS) == 18
    assert set(SEED_MODELS) == set(TABLE_OF)
    assert sum(len(fields) for fields in SEED_MODELS.values()) == 167
    assert "power_watts" in {f.name for f in SEED_MODELS["Telemetry"]}


def _check_type(table: str, field: SeedField, column: Any) -> None:
    col_type = column["type"]
    where = f"{table}.{field.name}"
    if length := re.fullmatch(r"str\((\d+)\)", field.type):
        assert isinstance(col_type, sqltypes.String), where
        assert col_type.length == int(length.group(1)), where
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


def _unique_sets(insp: Any, table: str) -> list[list[str]]:
    sets = [uc["column_names"] for uc in insp.get_unique_constraints(table)]
    sets += [ix["column_names"] for ix in insp.get_indexes(table) if ix["unique"]]
    return sets


def test_live_schema_matches_seed(database: Database) -> None:
    """Every table and field: name, type, length, nullability, indexes, FKs."""
    insp = inspect(database.engine)
    live_tables = set(insp.get_table_names())
    for model, fields in SEED_MODELS.items():
        table = TABLE_OF[model]
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
            _check_type(table, field, column)
            assert column["nullable"] is field.nullable, f"{table}.{field.name}"
            if "(indexed" in field.description or "indexed)" in field.description:
                assert (field.name,) in single, f"index on {table}.{field.name}"
            if "unique" in field.description:
                assert [field.name] in _unique_sets(insp, table), field.name
            if fk_target := re.search(r"FK to (\w+)", field.description):
                fk = foreign[(field.name,)]
                assert fk["referred_table"] == TABLE_OF[fk_target.group(1)]
                assert fk["referred_columns"] == ["id"]
                if table in CASCADE_FROM_MINERS:
                    assert fk["options"].get("ondelete") == "CASCADE", table
        assert insp.get_pk_constraint(table)["constrained_columns"] == ["id"]


def test_extra_indexes_from_schema_notes(database: Database) -> None:
    """Composite and unique indexes the notes list, by name and columns."""
    insp = inspect(database.engine)
    checked = 0
    for table, cell in EXTRA_INDEXES.items():
        by_name = {ix["name"]: ix for ix in insp.get_indexes(table)}
        for name, cols, unique in re.findall(r"`(\w+)` \(([^)]*)\)( unique)?", cell):
            index = by_name[name]
            assert index["column_names"] == [c.strip() for c in cols.split(",")]
            assert bool(index["unique"]) is bool(unique), name
            checked += 1
        for column in re.findall(r"^(\w+) unique$", cell):
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
