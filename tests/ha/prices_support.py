"""Price tests: a hub with the plugged Bitaxe and the strategy on; coin price fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager import const
from hmm_sim import AxeOSSimulator
from hmm_sim.crypto import CryptoPriceSimulator

from .conftest import HubFactory, closed_port
from .strategy_support import (
    HUB_ID,
    SmartPlug,
    entity_id,
    plugged_hub_with,
    pool_subentry,
    start_strategy,
)


async def plugged_hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim: AxeOSSimulator,
    plug: SmartPlug,
    price_entity: str,
) -> MockConfigEntry:
    """The hub reading ``price_entity`` (a miner off while the price is unknown)."""
    entry = await plugged_hub_with(
        hass,
        setup_hub,
        sim,
        plug,
        [pool_subentry(coin, closed_port()) for coin in ("DGB", "BCH", "BTC")],
        price_entity=price_entity,
        when_price_unknown="off",
    )
    await start_strategy(hass)
    return entry


def hub_sensor(hass: HomeAssistant, key: str = "current_price") -> State:
    """The state of one of the hub's price sensors."""
    state = hass.states.get(entity_id(hass, "sensor", f"{HUB_ID}_{key}"))
    assert state is not None
    return state


@asynccontextmanager
async def crypto_providers(
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[CryptoPriceSimulator]:
    """The fake coin price providers (CoinGecko, CoinCap, Binance) as the hub's URLs."""
    async with CryptoPriceSimulator() as sim:
        monkeypatch.setattr(const, "COINGECKO_API_URL", sim.coingecko_url)
        monkeypatch.setattr(const, "COINCAP_API_URL", sim.coincap_url)
        monkeypatch.setattr(const, "BINANCE_API_URL", sim.binance_url)
        yield sim


def crypto_sensors(hass: HomeAssistant) -> list[str]:
    """The coin price sensors registered (entity ids)."""
    return [
        e.entity_id
        for e in er.async_get(hass).entities.values()
        if "crypto_price" in (e.unique_id or "")
    ]
