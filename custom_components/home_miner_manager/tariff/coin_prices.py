"""GBP prices of the mined coins (option, off by default: a third-party call).

Every 10 minutes, for the coins of enabled pools: CoinGecko, then CoinCap,
then Binance for whatever is still missing. One ``crypto_prices`` row per
coin, updated in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .. import const
from ..const import DOMAIN, LOGGER
from ..db.exceptions import DatabaseError
from ..db.prices_rows import load_crypto_prices, upsert_crypto_prices
from ..prices.crypto import COINS, CryptoPriceClient, CryptoPriceError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from aiohttp import ClientSession
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from ..db import Database

# Coin → (GBP, source, when it was priced).
type CoinPrices = dict[str, tuple[float, str, datetime]]

# A pooled BTC account is paid in bitcoin.
_PRICED_AS = {"BTC_POOLED": "BTC"}


class CoinPriceCoordinator(DataUpdateCoordinator[CoinPrices]):
    """Latest GBP price per coin, polled in the background."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        database: Database,
        session: ClientSession,
        pool_coins: Callable[[], Iterable[str]],
    ) -> None:
        """``pool_coins`` names the coins of the enabled pools; nothing is fetched yet."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} coin prices",
            update_interval=const.CRYPTO_INTERVAL,
            # A failed or coin-less poll keeps the data: no state write then.
            always_update=False,
        )
        self.data = {}
        self.database = database
        self.last_error: str | None = None
        # The crypto_prices option: off, nothing is fetched (and no sensor shows).
        self.enabled = False
        self._pool_coins = pool_coins
        self._client = CryptoPriceClient(
            session,
            coingecko_url=const.COINGECKO_API_URL,
            coincap_url=const.COINCAP_API_URL,
            binance_url=const.BINANCE_API_URL,
        )

    @property
    def prices(self) -> CoinPrices:
        """Return the known prices by coin."""
        return self.data

    async def async_start(self) -> None:
        """Show stored prices at once, then refresh now (and every 10 minutes)."""
        self.enabled = True
        try:
            self.data = dict(await self.database.async_run(load_crypto_prices))
        except DatabaseError as err:
            LOGGER.warning("Could not read stored coin prices: %s", err)
        self.config_entry.async_create_background_task(
            self.hass, self.async_refresh(), f"{DOMAIN} coin prices"
        )

    @callback
    def async_stop(self) -> None:
        """Fetch no more (the option is off); its sensors go, so polling stops."""
        self.enabled = False

    def coins(self) -> list[str]:
        """Coins of the enabled pools that can be priced."""
        wanted = {_PRICED_AS.get(coin, coin) for coin in self._pool_coins()}
        return [coin for coin in COINS if coin in wanted]

    async def _async_update_data(self) -> CoinPrices:
        coins = self.coins() if self.enabled else []
        if not coins:
            return self.data
        try:
            result = await self._client.async_prices(coins)
        except CryptoPriceError as err:
            # A third party being down is routine: the last prices stay shown.
            self.last_error = str(err)
            LOGGER.info("Coin prices not refreshed: %s", err)
            return self.data
        now = dt_util.utcnow()
        rows = [(p.coin, p.price_gbp, p.source) for p in result.prices.values()]
        prices = dict(self.data)
        for coin, price, source in rows:
            prices[coin] = (price, source, now)
        self.last_error = None
        try:
            await self.database.async_run(lambda s: upsert_crypto_prices(s, rows))
        except DatabaseError as err:
            LOGGER.warning("Could not store coin prices: %s", err)
        return prices
