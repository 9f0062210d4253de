"""A hub for price-source tests: the plugged Bitaxe, coin pools, the strategy on."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, State
from pytest_homeassistant_custom_component.common import MockConfigEntry

from hmm_sim import AxeOSSimulator

from .conftest import HubFactory, closed_port
from .strategy_support import (
    HUB_ID,
    SmartPlug,
    add_plugs,
    entity_id,
    plugged_bitaxe,
    pool_subentry,
    start_strategy,
)
from .test_entities import sync_sim_clock


async def plugged_hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim: AxeOSSimulator,
    plug: SmartPlug,
    price_entity: str,
) -> MockConfigEntry:
    """The hub reading ``price_entity`` (a miner off while the price is unknown)."""
    await add_plugs(hass, plug)
    sync_sim_clock(sim)
    entry = await setup_hub(
        [
            plugged_bitaxe(sim),
            *(pool_subentry(coin, closed_port()) for coin in ("DGB", "BCH", "BTC")),
        ],
        options={
            "price_source": "octopus_entity",
            "price_entity": price_entity,
            "when_price_unknown": "off",
        },
    )
    await start_strategy(hass)
    return entry


def hub_sensor(hass: HomeAssistant, key: str = "current_price") -> State:
    """The state of one of the hub's price sensors."""
    state = hass.states.get(entity_id(hass, "sensor", f"{HUB_ID}_{key}"))
    assert state is not None
    return state
