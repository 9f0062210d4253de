"""The ``pools`` rows: one per pool the integration was ever told about.

Like miners, a removed pool keeps its row (``enabled=False``) so its health
history stays; adding the same pool again (same url, port and user) re-uses
it. The coin is not a column (the schema is fixed): it lives in the pool's
subentry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .models import Pool

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class PoolRow:
    """What the integration knows of a pool, as stored in its row."""

    name: str
    url: str
    port: int
    user: str
    password: str
    priority: int = 0
    enabled: bool = True
    # The row this pool was linked to before (None for a new pool).
    pool_id: int | None = None

    def values(self) -> dict[str, Any]:
        """Return the column values (lengths bounded to the schema)."""
        return {
            "name": self.name[:100],
            "url": self.url[:255],
            "port": self.port,
            "user": self.user[:255],
            "password": self.password[:255],
            "priority": self.priority,
            "enabled": self.enabled,
        }

    def __repr__(self) -> str:
        """Keep the password out of logs and tracebacks."""
        return f"PoolRow(name={self.name!r}, url={self.url!r}, port={self.port})"


def save_pools(session: Session, rows: Sequence[PoolRow]) -> list[int]:
    """Create or update the rows of ``rows``; return their ids in order.

    A row is found by its remembered id, then by (url, port, user).
    """
    ids: list[int] = []
    for row in rows:
        pool = session.get(Pool, row.pool_id) if row.pool_id is not None else None
        if pool is None:
            pool = session.scalars(
                select(Pool)
                .where(
                    Pool.url == row.url, Pool.port == row.port, Pool.user == row.user
                )
                .order_by(Pool.id)
                .limit(1)
            ).first()
        if pool is None:
            pool = Pool(**row.values())
            session.add(pool)
        else:
            for key, value in row.values().items():
                setattr(pool, key, value)
        session.flush()
        ids.append(int(pool.id))
    return ids


def disable_pool(session: Session, pool_id: int) -> None:
    """Keep a removed pool's row and history, but mark it disabled."""
    if (pool := session.get(Pool, pool_id)) is not None:
        pool.enabled = False
