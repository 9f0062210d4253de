"""Public pool statistics APIs on 127.0.0.1, for network difficulty lookups.

Serves, per coin, a solopool.org-style ``/{coin}/api/stats`` (``stats.difficulty``)
and a public-pool-style ``/{coin}/api/network`` (bitcoind ``getmininginfo``:
``difficulty``, ``blocks``, ``networkhashps``). Without a coin prefix the
``default_coin`` answers. Faults come from :class:`hmm_sim.faults.Fault`
(``set_fault``: timeout, refused, slow, http_500, html, truncated, malformed,
absurd); :meth:`PoolStatsSimulator.override` replaces one coin's payload (a
missing field, a string difficulty...).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .http import HttpSimulator

# Recent figures (November 2026 order of magnitude; exact values do not matter).
DEFAULT_DIFFICULTIES: dict[str, float] = {
    "btc": 126_271_255_279_307.0,
    "bch": 520_431_118_871.0,
    "dgb": 1_172_845_114.0,
    "bc2": 2_190_345.0,
}


class PoolStatsSimulator(HttpSimulator):
    """One stats server for several coins; ``difficulties`` is settable at runtime."""

    kind = "pool_stats"
    miner_type = "pool"

    def __init__(
        self,
        *,
        difficulties: dict[str, float] | None = None,
        default_coin: str = "btc",
        **kwargs: Any,
    ) -> None:
        """Coins are lower case path prefixes (``btc``, ``bch``, ``dgb``, ``bc2``)."""
        kwargs.setdefault("name", "pool-stats")
        super().__init__(**kwargs)
        self.difficulties = dict(
            DEFAULT_DIFFICULTIES if difficulties is None else difficulties
        )
        self.default_coin = default_coin
        self.block_height = 912_345
        self.overrides: dict[tuple[str, str], Any] = {}

    @property
    def profile_name(self) -> str:
        """Both API styles are always served."""
        return "solopool+public-pool"

    def _on_boot(self) -> None:
        """Nothing to reset."""

    def base_url(self, coin: str | None = None) -> str:
        """``http://127.0.0.1:port[/coin]``: what a client appends ``/api/...`` to."""
        root = f"http://{self.host}:{self.port}"
        return f"{root}/{coin}" if coin else root

    def override(self, coin: str, api: str, payload: Any) -> None:
        """Serve ``payload`` for ``coin`` on ``api`` ("stats" or "network")."""
        self.overrides[(coin, api)] = payload

    def hits(self, coin: str, api: str) -> int:
        """How many requests reached ``/{coin}/api/{api}`` (or the root path)."""
        paths = {f"/{coin}/api/{api}"}
        if coin == self.default_coin:
            paths.add(f"/api/{api}")
        return sum(1 for _, path, _ in self.log if path in paths)

    def _routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/api/stats", self._stats)
        r.add_get("/api/network", self._network)
        r.add_get("/{coin}/api/stats", self._stats)
        r.add_get("/{coin}/api/network", self._network)

    def _coin(self, request: web.Request) -> str:
        coin = request.match_info.get("coin", self.default_coin)
        known = coin in self.difficulties or any(c == coin for c, _ in self.overrides)
        if not known:
            raise web.HTTPNotFound(text='{"error":"unknown coin"}')
        return coin

    async def _stats(self, request: web.Request) -> web.Response:
        coin = self._coin(request)
        payload = self.overrides.get((coin, "stats"))
        if payload is None:
            difficulty = self.difficulties[coin]
            payload = {
                "hashrate": 812_345_678_901_234,
                "minersTotal": 123,
                "stats": {
                    "difficulty": difficulty,
                    "lastBlockFound": 1_765_000_000,
                    "height": self.block_height,
                },
            }
        return self.serve(request.path, payload, request["fault"])

    async def _network(self, request: web.Request) -> web.Response:
        coin = self._coin(request)
        payload = self.overrides.get((coin, "network"))
        if payload is None:
            difficulty = self.difficulties[coin]
            payload = {
                "blocks": self.block_height,
                "difficulty": difficulty,
                "networkhashps": difficulty * 2**32 / 600,
                "chain": "main",
            }
        return self.serve(request.path, payload, request["fault"])
