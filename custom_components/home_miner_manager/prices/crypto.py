"""GBP prices of the mined coins, from CoinGecko with CoinCap and Binance behind it.

Each source is tried only for the coins still missing, so one coin the first
source lacks does not throw away the others. BC2 is Bitcoin II (CoinGecko id
``bitcoinii``), not Bellscoin (upstream's bug).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import math
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from yarl import URL

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

COINS: Final = ("BTC", "BCH", "DGB", "BC2")
COINGECKO_URL: Final = "https://api.coingecko.com/api/v3"
COINCAP_URL: Final = "https://api.coincap.io/v2"
BINANCE_URL: Final = "https://api.binance.com/api/v3"
GBP_USDT: Final = "GBPUSDT"  # USDT per GBP, turns USDT pairs into GBP


@dataclass(frozen=True, slots=True)
class CoinIds:
    """How each source names a coin (None: the source does not list it)."""

    coingecko: str
    coincap: str | None
    binance: str | None  # a ...GBP pair, or a ...USDT pair divided by GBPUSDT


COIN_IDS: Final[Mapping[str, CoinIds]] = {
    "BTC": CoinIds("bitcoin", "bitcoin", "BTCGBP"),
    "BCH": CoinIds("bitcoin-cash", "bitcoin-cash", "BCHUSDT"),
    "DGB": CoinIds("digibyte", "digibyte", "DGBUSDT"),
    "BC2": CoinIds("bitcoinii", None, None),
}


class CryptoPriceError(Exception):
    """Base of every error this client raises."""


class CryptoConnectionError(CryptoPriceError):
    """A source could not be reached or did not answer in time."""


class CryptoResponseError(CryptoPriceError):
    """A source answered with an error status or something unreadable."""


class CryptoUnavailableError(CryptoPriceError):
    """No source gave a price for any requested coin."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        """Keep each source's failure for the log."""
        super().__init__(f"no crypto prices: {dict(errors)}")
        self.errors = dict(errors)


@dataclass(frozen=True, slots=True)
class CoinPrice:
    """One coin's price and the source that gave it (CryptoPrice row)."""

    coin: str
    price_gbp: float
    source: str


@dataclass(slots=True)
class CryptoPrices:
    """The prices found and why each failing source failed."""

    prices: dict[str, CoinPrice] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # requested, priced by none


def _price(value: object) -> float | None:
    """Read a positive finite price from a number or decimal string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


class CryptoPriceClient:
    """Fetches GBP prices through the fallback chain; the session belongs to the caller."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        coingecko_url: str = COINGECKO_URL,
        coincap_url: str = COINCAP_URL,
        binance_url: str = BINANCE_URL,
        timeout: float = 10.0,
    ) -> None:
        """Configure; nothing is fetched yet."""
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._sources = (
            ("coingecko", URL(coingecko_url.rstrip("/")), self._coingecko),
            ("coincap", URL(coincap_url.rstrip("/")), self._coincap),
            ("binance", URL(binance_url.rstrip("/")), self._binance),
        )

    async def async_prices(self, coins: Iterable[str] = COINS) -> CryptoPrices:
        """Price ``coins`` in GBP; raise :class:`CryptoUnavailableError` if none."""
        wanted = [coin for coin in dict.fromkeys(coins) if coin in COIN_IDS]
        result = CryptoPrices()
        for name, base, fetch in self._sources:
            missing = [coin for coin in wanted if coin not in result.prices]
            if not missing:
                break
            try:
                found = await fetch(base, missing)
            except CryptoPriceError as err:
                result.errors[name] = str(err)
                continue
            if not found:
                result.errors[name] = "no usable price"
            for coin, price in found.items():
                result.prices[coin] = CoinPrice(coin, price, name)
        result.missing = [coin for coin in wanted if coin not in result.prices]
        if wanted and not result.prices:
            raise CryptoUnavailableError(result.errors)
        return result

    async def _coingecko(self, base: URL, coins: list[str]) -> dict[str, float]:
        ids = {COIN_IDS[coin].coingecko: coin for coin in coins}
        payload = await self._get_json(
            (base / "simple" / "price").with_query(
                ids=",".join(ids), vs_currencies="gbp"
            )
        )
        found: dict[str, float] = {}
        for coin_id, coin in ids.items():
            entry = payload.get(coin_id) if isinstance(payload, dict) else None
            price = _price(entry.get("gbp")) if isinstance(entry, dict) else None
            if price is not None:
                found[coin] = price
        return found

    async def _coincap(self, base: URL, coins: list[str]) -> dict[str, float]:
        wanted = {c: COIN_IDS[c].coincap for c in coins if COIN_IDS[c].coincap}
        if not wanted:
            return {}
        # rateUsd is USD per GBP: price_gbp = priceUsd / rateUsd.
        gbp = await self._get_json(base / "rates" / "british-pound-sterling")
        rate = _price(_data(gbp).get("rateUsd"))
        if rate is None:
            raise CryptoResponseError("coincap: no GBP rate")
        answers = await asyncio.gather(
            *(self._get_json(base / "assets" / str(a)) for a in wanted.values()),
            return_exceptions=True,
        )
        found: dict[str, float] = {}
        for coin, answer in zip(wanted, answers, strict=True):
            if isinstance(answer, BaseException):
                if not isinstance(answer, CryptoPriceError):
                    raise answer
                continue  # one unknown asset must not lose the others
            usd = _price(_data(answer).get("priceUsd"))
            if usd is not None:
                found[coin] = usd / rate
        return found

    async def _binance(self, base: URL, coins: list[str]) -> dict[str, float]:
        symbols = {c: COIN_IDS[c].binance for c in coins if COIN_IDS[c].binance}
        if not symbols:
            return {}
        need_usdt = any(str(s).endswith("USDT") for s in symbols.values())
        wanted = [*symbols.values(), *([GBP_USDT] if need_usdt else [])]
        answers = await asyncio.gather(
            *(
                self._get_json((base / "ticker" / "price").with_query(symbol=str(s)))
                for s in wanted
            ),
            return_exceptions=True,
        )
        quotes: dict[str, float] = {}
        for symbol, answer in zip(wanted, answers, strict=True):
            if isinstance(answer, BaseException):
                if not isinstance(answer, CryptoPriceError):
                    raise answer
                continue
            price = _price(answer.get("price")) if isinstance(answer, dict) else None
            if price is not None:
                quotes[str(symbol)] = price
        if not quotes:
            raise CryptoResponseError("binance: no usable quote")
        found: dict[str, float] = {}
        for coin, symbol in symbols.items():
            quote = quotes.get(str(symbol))
            if quote is None:
                continue
            if str(symbol).endswith("GBP"):
                found[coin] = quote
            elif GBP_USDT in quotes:
                found[coin] = quote / quotes[GBP_USDT]
        return found

    async def _get_json(self, url: URL) -> Any:
        try:
            async with self._session.get(url, timeout=self._timeout) as response:
                body = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            raise CryptoConnectionError(f"{url.host}{url.path}: {err!r}") from err
        if status != 200:
            raise CryptoResponseError(f"{url.host}{url.path}: HTTP {status}")
        try:
            return json.loads(body)
        except ValueError as err:
            raise CryptoResponseError(f"{url.host}{url.path}: not JSON") from err


def _data(payload: object) -> dict[str, Any]:
    """CoinCap wraps every answer in ``{"data": {...}}``."""
    data = payload.get("data") if isinstance(payload, dict) else None
    return data if isinstance(data, dict) else {}
