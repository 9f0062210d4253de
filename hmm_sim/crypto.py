"""Fake CoinGecko, CoinCap and Binance price endpoints on one 127.0.0.1 server.

Each provider lives under its own prefix, so clients get three base URLs:
:attr:`CryptoPriceSimulator.coingecko_url` (``/coingecko/api/v3``),
:attr:`~CryptoPriceSimulator.coincap_url` (``/coincap/v2``) and
:attr:`~CryptoPriceSimulator.binance_url` (``/binance/api/v3``).

``fail[provider]`` sets a failure per provider: ``error`` (HTTP 500),
``rate_limited`` (HTTP 429), ``malformed`` (not JSON), ``hang`` (never
answers), ``empty`` (valid JSON without prices) or ``absurd`` (negative, NaN
and zero prices).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from .web import LocalWebService

PROVIDERS = ("coingecko", "coincap", "binance")
FAILURES = ("error", "rate_limited", "malformed", "hang", "empty", "absurd")
GBP_RATE_ID = "british-pound-sterling"


class CryptoPriceSimulator(LocalWebService):
    """The fake providers; ``async with`` it."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        """Configure with plausible prices (GBP, USD, USDT)."""
        super().__init__(host=host, port=port)
        # CoinGecko: id -> GBP.
        self.coingecko: dict[str, float] = {
            "bitcoin": 70_000.0,
            "bitcoin-cash": 300.0,
            "digibyte": 0.008,
            "bitcoinii": 1.5,
        }
        # CoinCap: asset id -> USD, and USD per GBP.
        self.coincap: dict[str, float] = {
            "bitcoin": 88_900.0,
            "bitcoin-cash": 381.0,
            "digibyte": 0.01016,
        }
        self.gbp_rate_usd = 1.27
        # Binance: symbol -> price.
        self.binance: dict[str, float] = {
            "BTCGBP": 70_100.0,
            "BCHUSDT": 381.0,
            "DGBUSDT": 0.01016,
            "GBPUSDT": 1.27,
        }
        self.fail: dict[str, str] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []

    @property
    def coingecko_url(self) -> str:
        """Return the CoinGecko base URL."""
        return f"{self.base_url}/coingecko/api/v3"

    @property
    def coincap_url(self) -> str:
        """Return the CoinCap base URL."""
        return f"{self.base_url}/coincap/v2"

    @property
    def binance_url(self) -> str:
        """Return the Binance base URL."""
        return f"{self.base_url}/binance/api/v3"

    def requests_to(self, provider: str) -> list[tuple[str, dict[str, str]]]:
        """Return (path, query) of the requests one provider received."""
        return [(path, q) for p, path, q in self.requests if p == provider]

    def _routes(self, app: web.Application) -> None:
        app.router.add_get("/coingecko/api/v3/simple/price", self._coingecko)
        app.router.add_get("/coincap/v2/assets/{asset}", self._coincap_asset)
        app.router.add_get("/coincap/v2/rates/{rate}", self._coincap_rate)
        app.router.add_get("/binance/api/v3/ticker/price", self._binance)

    async def _failure(
        self, provider: str, request: web.Request
    ) -> web.Response | None:
        self.requests.append((provider, request.path, dict(request.query)))
        failure = self.fail.get(provider)
        if failure == "hang":
            await asyncio.sleep(3600)
        if failure == "error":
            return web.Response(status=500, text="Internal Server Error")
        if failure == "rate_limited":
            return _json({"status": {"error_code": 429}}, status=429)
        if failure == "malformed":
            return web.Response(text="<html>busy</html>", content_type="text/html")
        return None

    def _absurd(self, provider: str, value: float) -> Any:
        if self.fail.get(provider) != "absurd":
            return value
        return {"coingecko": -value, "coincap": "NaN", "binance": "0"}[provider]

    async def _coingecko(self, request: web.Request) -> web.Response:
        failure = await self._failure("coingecko", request)
        if failure is not None:
            return failure
        if self.fail.get("coingecko") == "empty":
            return _json({})
        ids = [i for i in request.query.get("ids", "").split(",") if i]
        body = {
            coin_id: {"gbp": self._absurd("coingecko", self.coingecko[coin_id])}
            for coin_id in ids
            if coin_id in self.coingecko
        }
        return _json(body)

    async def _coincap_asset(self, request: web.Request) -> web.Response:
        failure = await self._failure("coincap", request)
        if failure is not None:
            return failure
        asset = request.match_info["asset"]
        if asset not in self.coincap:
            return _json({"error": f"{asset} not found"}, status=404)
        if self.fail.get("coincap") == "empty":
            return _json({"data": {}})
        price = self._absurd("coincap", self.coincap[asset])
        return _json({"data": {"id": asset, "priceUsd": str(price)}})

    async def _coincap_rate(self, request: web.Request) -> web.Response:
        failure = await self._failure("coincap", request)
        if failure is not None:
            return failure
        if request.match_info["rate"] != GBP_RATE_ID:
            return _json({"error": "not found"}, status=404)
        return _json(
            {
                "data": {
                    "id": GBP_RATE_ID,
                    "symbol": "GBP",
                    "rateUsd": str(self.gbp_rate_usd),
                }
            }
        )

    async def _binance(self, request: web.Request) -> web.Response:
        failure = await self._failure("binance", request)
        if failure is not None:
            return failure
        symbol = request.query.get("symbol", "")
        if symbol not in self.binance:
            return _json({"code": -1121, "msg": "Invalid symbol."}, status=400)
        if self.fail.get("binance") == "empty":
            return _json({"symbol": symbol})
        price = self._absurd("binance", self.binance[symbol])
        return _json({"symbol": symbol, "price": str(price)})


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/json"
    )
