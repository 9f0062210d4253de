"""Hub options for prices, the strategy and its bands; the miner's power switch."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager.const import SUBENTRY_MINER
from custom_components.home_miner_manager.db.models import AgileStrategyBand
from custom_components.home_miner_manager.strategy.bands import default_bands
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows
from .strategy_support import CURRENT_DAY, entity_options, flat_day, set_day

NOW = "2026-03-10 12:10:00+00:00"


async def _open(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert step in result["menu_options"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


def _band_table(bands: list[AgileStrategyBand]) -> list[tuple[Any, ...]]:
    ordered = sorted(bands, key=lambda b: b.sort_order)
    return [(b.min_price, b.max_price, b.target_coin, b.bitaxe_mode) for b in ordered]


async def test_prices_step_validates_and_reloads(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    result = await _open(hass, entry, "prices")
    assert result["step_id"] == "prices"
    # Only the source has a default: the region is for the public API.
    defaults = {
        str(k): k.default() for k in result["data_schema"].schema if callable(k.default)
    }
    assert defaults == {"price_source": "octopus_entity"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"price_source": "octopus_entity", "region": "C"}
    )
    assert result["errors"] == {"price_entity": "price_entity_required"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "price_source": "octopus_entity",
            "price_entity": "sensor.outside",
            "region": "C",
        },
    )
    assert result["errors"] == {"price_entity": "price_entity_unsupported"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"price_source": "octopus_entity", "price_entity": CURRENT_DAY, "region": "C"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    # The price source starts the strategy (a reload): its entities appear.
    assert entry.runtime_data.prices.configured
    assert entry.options["price_entity"] == CURRENT_DAY


async def test_strategy_step(hass: HomeAssistant, setup_hub: HubFactory) -> None:
    entry = await setup_hub(options=entity_options())
    result = await _open(hass, entry, "strategy")
    defaults = {str(k): k.default() for k in result["data_schema"].schema}
    assert defaults == {
        "hysteresis_slots": 2,
        "when_price_unknown": "off",
        "crypto_prices": False,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"hysteresis_slots": 3, "when_price_unknown": "hold", "crypto_prices": False},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["hysteresis_slots"] == 3
    assert entry.options["price_entity"] == CURRENT_DAY  # other options kept


async def test_bands_without_prices_abort(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    result = await _open(hass, entry, "bands")
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "strategy_not_configured"


@pytest.mark.freeze_time(NOW)
async def test_bands_created_edited_deleted_reset(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    set_day(hass, flat_day(15.0))
    entry = await setup_hub(options=entity_options())
    table = _band_table(await rows(hass, entry, AgileStrategyBand))
    assert table == [
        (b.min_price, b.max_price, b.target_coin, b.bitaxe_mode)
        for b in default_bands()
    ]
    runner = entry.runtime_data.strategy
    eco = next(b for b in runner.bands if b.min_price == 12.0)

    # Edit: the DGB eco band starts at 14 p; its cheaper neighbour follows.
    result = await _open(hass, entry, "bands")
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "band_edit"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"band": str(eco.id)}
    )
    assert result["step_id"] == "band_form"
    form = {
        "min_price": 14.0,
        "max_price": 20.0,
        "target_coin": "DGB",
        "bitaxe_mode": "eco",
        "nerdqaxe_mode": "eco",
        "avalon_nano_mode": "low",
        "champion": False,
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**form, "max_price": 10.0}
    )
    assert result["errors"] == {"base": "empty_range"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**form, "target_coin": "OFF", "champion": True}
    )
    assert result["errors"] == {"base": "champion_off_band"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    table = _band_table(await rows(hass, entry, AgileStrategyBand))
    assert table[:3] == [
        (20.0, None, "OFF", "eco"),
        (14.0, 20.0, "DGB", "eco"),
        (7.0, 14.0, "DGB", "standard"),
    ]
    # The id of the edited band is kept (the decision refers to it by id).
    assert eco.id in {b.id for b in runner.bands}

    # Add: a BC2 band inside 7-14 splits it.
    result = await _open(hass, entry, "bands")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "band_add"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**form, "min_price": 9.0, "max_price": 11.0, "target_coin": "BC2"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    table = _band_table(await rows(hass, entry, AgileStrategyBand))
    assert [row[:3] for row in table[2:5]] == [
        (11.0, 14.0, "DGB"),
        (9.0, 11.0, "BC2"),
        (7.0, 9.0, "DGB"),
    ]

    # Delete it: the cheaper neighbour takes its range.
    bc2 = next(b for b in runner.bands if b.target_coin == "BC2")
    result = await _open(hass, entry, "bands")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "band_delete"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"band": str(bc2.id)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    table = _band_table(await rows(hass, entry, AgileStrategyBand))
    assert [row[:3] for row in table[2:4]] == [(11.0, 14.0, "DGB"), (7.0, 11.0, "DGB")]

    # Reset to the defaults.
    result = await _open(hass, entry, "bands")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "band_reset"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    table = _band_table(await rows(hass, entry, AgileStrategyBand))
    assert table == [
        (b.min_price, b.max_price, b.target_coin, b.bitaxe_mode)
        for b in default_bands()
    ]


async def test_power_switch_field_when_adding(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    assert "power_switch" in {str(k) for k in result["data_schema"].schema}


async def test_power_switch_reconfigure(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID, title="Bitaxe")]
    )
    (subentry_id,) = entry.subentries
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert "power_switch" in {str(k) for k in result["data_schema"].schema}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Bitaxe",
            "host": axeos_sim.host,
            "port": axeos_sim.port,
            "scan_interval": 30,
            "power_switch": "switch.bitaxe_plug",
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert entry.subentries[subentry_id].data["power_switch"] == "switch.bitaxe_plug"
