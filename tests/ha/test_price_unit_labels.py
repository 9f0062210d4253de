"""Forms label prices in the hub's minor unit per kWh: c/kWh on a euro hub."""

from __future__ import annotations

from datetime import date
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
import voluptuous as vol

from .conftest import HubFactory
from .strategy_support import entity_options, flat_day, set_day
from .tariff_standin import NordPool


def _unit(result: Any, field: str) -> str:
    schema: vol.Schema = result["data_schema"]
    selector = next(v for k, v in schema.schema.items() if str(k) == field)
    return str(selector.config["unit_of_measurement"])


async def _nordpool_hub(hass: HomeAssistant, setup_hub: HubFactory) -> Any:
    await hass.config.async_update(time_zone="Europe/Stockholm", currency="EUR")
    nordpool = NordPool(hass, "SE3", lambda _moment: 30.0)
    nordpool.published = {date(2026, 12, 4)}
    return await setup_hub(
        options={"price_source": "octopus_entity", "price_entity": nordpool.entity_id}
    )


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_band_form_in_cents_on_a_euro_hub(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await _nordpool_hub(hass, setup_hub)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "bands"}
    )
    assert result["type"] is FlowResultType.MENU
    reset = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "band_reset"}
    )
    assert reset["description_placeholders"] == {"minor_unit": "c"}
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "bands"}
    )
    form = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "band_add"}
    )
    assert form["step_id"] == "band_form"
    assert form["description_placeholders"]["price_unit"] == "c/kWh"
    assert _unit(form, "min_price") == _unit(form, "max_price") == "c/kWh"


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_price_rule_in_cents_on_a_euro_hub(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await _nordpool_hub(hass, setup_hub)
    flow = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"), context={"source": "user"}
    )
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"next_step_id": "price_threshold"}
    )
    assert flow["description_placeholders"] == {"price_unit": "c/kWh"}
    assert _unit(flow, "threshold") == "c/kWh"
    schema_field = next(
        v for k, v in flow["data_schema"].schema.items() if str(k) == "threshold"
    )
    assert schema_field.config["max"] > 200  # Amber's spikes, Nordic öre
    # The current price (30 €/MWh) is offered in cents.
    schema: vol.Schema = flow["data_schema"]
    threshold = next(k for k in schema.schema if str(k) == "threshold")
    assert threshold.default() == 3.0


@pytest.mark.freeze_time("2026-03-10 12:10:00+00:00")
async def test_octopus_rule_in_pence(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    set_day(hass, flat_day(15.0))
    entry = await setup_hub(options=entity_options())
    flow = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"), context={"source": "user"}
    )
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"next_step_id": "price_threshold"}
    )
    assert _unit(flow, "threshold") == "p/kWh"


async def test_rule_without_prices_in_the_currency(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    await hass.config.async_update(currency="SEK")
    entry = await setup_hub()
    flow = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"), context={"source": "user"}
    )
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"next_step_id": "price_threshold"}
    )
    assert _unit(flow, "threshold") == "öre/kWh"
