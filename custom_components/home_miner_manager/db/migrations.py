"""Schema versions and the ordered steps that reach each one.

Version 1 is the 18-table contract, version 2 adds the telemetry rollups.
A fresh database runs every step; an older one runs only the missing steps,
each in its own transaction followed by a row in ``schema_version``.
A database written by upstream HMM has the contract tables but no
``schema_version`` table: it is taken as version 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime  # noqa: TC003  (SQLAlchemy reads annotations)
import logging
from typing import TYPE_CHECKING, Final

from sqlalchemy import Integer, func, inspect, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import DATETIME, Base, utcnow
from .engine import describe_error
from .exceptions import DatabaseMigrationError
from .models import SEED_MODELS
from .rollup_models import ROLLUP_MODELS

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Connection
    from sqlalchemy.engine import Engine

_LOGGER = logging.getLogger(__name__)

SCHEMA_VERSION: Final = 2


class SchemaVersion(Base):
    """One row per migration step applied."""

    __tablename__ = "schema_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    applied_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)


@dataclass(frozen=True, slots=True)
class MigrationResult:
    """Versions before and after ``migrate``."""

    from_version: int
    to_version: int


def _create(conn: Connection, models: tuple[type[Base], ...]) -> None:
    tables = [model.__table__ for model in models]
    Base.metadata.create_all(conn, tables=tables, checkfirst=True)  # type: ignore[arg-type]


def _step_1_contract_tables(conn: Connection) -> None:
    _create(conn, (*SEED_MODELS, SchemaVersion))


def _step_2_rollups(conn: Connection) -> None:
    existing = inspect(conn)
    for model in ROLLUP_MODELS:
        name = model.__tablename__
        if not existing.has_table(name):
            continue
        # Upstream HMM has tables of the same names with other columns.
        columns = {col["name"] for col in existing.get_columns(name)}
        if "period_start" not in columns:
            raise DatabaseMigrationError(
                f"Table {name} exists with an incompatible layout "
                "(an upstream HMM database?); import it into a new database instead"
            )
    _create(conn, ROLLUP_MODELS)


# version -> step that reaches it from version - 1
STEPS: Final[dict[int, Callable[[Connection], None]]] = {
    1: _step_1_contract_tables,
    2: _step_2_rollups,
}


def current_version(conn: Connection) -> int:
    """Return the schema version of the database behind ``conn`` (0 = empty)."""
    inspector = inspect(conn)
    if inspector.has_table(SchemaVersion.__tablename__):
        version = conn.execute(select(func.max(SchemaVersion.version))).scalar()
        return int(version or 0)
    if inspector.has_table("miners"):
        return 1
    return 0


def migrate(engine: Engine, target: int = SCHEMA_VERSION) -> MigrationResult:
    """Bring the schema to ``target`` step by step (never downwards)."""
    if not 1 <= target <= SCHEMA_VERSION:
        raise ValueError(f"target must be 1..{SCHEMA_VERSION}")
    with engine.connect() as conn:
        start = current_version(conn)
    if start > SCHEMA_VERSION:
        raise DatabaseMigrationError(
            f"Database schema version {start} is newer than this release "
            f"supports ({SCHEMA_VERSION}); downgrade is not possible"
        )
    for version in range(start + 1, target + 1):
        _LOGGER.info("Migrating database schema to version %s", version)
        try:
            with engine.begin() as conn:
                STEPS[version](conn)
                # Upstream databases (version 1 without this table) get it here.
                _create(conn, (SchemaVersion,))
                conn.execute(
                    SchemaVersion.__table__.insert().values(  # type: ignore[attr-defined]
                        version=version, applied_at=utcnow()
                    )
                )
        except DatabaseMigrationError:
            raise
        except Exception as err:
            raise DatabaseMigrationError(
                f"Migration to schema version {version} failed: {describe_error(err)}"
            ) from err
    return MigrationResult(from_version=start, to_version=max(start, target))
