"""GBP prices of the mined coins (option, off by default: a third-party call).

Every 10 minutes, for the coins of enabled pools: CoinGecko, then CoinCap,
then Binance for whatever is still missing. One ``crypto_prices`` row per
coin, updated in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .. import const
from ..agile.pools import pool_refs
from ..const import DOMAIN, LOGGER
from ..db.exceptions import DatabaseError
from ..db.prices_rows import load_crypto_prices, upsert_crypto_prices
from ..prices.crypto import COINS, CryptoPriceClient, CryptoPriceError

if TYPE_CHECKING:
    from datetime import datetime

    from ..data import HMMConfigEntry

# A pooled BTC account is paid in bitcoin.
_PRICED_AS = {"BTC_POOLED": "BTC"}


class CryptoManager:
    """Latest GBP price per coin, refreshed in the background."""

    def __init__(self, hass: HomeAssistant, entry: HMMConfigEntry) -> None:
        """Nothing is fetched until :meth:`async_start`."""
        self.hass = hass
        self.entry = entry
        self.prices: dict[str, tuple[float, str, datetime]] = {}
        self.last_error: str | None = None
        self._listeners: list[CALLBACK_TYPE] = []
        self._unsub: CALLBACK_TYPE | None = None
        self._client = CryptoPriceClient(
            entry.runtime_data.session,
            coingecko_url=const.COINGECKO_API_URL,
            coincap_url=const.COINCAP_API_URL,
            binance_url=const.BINANCE_API_URL,
        )

    async def async_start(self) -> None:
        """Show stored prices at once, then refresh now and every 10 minutes."""
        try:
            self.prices = dict(
                await self.entry.runtime_data.database.async_run(load_crypto_prices)
            )
        except DatabaseError as err:
            LOGGER.warning("Could not read stored coin prices: %s", err)
        self._unsub = async_track_time_interval(
            self.hass, self._async_refresh, const.CRYPTO_INTERVAL
        )
        self.entry.async_create_background_task(
            self.hass, self._async_refresh(), f"{DOMAIN} coin prices"
        )

    @callback
    def async_stop(self) -> None:
        """Stop refreshing."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` after each refresh."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def coins(self) -> list[str]:
        """Coins of the enabled pools that can be priced."""
        wanted = {
            _PRICED_AS.get(ref.coin, ref.coin)
            for ref in pool_refs(self.entry)
            if ref.enabled
        }
        return [coin for coin in COINS if coin in wanted]

    async def _async_refresh(self, _now: datetime | None = None) -> None:
        coins = self.coins()
        if not coins:
            return
        try:
            result = await self._client.async_prices(coins)
        except CryptoPriceError as err:
            self.last_error = str(err)
            LOGGER.info("Coin prices not refreshed: %s", err)
            return
        now = dt_util.utcnow()
        rows = [(p.coin, p.price_gbp, p.source) for p in result.prices.values()]
        for coin, price, source in rows:
            self.prices[coin] = (price, source, now)
        self.last_error = None
        try:
            await self.entry.runtime_data.database.async_run(
                lambda s: upsert_crypto_prices(s, rows)
            )
        except DatabaseError as err:
            LOGGER.warning("Could not store coin prices: %s", err)
        for listener in list(self._listeners):
            listener()
