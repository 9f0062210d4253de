"""Pool health: share deltas, the health score, luck and the failover decision.

Pure functions on plain data; ``now`` is always an argument. The score is
upstream's formula without its random "luck" (upstream added
``random.uniform(-5, 5)`` to a placeholder); luck here comes only from real
figures. Reject rates come from the *deltas* of the miners' counters over the
window, not from lifetime totals, and a reboot's counter reset never counts
as negative work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Final, NamedTuple

from .url import (
    PoolAddress,
    pool_in_use_address,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

WINDOW: Final = timedelta(hours=1)
FAILOVER_AFTER_UNREACHABLE: Final = 2  # consecutive failed checks
FAILBACK_AFTER: Final = timedelta(minutes=15)  # of the original pool reachable


class CounterSample(NamedTuple):
    """One telemetry row's share counters (a plain tuple of this shape works too)."""

    timestamp: datetime
    accepted: int | None
    rejected: int | None
    pool_in_use: str | None = None
    pool_user: str | None = None  # None: the driver does not report it


# What db/shares.py returns per row: (timestamp, accepted, rejected, pool_in_use);
# the polls kept in memory add the stratum user the miner reported.
type CounterRow = (
    tuple[datetime, int | None, int | None, str | None]
    | tuple[datetime, int | None, int | None, str | None, str | None]
)
# Whether a row's (pool_in_use, pool_user) is on the pool asked about.
type OnPool = Callable[[str | None, str | None], bool]


@dataclass(frozen=True, slots=True)
class ShareDeltas:
    """Shares accepted and rejected in a window."""

    accepted: int = 0
    rejected: int = 0

    @property
    def reject_rate(self) -> float | None:
        """Rejected share of all shares, in percent; None without shares."""
        total = self.accepted + self.rejected
        return 100.0 * self.rejected / total if total else None

    def __add__(self, other: ShareDeltas) -> ShareDeltas:
        """Sum two windows (or two miners)."""
        return ShareDeltas(
            self.accepted + other.accepted, self.rejected + other.rejected
        )


def counter_deltas(previous: CounterRow, current: CounterRow) -> ShareDeltas:
    """Work done between two samples of one miner; never negative.

    A reboot resets both counters, but a counter that was 0 (or happened to
    be re-reached) does not visibly drop. So if *either* counter dropped, both
    are taken as restarted: the current values are the deltas from zero.
    """
    acc0, rej0 = previous[1], previous[2]
    acc1, rej1 = current[1], current[2]
    if acc0 is None or acc1 is None:
        acc0 = acc1 = 0  # no data for this counter: no evidence of work
    if rej0 is None or rej1 is None:
        rej0 = rej1 = 0
    if acc1 < acc0 or rej1 < rej0:
        return ShareDeltas(max(acc1, 0), max(rej1, 0))
    return ShareDeltas(acc1 - acc0, rej1 - rej0)


def miner_share_deltas(
    samples: Sequence[CounterRow],
    since: datetime,
    pool: PoolAddress | OnPool | None = None,
) -> ShareDeltas:
    """Shares one miner did from ``since`` on (on ``pool`` only, if given).

    ``samples`` are one miner's rows in any order. The last row before
    ``since`` is the baseline, so pass rows from a little earlier than the
    window. With ``pool``, a step counts only when both rows were on that pool,
    so work done elsewhere in between is never attributed. A ``PoolAddress``
    compares host:port only; pools sharing a stratum server need ``OnPool``
    (host, port and user: :func:`.pool_match.match_pool`).
    """
    on_pool = _on_pool(pool)
    ordered = sorted(samples, key=lambda row: row[0])
    total = ShareDeltas()
    previous: CounterRow | None = None
    for row in ordered:
        if (
            previous is not None
            and row[0] > since
            and on_pool(previous)
            and on_pool(row)
        ):
            total += counter_deltas(previous, row)
        previous = row
    return total


def _row_user(row: CounterRow) -> str | None:
    return row[4] if len(row) == 5 else None  # the polls' rows


def _on_pool(pool: PoolAddress | OnPool | None) -> Callable[[CounterRow], bool]:
    if pool is None:
        return lambda _row: True
    if isinstance(pool, PoolAddress):
        return lambda row: pool_in_use_address(row[3]) == pool
    return lambda row: pool(row[3], _row_user(row))


def pool_share_deltas(
    samples_by_miner: Iterable[Sequence[CounterRow]],
    pool: PoolAddress | OnPool,
    now: datetime,
    window: timedelta = WINDOW,
) -> ShareDeltas:
    """Shares all miners did on ``pool`` during the ``window`` before ``now``.

    ``samples_by_miner``: one sequence of rows per miner (e.g. ``dict.values()``).
    """
    since = now - window
    total = ShareDeltas()
    for samples in samples_by_miner:
        total += miner_share_deltas(
            [row for row in samples if row[0] <= now], since, pool
        )
    return total


def unreachable_checks(
    checks: Iterable[tuple[datetime, bool]],
    now: datetime,
    window: timedelta = WINDOW,
) -> int:
    """Count the (timestamp, reachable) checks in the window that failed."""
    since = now - window
    return sum(1 for at, reachable in checks if since < at <= now and not reachable)


def health_score(
    *,
    reachable: bool,
    response_time_ms: float | None,
    reject_rate: float | None,
    unreachable_last_hour: int,
) -> float:
    """Upstream's 0-100 score, without randomness.

    reachable +40; response <50 ms +30, <150 +20, <300 +10; reject rate (%)
    <1 +30, <3 +20, <5 +10; -10 per unreachable check in the last hour.
    No shares in the window (``reject_rate`` None) counts as no rejects, as
    upstream does: a standby pool is judged on reachability and speed.
    """
    score = 0.0
    if reachable:
        score += 40
        if response_time_ms is not None:
            if response_time_ms < 50:
                score += 30
            elif response_time_ms < 150:
                score += 20
            elif response_time_ms < 300:
                score += 10
    rate = 0.0 if reject_rate is None else reject_rate
    if rate < 1:
        score += 30
    elif rate < 3:
        score += 20
    elif rate < 5:
        score += 10
    score -= 10 * max(unreachable_last_hour, 0)
    return min(max(score, 0.0), 100.0)


def expected_blocks(
    hashrate_hs: float | None, seconds: float, network_difficulty: float | None
) -> float | None:
    """Blocks a hashrate should find in ``seconds`` at that difficulty."""
    if not hashrate_hs or not network_difficulty or hashrate_hs < 0 or seconds < 0:
        return None
    if network_difficulty <= 0:
        return None
    return hashrate_hs * seconds / (network_difficulty * 2**32)


def luck_percentage(blocks_found: int | None, expected: float | None) -> float | None:
    """Found over expected blocks, in percent (100 = as expected); None if unknown."""
    if blocks_found is None or expected is None or expected <= 0 or blocks_found < 0:
        return None
    return 100.0 * blocks_found / expected


class FailoverAction(StrEnum):
    """What to do with the miners of a pool."""

    STAY = "stay"
    FAIL_OVER = "fail_over"  # move them to the configured target pool
    FAIL_BACK = "fail_back"  # move them back to the original pool


def failover_decision(
    checks: Sequence[tuple[datetime, bool]],
    *,
    failed_over: bool,
    now: datetime,
    target_reachable: bool | None = None,
    unreachable_needed: int = FAILOVER_AFTER_UNREACHABLE,
    recovery: timedelta = FAILBACK_AFTER,
) -> FailoverAction:
    """Decide from the original pool's (timestamp, reachable) checks.

    Not failed over: FAIL_OVER once the last ``unreachable_needed`` checks all
    failed, unless the target is known to be unreachable too. Failed over:
    FAIL_BACK once the original has been reachable in every check of the last
    ``recovery`` (its latest failure, if any, is older, and a reachable check
    at least that old proves it was up back then).
    """
    ordered = sorted((c for c in checks if c[0] <= now), key=lambda c: c[0])
    if not failed_over:
        recent = ordered[-unreachable_needed:]
        if (
            unreachable_needed > 0
            and len(recent) == unreachable_needed
            and not any(reachable for _, reachable in recent)
            and target_reachable is not False
        ):
            return FailoverAction.FAIL_OVER
        return FailoverAction.STAY
    if not ordered or not ordered[-1][1]:
        return FailoverAction.STAY
    # First check of the current reachable streak.
    streak_start = ordered[-1][0]
    for at, reachable in reversed(ordered):
        if not reachable:
            break
        streak_start = at
    if now - streak_start >= recovery:
        return FailoverAction.FAIL_BACK
    return FailoverAction.STAY
