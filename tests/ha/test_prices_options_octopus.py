"""The prices options step with the Octopus integration's real entity shapes.

Only a meter's ``event.*_current_day_rates`` is stored: a rate sensor (or
another day list) of the same meter is swapped for it, found through the
registry even when renamed; a rate sensor whose day lists cannot be found is
refused naming the entity to pick; export meters and other entities are
refused. The region is needed for the public API only.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager.tariff.octopus_links import (
    resolve_price_entity,
)

from .conftest import HubFactory
from .octopus_standin import day_state, default_id, rate_sensor_state, register_meter
from .options_support import options_menu
from .strategy_support import uk_midnight

NOW = "2026-12-04 12:10:00+00:00"
RENAMED = {
    "current_day_rates": "event.agile_today",
    "next_day_rates": "event.agile_tomorrow",
    "current_rate": "sensor.agile_now",
    "previous_rate": "sensor.agile_before",
    "next_rate": "sensor.agile_after",
}


async def _submit(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> Any:
    result = await options_menu(hass, entry, "prices")
    assert result["step_id"] == "prices"
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_source": "octopus_entity", **user_input}
    )


@pytest.mark.freeze_time(NOW)
async def test_region_is_optional_and_the_entity_has_no_default(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    result = await options_menu(hass, entry, "prices")
    required = {
        str(key)
        for key in result["data_schema"].schema
        if key.__class__.__name__ == "Required"
    }
    assert required == {"price_source"}


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize("picked", ["current_rate", "previous_rate", "next_rate"])
@pytest.mark.parametrize("renamed", [False, True], ids=["default-ids", "renamed"])
async def test_rate_sensor_is_swapped_for_its_day_list(
    hass: HomeAssistant, setup_hub: HubFactory, picked: str, renamed: bool
) -> None:
    ids = register_meter(hass, renamed=RENAMED if renamed else None)
    entry = await setup_hub(options={"region": "H"})
    result = await _submit(hass, entry, {"price_entity": ids[picked]})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done(wait_background_tasks=True)
    expected = RENAMED["current_day_rates"] if renamed else ids["current_day_rates"]
    assert entry.options["price_entity"] == expected
    assert entry.runtime_data.prices.configured
    assert entry.runtime_data.prices.entity_id == expected


@pytest.mark.freeze_time(NOW)
async def test_region_read_from_the_rate_sensors_tariff(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    """Rate sensors name it ``tariff`` (not ``tariff_code``): region C, not H."""
    ids = register_meter(hass)
    start = uk_midnight()
    rate_sensor_state(hass, ids["current_rate"], start, start, 15.0)
    entry = await setup_hub(options={"region": "H"})
    # The day lists have no state yet: the sensor's tariff names the region,
    # over the one picked.
    result = await _submit(
        hass, entry, {"price_entity": ids["current_rate"], "region": "H"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["region"] == "C"
    assert entry.options["price_entity"] == ids["current_day_rates"]


@pytest.mark.freeze_time(NOW)
async def test_rate_sensor_without_day_lists_is_refused_naming_them(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    ids = register_meter(hass, renamed=RENAMED)
    registry = er.async_get(hass)
    for kind in ("current_day_rates", "next_day_rates"):
        registry.async_update_entity(
            ids[kind], disabled_by=er.RegistryEntryDisabler.USER
        )
    entry = await setup_hub()
    result = await _submit(hass, entry, {"price_entity": ids["current_rate"]})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"price_entity": "price_entity_use_event"}
    assert result["description_placeholders"]["event_entity"] == "event.agile_today"
    assert "price_entity" not in entry.options


@pytest.mark.freeze_time(NOW)
async def test_rate_sensor_by_default_id_without_registry(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    sensor = default_id("current_rate")
    start = uk_midnight()
    rate_sensor_state(hass, sensor, start, start, 15.0)
    entry = await setup_hub()
    result = await _submit(hass, entry, {"price_entity": sensor})
    # Nothing of its meter exists: refused, naming the event entity to pick.
    assert result["errors"] == {"price_entity": "price_entity_use_event"}
    day = default_id("current_day_rates")
    assert result["description_placeholders"]["event_entity"] == day
    hass.states.async_set(day, "unknown", {"event_types": ["x"]})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_source": "octopus_entity", "price_entity": sensor}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["price_entity"] == day


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize("kind", ["current_day_rates", "current_rate", "next_rate"])
async def test_export_meter_is_refused(
    hass: HomeAssistant, setup_hub: HubFactory, kind: str
) -> None:
    ids = register_meter(hass, export=True)
    assert "_export_" in ids[kind]
    entry = await setup_hub()
    result = await _submit(hass, entry, {"price_entity": ids[kind], "region": "C"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"price_entity": "price_entity_export"}


@pytest.mark.freeze_time(NOW)
async def test_export_tariff_is_refused_whatever_the_id(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    """An OUTGOING tariff on an entity named like an import meter's."""
    sensor = default_id("current_rate")
    start = uk_midnight()
    rate_sensor_state(hass, sensor, start, start, 5.0, export=True)
    hass.states.async_set(
        default_id("current_day_rates"),
        "2026-12-04T00:00:00+00:00",
        {"rates": [], "tariff_code": "E-1R-AGILE-OUTGOING-19-05-13-C"},
    )
    entry = await setup_hub()
    for picked in (sensor, default_id("current_day_rates")):
        result = await _submit(hass, entry, {"price_entity": picked})
        assert result["errors"] == {"price_entity": "price_entity_export"}, picked


@pytest.mark.freeze_time(NOW)
@pytest.mark.parametrize(
    "picked",
    [
        "sensor.outside",
        "event.octopus_energy_gas_e6s1_3000000000_current_day_rates",
        "sensor.octopus_energy_electricity_21l1234567_1200012345678_current_accumulative_cost",
        "event.something_current_day_rates",
    ],
)
async def test_other_entities_are_refused(
    hass: HomeAssistant, setup_hub: HubFactory, picked: str
) -> None:
    hass.states.async_set(picked, "1")
    entry = await setup_hub()
    result = await _submit(hass, entry, {"price_entity": picked})
    assert result["errors"] == {"price_entity": "price_entity_unsupported"}


@pytest.mark.freeze_time(NOW)
async def test_public_api_needs_a_region(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    result = await options_menu(hass, entry, "prices")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_source": "octopus_api"}
    )
    assert result["errors"] == {"region": "region_required"}
    # Saving is checked without starting the API source (no network here).
    result["data_schema"]({"price_source": "octopus_api", "region": "P"})


@pytest.mark.freeze_time(NOW)
async def test_day_lists_found_by_meter_attributes(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    """No registry and other ids: the day lists with the sensor's mpan/serial."""
    sensor = default_id("current_rate")
    start = uk_midnight()
    rate_sensor_state(hass, sensor, start, start, 15.0)
    # Another meter's list first (the export MPAN), then this meter's.
    day_state(hass, "event.export_current_day_rates", start, [5.0], export=True)
    day_state(hass, "event.house_current_day_rates", start, [15.0] * 48)
    day_state(hass, "event.house_next_day_rates", start, [15.0], next_day=True)
    entry = await setup_hub()
    result = await _submit(hass, entry, {"price_entity": sensor})
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["price_entity"] == "event.house_current_day_rates"
    links = resolve_price_entity(hass, sensor)
    assert links.next_day == "event.house_next_day_rates"
