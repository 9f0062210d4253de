"""The ``miners`` rows: one per miner the integration was ever told about.

A row outlives its miner: removing a miner only disables the row, so its
telemetry history survives and adding the same device again (same identity)
re-uses it. The identity is stored in ``Miner.config["identity"]``; what it is
made of is the caller's business (one rule, decided in one place above).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import bindparam, select, update

from .models import Miner

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy import Table
    from sqlalchemy.orm import Session

IDENTITY_KEY = "identity"


@dataclass(frozen=True, slots=True)
class MinerRow:
    """What the integration knows of a miner, as stored in its row."""

    identity: str
    name: str
    miner_type: str
    ip_address: str
    port: int | None = None
    manual_power_watts: int | None = None
    enabled: bool = True
    # The row this miner was linked to before (None for a new miner).
    miner_id: int | None = None

    def values(self) -> dict[str, Any]:
        """Return the column values (lengths bounded to the schema)."""
        return {
            "name": self.name[:100],
            "miner_type": self.miner_type[:50],
            "ip_address": self.ip_address[:45],
            "port": self.port,
            "manual_power_watts": self.manual_power_watts,
            "enabled": self.enabled,
        }


def save_miners(session: Session, rows: Sequence[MinerRow]) -> list[int]:
    """Create or update the rows of ``rows``; return their ids in order.

    A row is found by its remembered id, then by identity; otherwise it is
    created. One query reads the table and one flush writes every change: the
    hub saves every miner at start-up (a row at a time, 500 miners took half a
    second of set-up).
    """
    existing = list(session.scalars(select(Miner)))
    by_id = {miner.id: miner for miner in existing}
    by_identity = {
        str((miner.config or {}).get(IDENTITY_KEY)): miner for miner in existing
    }
    miners: list[Miner] = []
    for row in rows:
        miner = by_id.get(row.miner_id) if row.miner_id is not None else None
        if miner is None:
            miner = by_identity.get(row.identity)
        if miner is None:
            miner = Miner(**row.values())
            session.add(miner)
        else:
            for key, value in row.values().items():
                setattr(miner, key, value)
        if (miner.config or {}).get(IDENTITY_KEY) != row.identity:
            miner.config = {**(miner.config or {}), IDENTITY_KEY: row.identity}
        by_identity[row.identity] = miner
        miners.append(miner)
    session.flush()
    return [int(miner.id) for miner in miners]


def update_miner(session: Session, miner_id: int, **values: Any) -> None:
    """Update some columns of one row (firmware, mode, enabled...)."""
    update_miners(session, {miner_id: values})


def update_miners(session: Session, updates: Mapping[int, Mapping[str, Any]]) -> None:
    """Update columns of several rows (``{miner_id: {column: value}}``).

    One UPDATE per set of columns, run for all its rows at once, none read
    first: a slot change commanding 200 miners loaded and flushed 200 rows one
    by one in the database thread, which holds Python's GIL (the event loop's)
    while it works. A row that no longer exists is left alone.
    """
    table = cast("Table", Miner.__table__)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for miner_id, values in updates.items():
        if values:
            params = {f"new_{key}": value for key, value in values.items()}
            groups.setdefault(tuple(sorted(values)), []).append(
                {"row_id": miner_id, **params}
            )
    for columns, rows in groups.items():
        # Bound names differ from the columns': SQLAlchemy keeps those for
        # itself. ``updated_at`` is set by the column's own onupdate.
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({column: bindparam(f"new_{column}") for column in columns})
        )
        session.execute(statement, rows)


class MinerRowQueue:
    """Miner row changes waiting to be written, many miners per transaction.

    Every miner's first poll writes its firmware and mode: one transaction
    (one commit) per miner kept the database thread busy for seconds at the
    set-up of a large farm. One write runs at a time; what is queued while it
    runs goes into the next.
    """

    def __init__(self) -> None:
        """Nothing queued, no write running."""
        self._pending: dict[int, dict[str, Any]] = {}
        self._writing = False

    def add(self, miner_id: int, values: Mapping[str, Any]) -> bool:
        """Queue columns of one row; True: the caller must start writing."""
        self._pending.setdefault(miner_id, {}).update(values)
        if self._writing:
            return False
        self._writing = True
        return True

    def take(self) -> dict[int, dict[str, Any]] | None:
        """Return what to write next, or None (then the writer stops)."""
        batch, self._pending = self._pending, {}
        self._writing = bool(batch)
        return batch or None
