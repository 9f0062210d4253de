"""A pool's coin changed by reconfigure shows on its device at once (issue 13 §7)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from custom_components.home_miner_manager.entity import pool_device_identifier

from .conftest import HubFactory, closed_port
from .strategy_support import pool_subentry


async def test_new_coin_shows_on_the_pool_device(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub([pool_subentry("DGB", closed_port())])
    (sub_id,) = [
        s for s, sub in entry.subentries.items() if sub.subentry_type == "pool"
    ]
    registry = dr.async_get(hass)
    device = registry.async_get_device(identifiers={pool_device_identifier(sub_id)})
    assert device is not None
    assert device.model == "DGB pool"
    subentry = entry.subentries[sub_id]
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, "coin": "BCH"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    device = registry.async_get(device.id)
    assert device is not None
    assert device.model == "BCH pool"
    assert entry.state.value == "loaded"  # no reload needed
    assert entry.runtime_data.pools[sub_id].coin == "BCH"
