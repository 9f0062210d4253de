"""Coin prices (option, off by default) from fake CoinGecko / CoinCap / Binance."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.db.models import CryptoPrice
from hmm_sim.crypto import CryptoPriceSimulator

from .conftest import HubFactory, closed_port, rows
from .prices_support import crypto_providers, crypto_sensors
from .strategy_support import HUB_ID, entity_id, entity_options, pool_subentry

NOW = "2026-03-10 12:10:00+00:00"


@pytest.fixture
async def crypto(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[CryptoPriceSimulator]:
    """The fake providers as the hub's base URLs."""
    async with crypto_providers(monkeypatch) as sim:
        yield sim


def _state(hass: HomeAssistant, coin: str) -> str:
    state = hass.states.get(
        entity_id(hass, "sensor", f"{HUB_ID}_crypto_price_{coin.lower()}")
    )
    assert state is not None
    return state.state


@pytest.mark.freeze_time(NOW)
async def test_off_by_default(
    hass: HomeAssistant, setup_hub: HubFactory, crypto: CryptoPriceSimulator
) -> None:
    await setup_hub(options=entity_options())
    assert crypto.requests == []
    assert not crypto_sensors(hass)


@pytest.mark.freeze_time(NOW)
async def test_prices_of_enabled_pool_coins(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    crypto: CryptoPriceSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await setup_hub(
        [
            pool_subentry("BTC", closed_port()),
            pool_subentry("DGB", closed_port()),
            pool_subentry("BCH", closed_port(), enabled=False),
        ],
        options=entity_options(crypto_prices=True),
    )
    assert float(_state(hass, "BTC")) == 70_000.0
    assert float(_state(hass, "DGB")) == 0.008
    assert _state(hass, "BCH") == STATE_UNAVAILABLE  # its pool is disabled
    state = hass.states.get(entity_id(hass, "sensor", f"{HUB_ID}_crypto_price_btc"))
    assert state.attributes["source"] == "coingecko"
    # CoinGecko goes down: CoinCap prices the coins at the next refresh.
    crypto.fail["coingecko"] = "error"
    freezer.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    stored = {row.coin_id: row for row in await rows(hass, entry, CryptoPrice)}
    assert set(stored) == {"BTC", "DGB"}  # one row per coin, updated in place
    assert stored["BTC"].source == "coincap"
    assert float(_state(hass, "BTC")) == pytest.approx(88_900.0 / 1.27)


@pytest.mark.freeze_time(NOW)
async def test_unloaded_hub_stops_asking(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    crypto: CryptoPriceSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    entry = await setup_hub(
        [pool_subentry("BTC", closed_port())],
        options=entity_options(crypto_prices=True),
    )
    asked = len(crypto.requests)
    assert asked > 0
    assert await hass.config_entries.async_unload(entry.entry_id)
    freezer.tick(timedelta(minutes=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(crypto.requests) == asked
