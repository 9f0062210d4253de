"""The ``miners`` rows: one per miner the integration was ever told about.

A row outlives its miner: removing a miner only disables the row, so its
telemetry history survives and adding the same device again (same identity)
re-uses it. The identity is stored in ``Miner.config["identity"]``; what it is
made of is the caller's business (one rule, decided in one place above).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .models import Miner

if TYPE_CHECKING:
    from collections.abc import Sequence

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
    created. One session for all of them: the hub saves every miner at start-up
    in a single round trip.
    """
    by_identity: dict[str, Miner] | None = None
    ids: list[int] = []
    for row in rows:
        miner = session.get(Miner, row.miner_id) if row.miner_id is not None else None
        if miner is None:
            if by_identity is None:
                by_identity = {
                    str((candidate.config or {}).get(IDENTITY_KEY)): candidate
                    for candidate in session.scalars(select(Miner))
                }
            miner = by_identity.get(row.identity)
        if miner is None:
            miner = Miner(**row.values())
            session.add(miner)
        else:
            for key, value in row.values().items():
                setattr(miner, key, value)
        miner.config = {**(miner.config or {}), IDENTITY_KEY: row.identity}
        if by_identity is not None:
            by_identity[row.identity] = miner
        session.flush()
        ids.append(int(miner.id))
    return ids


def update_miner(session: Session, miner_id: int, **values: Any) -> None:
    """Update some columns of one row (firmware, mode, enabled...)."""
    miner = session.get(Miner, miner_id)
    if miner is None:
        return
    for key, value in values.items():
        setattr(miner, key, value)
