"""Queries for high-difficulty shares, blocks found and pool rows.

Plain functions taking a SQLAlchemy ``Session`` (run them through
``Database.run`` / ``async_run``). Timestamps may be aware or naive (naive is
taken as UTC); the tables hold naive UTC. Retention of shares (each miner's
best ``HIGH_DIFF_KEEP_TOP`` kept, the rest purged after
``high_diff_share_days``) is part of the nightly maintenance in
``retention.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import func, select, update

from .base import to_naive_utc
from .models import BlockFound, HighDiffShare, Pool, PoolHealth, Telemetry

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.orm import Session

LEADERBOARD_COUNT: Final = 10
LEADERBOARD_DAYS: Final = 90
MAX_LEADERBOARD_COUNT: Final = 1000
_ERROR_MESSAGE_LEN: Final = 500  # PoolHealth.error_message is String(500)
_POOL_NAME_LEN: Final = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaderboardEntry:
    """One share of the leaderboard (difficulties are floats)."""

    id: int
    miner_id: int
    miner_name: str
    miner_type: str
    coin: str
    pool_name: str
    difficulty: float
    network_difficulty: float | None
    was_block_solve: bool
    hashrate: float | None
    hashrate_unit: str
    miner_mode: str | None
    timestamp: datetime


def record_high_diff_share(
    session: Session,
    *,
    miner_id: int,
    miner_name: str,
    miner_type: str,
    coin: str,
    pool_name: str,
    difficulty: float,
    network_difficulty: float | None,
    was_block_solve: bool,
    timestamp: datetime,
    hashrate: float | None = None,
    hashrate_unit: str = "GH/s",
    miner_mode: str | None = None,
) -> HighDiffShare:
    """Insert a new session-best share, and a ``BlockFound`` when it solved one.

    ``was_block_solve`` comes from ``pools.shares.is_block``; a block needs the
    network difficulty it beat (``BlockFound.network_difficulty`` is required).
    """
    if was_block_solve and network_difficulty is None:
        raise ValueError("a block solve needs the network difficulty")
    at = to_naive_utc(timestamp)
    common = {
        "miner_id": miner_id,
        "miner_name": miner_name[:100],
        "miner_type": miner_type,
        "coin": coin,
        "pool_name": pool_name[:_POOL_NAME_LEN],
        "difficulty": float(difficulty),
        "hashrate": hashrate,
        "hashrate_unit": hashrate_unit,
        "miner_mode": miner_mode,
        "timestamp": at,
    }
    share = HighDiffShare(
        **common,
        network_difficulty=network_difficulty,
        was_block_solve=was_block_solve,
    )
    session.add(share)
    if was_block_solve:
        assert network_difficulty is not None
        session.add(BlockFound(**common, network_difficulty=network_difficulty))
    session.flush()
    return share


def leaderboard_query(
    *,
    now: datetime,
    count: int = LEADERBOARD_COUNT,
    coin: str | None = None,
    days: int | None = LEADERBOARD_DAYS,
) -> Select[tuple[HighDiffShare]]:
    """Build the leaderboard SELECT (see :func:`leaderboard`)."""
    count = max(1, min(count, MAX_LEADERBOARD_COUNT))
    query = select(HighDiffShare)
    if days is not None:
        since = to_naive_utc(now) - timedelta(days=days)
        query = query.where(HighDiffShare.timestamp >= since)
    if coin is not None:
        query = query.where(HighDiffShare.coin == coin)
    # Exactly the index order (walked backwards): no sort step, and the
    # planners pick this index even for full rows (SQLite chose the timestamp
    # index plus a sort of the whole window otherwise: ~0.5 s on 1 M rows).
    return query.order_by(
        HighDiffShare.difficulty.desc(),
        HighDiffShare.timestamp.desc(),
        HighDiffShare.id.desc(),
    ).limit(count)


def leaderboard(
    session: Session,
    *,
    now: datetime,
    count: int = LEADERBOARD_COUNT,
    coin: str | None = None,
    days: int | None = LEADERBOARD_DAYS,
) -> list[LeaderboardEntry]:
    """Return the best shares of the last ``days`` (None: ever), maybe of one coin.

    Ordered by difficulty (highest first), then the newer share first. The
    scan walks ``idx_difficulty_timestamp`` downwards and filters the time in
    the index, so it stops after ``count`` matches instead of sorting the
    window (well under 5 ms on a million rows). With ``coin`` each candidate
    row is read too: a coin with few shares in the window costs a longer walk
    (the schema has no coin index).
    """
    query = leaderboard_query(now=now, count=count, coin=coin, days=days)
    return [leaderboard_entry(share) for share in session.scalars(query)]


def leaderboard_entry(share: HighDiffShare) -> LeaderboardEntry:
    """Return a stored share as plain data."""
    return LeaderboardEntry(
        id=share.id,
        miner_id=share.miner_id,
        miner_name=share.miner_name,
        miner_type=share.miner_type,
        coin=share.coin,
        pool_name=share.pool_name,
        difficulty=float(share.difficulty),
        network_difficulty=(
            None
            if share.network_difficulty is None
            else float(share.network_difficulty)
        ),
        was_block_solve=bool(share.was_block_solve),
        hashrate=share.hashrate,
        hashrate_unit=share.hashrate_unit,
        miner_mode=share.miner_mode,
        timestamp=share.timestamp,
    )


def best_share_by_miner(session: Session, coin: str | None = None) -> dict[int, float]:
    """Each miner's best share difficulty ever (of one coin, if given)."""
    query = select(HighDiffShare.miner_id, func.max(HighDiffShare.difficulty))
    if coin is not None:
        query = query.where(HighDiffShare.coin == coin)
    query = query.group_by(HighDiffShare.miner_id)
    return {miner_id: float(best) for miner_id, best in session.execute(query)}


def blocks_found(
    session: Session, *, coin: str | None = None, limit: int = 100
) -> list[BlockFound]:
    """Return the most recent blocks found, newest first."""
    query = select(BlockFound)
    if coin is not None:
        query = query.where(BlockFound.coin == coin)
    query = query.order_by(BlockFound.timestamp.desc(), BlockFound.id.desc())
    return list(session.scalars(query.limit(limit)))


# --- pool rows --------------------------------------------------------------


def record_pool_health(
    session: Session,
    *,
    pool_id: int,
    timestamp: datetime,
    is_reachable: bool,
    response_time_ms: float | None,
    health_score: float | None,
    reject_rate: float | None = None,
    shares_accepted: int | None = None,
    shares_rejected: int | None = None,
    luck_percentage: float | None = None,
    error_message: str | None = None,
) -> PoolHealth:
    """Insert one pool check (``error_message`` cut to the column's 500 chars)."""
    row = PoolHealth(
        pool_id=pool_id,
        timestamp=to_naive_utc(timestamp),
        response_time_ms=response_time_ms,
        is_reachable=is_reachable,
        reject_rate=reject_rate,
        shares_accepted=shares_accepted,
        shares_rejected=shares_rejected,
        health_score=health_score,
        luck_percentage=luck_percentage,
        error_message=None
        if error_message is None
        else error_message[:_ERROR_MESSAGE_LEN],
    )
    session.add(row)
    session.flush()
    return row


def pool_checks(
    session: Session, pool_id: int, since: datetime
) -> list[tuple[datetime, bool]]:
    """Return a pool's (timestamp, reachable) checks since ``since``, oldest first.

    The input of ``pools.pool_score.unreachable_checks`` and ``failover_decision``.
    """
    query = (
        select(PoolHealth.timestamp, PoolHealth.is_reachable)
        .where(
            PoolHealth.pool_id == pool_id, PoolHealth.timestamp >= to_naive_utc(since)
        )
        .order_by(PoolHealth.timestamp, PoolHealth.id)
    )
    return [(at, bool(reachable)) for at, reachable in session.execute(query)]


def share_counter_series(
    session: Session, since: datetime, until: datetime | None = None
) -> dict[int, list[tuple[datetime, int | None, int | None, str | None]]]:
    """Per miner, (timestamp, accepted, rejected, pool_in_use) rows, oldest first.

    The input of ``pools.pool_score.pool_share_deltas``: start ``since`` a poll or
    two before the window so each miner has a baseline row.
    """
    query = select(
        Telemetry.miner_id,
        Telemetry.timestamp,
        Telemetry.shares_accepted,
        Telemetry.shares_rejected,
        Telemetry.pool_in_use,
    ).where(Telemetry.timestamp >= to_naive_utc(since))
    if until is not None:
        query = query.where(Telemetry.timestamp <= to_naive_utc(until))
    query = query.order_by(Telemetry.miner_id, Telemetry.timestamp)
    series: dict[int, list[tuple[datetime, int | None, int | None, str | None]]] = {}
    for miner_id, at, accepted, rejected, pool_in_use in session.execute(query):
        series.setdefault(miner_id, []).append((at, accepted, rejected, pool_in_use))
    return series


def set_pool_network_difficulty(
    session: Session, pool_id: int, difficulty: float, at: datetime
) -> None:
    """Store the network difficulty last seen for a pool's coin."""
    session.execute(
        update(Pool)
        .where(Pool.id == pool_id)
        .values(
            network_difficulty=difficulty,
            network_difficulty_updated_at=to_naive_utc(at),
        )
    )


def raise_pool_best_share(
    session: Session, pool_id: int, difficulty: float, at: datetime
) -> bool:
    """Store ``difficulty`` as the pool's best share if it beats the stored one."""
    done = session.execute(
        update(Pool)
        .where(
            Pool.id == pool_id,
            (Pool.best_share.is_(None)) | (Pool.best_share < difficulty),
        )
        .values(best_share=difficulty, best_share_updated_at=to_naive_utc(at))
    )
    # Session.execute is typed as Result; an UPDATE gives a CursorResult.
    return bool(getattr(done, "rowcount", 0))
