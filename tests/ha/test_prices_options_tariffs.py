"""The prices options step accepts other tariffs' entities, detected from the entity.

Saving one restarts the price source in place: the hub reads it at once.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import HubFactory
from .tariff_standin import Amber, NordPool, generic_state

NOW = "2026-12-04 12:10:00+00:00"


async def _submit(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "prices"}
    )
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_source": "octopus_entity", **user_input}
    )


@pytest.mark.freeze_time(NOW)
async def test_nordpool_sensor_is_stored_and_read(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    await hass.config.async_update(time_zone="Europe/Stockholm", currency="SEK")
    nordpool = NordPool(hass, "SE3", lambda _moment: 500.0)
    nordpool.published = {dt_util.now().date()}
    entry = await setup_hub()
    result = await _submit(hass, entry, {"price_entity": nordpool.entity_id})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["price_entity"] == nordpool.entity_id
    prices = entry.runtime_data.prices
    assert prices is not None
    assert prices.kind == "nordpool"
    assert nordpool.calls[0]["currency"] == "SEK"  # asked in Home Assistant's
    assert prices.current() is not None
    assert prices.current().price_pence == 50.0  # 500 SEK/MWh = 50 öre/kWh
    assert prices.price_unit == "öre/kWh"


@pytest.mark.freeze_time(NOW)
async def test_generic_and_amber_accepted_feed_in_and_plain_refused(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    generic_state(hass, "sensor.spot_prices", dt_util.utcnow(), [0.1, 0.2])
    amber = Amber(hass)
    amber.publish(dt_util.utcnow(), [0.2, 0.3])
    hass.states.async_set("sensor.outside_temperature", "4.5", {})
    entry = await setup_hub()
    for accepted in ("sensor.spot_prices", amber.forecast, amber.price):
        result = await _submit(hass, entry, {"price_entity": accepted})
        assert result["type"] is FlowResultType.CREATE_ENTRY, accepted
        assert entry.options["price_entity"] == accepted
        await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.runtime_data.prices.kind in {"generic", "amberelectric"}
    feed_in = dict(hass.states.get(amber.forecast).attributes)  # type: ignore[union-attr]
    hass.states.async_set(amber.forecast, "0.1", {**feed_in, "channel_type": "feedIn"})
    result = await _submit(hass, entry, {"price_entity": amber.forecast})
    assert result["errors"] == {"price_entity": "price_entity_export"}
    result = await _submit(hass, entry, {"price_entity": "sensor.outside_temperature"})
    assert result["errors"] == {"price_entity": "price_entity_unsupported"}
