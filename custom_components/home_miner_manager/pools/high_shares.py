"""High-difficulty shares: session-best tracking, block solves, coin and odds.

Miners report a *session best* difficulty (AxeOS ``bestSessionDiff``, cgminer
``Best Share``), not single shares. A rise of that value is a new high share.
Upstream had two bugs here, both avoided: it compared raw strings ("4.29M")
with floats, and it took the reset to ~0 after a reboot as the baseline
against which every small later value was "new". It also guessed BTC when
no pool matched; here the coin is "UNKNOWN" then.
"""

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Final

from ..devices.parsing import parse_difficulty
from .pool_match import match_pool
from .url import pool_address

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable

UNKNOWN_COIN: Final = "UNKNOWN"
UNKNOWN_POOL: Final = "Unknown Pool"
COINS: Final = ("BTC", "BCH", "DGB", "BC2", "BTC_POOLED")
HASHES_PER_DIFFICULTY: Final = 2.0**32
SECONDS_PER_DAY: Final = 86_400.0

# One parser for "4.29M", "270M", "1.2G", "12k", numbers: the drivers' own.
parse_share_difficulty = parse_difficulty


@dataclass(frozen=True, slots=True)
class SessionBestUpdate:
    """What one reading of a miner's session best means."""

    new_best: bool  # record a HighDiffShare with ``difficulty``
    baseline: float | None  # remember this for the next reading
    difficulty: float | None  # the parsed reading


def update_session_best(baseline: float | None, reading: object) -> SessionBestUpdate:
    """Compare a session-best reading with the last one.

    A rise above ``baseline`` is a new best. A drop is a new session (reboot,
    pool switch): not a share, but the lower value becomes the baseline so the
    next rise counts. With no baseline yet (first reading since start-up) the
    reading only sets the baseline; seed it from the last stored value to
    catch rises across restarts. Unparsable readings change nothing.
    """
    value = parse_share_difficulty(reading)
    if value is None:
        return SessionBestUpdate(False, baseline, None)
    if baseline is None or value <= baseline:
        return SessionBestUpdate(False, value, value)
    return SessionBestUpdate(True, value, value)


class SessionBestTracker:
    """The per-miner baselines of :func:`update_session_best`."""

    def __init__(self, baselines: dict[Hashable, float] | None = None) -> None:
        """Optionally seed baselines (e.g. each miner's last stored session best)."""
        self._baselines: dict[Hashable, float] = dict(baselines or {})

    def observe(self, miner: Hashable, reading: object) -> float | None:
        """Record a reading; return the new best difficulty, else None."""
        update = update_session_best(self._baselines.get(miner), reading)
        if update.baseline is not None:
            self._baselines[miner] = update.baseline
        return update.difficulty if update.new_best else None

    def baseline(self, miner: Hashable) -> float | None:
        """Return the value the next reading is compared with."""
        return self._baselines.get(miner)

    def forget(self, miner: Hashable) -> None:
        """Drop a removed miner."""
        self._baselines.pop(miner, None)


def is_block(difficulty: float | None, network_difficulty: float | None) -> bool:
    """Tell whether a share solves a block (difficulty >= network difficulty)."""
    if difficulty is None or network_difficulty is None or network_difficulty <= 0:
        return False
    return difficulty >= network_difficulty


@dataclass(frozen=True, slots=True)
class PoolCoin:
    """A configured pool and the coin it mines (coin is not in the Pool table)."""

    url: str
    port: int
    coin: str
    name: str
    user: str  # pools of several coins may share a host:port; the user tells


@dataclass(frozen=True, slots=True)
class ShareSource:
    """Coin and pool name to store with a share."""

    coin: str = UNKNOWN_COIN
    pool_name: str = UNKNOWN_POOL


def share_source(
    pool_in_use: str | None, pool_user: str | None, pools: Iterable[PoolCoin]
) -> ShareSource:
    """Coin and name of the pool the miner is on: host, port and user.

    "UNKNOWN" / "Unknown Pool" when none matches; never a guessed coin. A
    ``pool_user`` of None (not reported) matches a host:port one pool has.
    """
    pool = match_pool(
        pool_in_use, pool_user, ((pool_address(p), p.user, p) for p in pools)
    )
    if pool is None:
        return ShareSource()
    return ShareSource(pool.coin, pool.name)


def _blocks_per_second(
    hashrate_hs: float | None, network_difficulty: float | None
) -> float | None:
    """Return expected blocks per second; None for missing or absurd inputs."""
    if hashrate_hs is None or network_difficulty is None:
        return None
    if not (math.isfinite(hashrate_hs) and math.isfinite(network_difficulty)):
        return None
    if hashrate_hs <= 0 or network_difficulty <= 0:
        return None
    return hashrate_hs / (network_difficulty * HASHES_PER_DIFFICULTY)


def block_chance(
    hashrate_hs: float | None,
    network_difficulty: float | None,
    seconds: float = SECONDS_PER_DAY,
) -> float | None:
    """Probability (0-1) of finding a block within ``seconds`` (default a day).

    ``1 - exp(-seconds * hashrate / (difficulty * 2**32))``; expm1 keeps the
    tiny odds of a home miner exact instead of rounding them to 0.
    """
    rate = _blocks_per_second(hashrate_hs, network_difficulty)
    if rate is None or seconds < 0:
        return None
    return -math.expm1(-rate * seconds)


def expected_seconds_to_block(
    hashrate_hs: float | None, network_difficulty: float | None
) -> float | None:
    """Mean time to a block: ``difficulty * 2**32 / hashrate`` seconds.

    The same as pools' ``network_hashrate / hashrate * block_time``.
    """
    rate = _blocks_per_second(hashrate_hs, network_difficulty)
    return None if rate is None else 1.0 / rate
