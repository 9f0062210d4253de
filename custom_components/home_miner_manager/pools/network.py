"""Network difficulty per coin from public pool statistics, cached 10 minutes.

Two API styles: solopool.org ``{base}/api/stats`` → ``stats.difficulty`` and
public-pool ``{base}/api/network`` → ``difficulty`` (bitcoind
``getmininginfo``). Base URLs are arguments; :data:`SOLOPOOL_SOURCES` holds
the public ones. AxeOS >= 2.11 reports ``networkDifficulty`` itself: callers
should prefer the miner's figure and ask here only without one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
import json
import time
from typing import TYPE_CHECKING, Any, Final

import aiohttp

from ..devices.parsing import parse_difficulty

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

CACHE_SECONDS: Final = 600.0
REQUEST_TIMEOUT: Final = 10.0
MAX_BODY: Final = 1024 * 1024
POOLED_COINS: Final[Mapping[str, str]] = {"BTC_POOLED": "BTC"}  # same chain

ERROR_CANNOT_CONNECT: Final = "cannot_connect"
ERROR_BAD_RESPONSE: Final = "bad_response"
ERROR_UNKNOWN_COIN: Final = "unknown_coin"


class StatsApi(StrEnum):
    """The shape of a stats endpoint."""

    SOLOPOOL = "solopool"  # GET {base}/api/stats -> {"stats": {"difficulty": n}}
    PUBLIC_POOL = "public_pool"  # GET {base}/api/network -> {"difficulty": n}


@dataclass(frozen=True, slots=True)
class StatsSource:
    """Where one coin's network difficulty is read."""

    api: StatsApi
    base_url: str

    @property
    def url(self) -> str:
        """Return the endpoint URL."""
        path = "/api/stats" if self.api is StatsApi.SOLOPOOL else "/api/network"
        return self.base_url.rstrip("/") + path


# The chains a solopool-style statistics server answers for.
STATS_COINS: Final = ("BTC", "BCH", "DGB", "BC2")

SOLOPOOL_SOURCES: Final[Mapping[str, StatsSource]] = {
    "BTC": StatsSource(StatsApi.SOLOPOOL, "https://btc.solopool.org"),
    "BCH": StatsSource(StatsApi.SOLOPOOL, "https://bch.solopool.org"),
    "DGB": StatsSource(StatsApi.SOLOPOOL, "https://dgb-sha.solopool.org"),
    "BC2": StatsSource(StatsApi.SOLOPOOL, "https://bc2.solopool.org"),
}


class NetworkDifficultyError(Exception):
    """No network difficulty; ``key`` is an ``ERROR_*`` key (no traceback text)."""

    def __init__(self, key: str, message: str) -> None:
        """Keep the key beside the message."""
        super().__init__(message)
        self.key = key


def parse_stats_difficulty(api: StatsApi, body: bytes) -> float:
    """Extract the difficulty from an endpoint's body; raise on anything else."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError) as err:  # also bad UTF-8
        raise NetworkDifficultyError(ERROR_BAD_RESPONSE, "reply is not JSON") from err
    if api is StatsApi.SOLOPOOL:
        data = data.get("stats") if isinstance(data, dict) else None
    raw = data.get("difficulty") if isinstance(data, dict) else None
    difficulty = parse_difficulty(raw) if not isinstance(raw, bool) else None
    if difficulty is None or difficulty <= 0:
        raise NetworkDifficultyError(
            ERROR_BAD_RESPONSE, "reply has no positive difficulty"
        )
    return difficulty


async def _read_bounded(response: aiohttp.ClientResponse) -> bytes:
    """Read the body, stopping just past MAX_BODY (a stats reply is a few KB)."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY:
        chunk = await response.content.read(MAX_BODY + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class NetworkDifficulty:
    """Cached network difficulty per coin (BTC_POOLED shares BTC's entry).

    ``clock`` returns monotonic seconds (injectable for tests). Concurrent
    requests for one coin share one fetch.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        sources: Mapping[str, StatsSource] = SOLOPOOL_SOURCES,
        *,
        cache_seconds: float = CACHE_SECONDS,
        request_timeout: float = REQUEST_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Use ``session`` for every request; nothing is fetched yet."""
        self._session = session
        self._sources = dict(sources)
        self._cache_seconds = cache_seconds
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._clock = clock
        self._cache: dict[str, tuple[float, float]] = {}  # coin -> (value, fetched)
        self._locks: dict[str, asyncio.Lock] = {}
        self._fetches: dict[str, int] = {}  # successful fetches per chain

    @staticmethod
    def chain(coin: str) -> str:
        """Return the coin whose chain sets the difficulty (BTC_POOLED -> BTC)."""
        upper = coin.upper()
        return POOLED_COINS.get(upper, upper)

    def cached(self, coin: str) -> tuple[float, float] | None:
        """Return the last value and its age in seconds (None if never fetched)."""
        entry = self._cache.get(self.chain(coin))
        if entry is None:
            return None
        value, fetched = entry
        return value, self._clock() - fetched

    async def get(self, coin: str, *, force: bool = False) -> float:
        """Return the network difficulty of ``coin``, fetched when the cache is old.

        ``force`` fetches anyway (upstream re-reads when a share comes close to
        the network difficulty). Raises :class:`NetworkDifficultyError`.
        """
        chain = self.chain(coin)
        source = self._sources.get(chain)
        if source is None:
            raise NetworkDifficultyError(
                ERROR_UNKNOWN_COIN, f"no stats source for {chain}"
            )
        lock = self._locks.setdefault(chain, asyncio.Lock())
        generation = self._fetches.get(chain, 0)
        async with lock:
            entry = self._cache.get(chain)
            if entry is not None:
                value, fetched = entry
                fresh = self._clock() - fetched < self._cache_seconds
                # A forced caller that waited on someone else's fetch uses it.
                if (fresh and not force) or self._fetches[chain] != generation:
                    return value
            value = await self._fetch(source)
            self._cache[chain] = (value, self._clock())
            self._fetches[chain] = self._fetches.get(chain, 0) + 1
            return value

    async def _fetch(self, source: StatsSource) -> float:
        try:
            async with self._session.get(
                source.url, timeout=self._timeout, allow_redirects=False
            ) as response:
                status = response.status
                body = await _read_bounded(response)
        except TimeoutError as err:
            raise NetworkDifficultyError(ERROR_CANNOT_CONNECT, "timed out") from err
        except aiohttp.ClientError as err:
            raise NetworkDifficultyError(
                ERROR_CANNOT_CONNECT, f"request failed ({type(err).__name__})"
            ) from err
        if status != 200:
            raise NetworkDifficultyError(ERROR_BAD_RESPONSE, f"HTTP {status}")
        if len(body) > MAX_BODY:
            raise NetworkDifficultyError(ERROR_BAD_RESPONSE, "reply too large")
        return parse_stats_difficulty(source.api, body)
