"""What every table of ours is built on: the declarative base, column types, time.

Timestamps are naive UTC in every table (as upstream HMM stores them):
``utcnow`` and ``to_naive_utc`` give that form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from sqlalchemy import JSON, DateTime, Float, MetaData
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so later migrations can drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}


# Python None is stored as SQL NULL, not as the JSON text "null".
NULLABLE_JSON = JSON(none_as_null=True)
# On MySQL/MariaDB a plain Float is single precision (about 7 digits: share
# difficulties and kWh lose digits) and a DateTime keeps whole seconds only;
# these variants store there what SQLite and PostgreSQL store.
_MYSQL: Final = ("mysql", "mariadb")
# The MySQL dialect types carry no annotations.
DOUBLE: Final = Float().with_variant(
    mysql.DOUBLE(asdecimal=False),  # type: ignore[no-untyped-call]
    *_MYSQL,
)
DATETIME: Final = DateTime().with_variant(
    mysql.DATETIME(fsp=6),  # type: ignore[no-untyped-call]
    *_MYSQL,
)


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_naive_utc(value: datetime) -> datetime:
    """Convert an aware datetime to naive UTC; naive values are taken as UTC."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
