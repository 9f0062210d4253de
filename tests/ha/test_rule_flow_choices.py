"""The rule flow offers choices, not free text: modes per miner type, a sane price."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.util import dt as dt_util
import pytest

from custom_components.home_miner_manager.flows.rule import PRICE_DEFAULT
from hmm_sim import AxeOSSimulator, CgminerSimulator
from tests.plugins.simulators import AVALON_WEB_PASSWORD

from .conftest import BITAXE_UID, HubFactory, miner_subentry


def _field(flow: dict[str, Any], name: str) -> Any:
    return next(key for key in flow["data_schema"].schema if str(key) == name)


def _selector(flow: dict[str, Any], name: str) -> dict[str, Any]:
    config: dict[str, Any] = flow["data_schema"].schema[_field(flow, name)].config
    return config


async def _to_action(hass: HomeAssistant, entry: Any, action: str) -> dict[str, Any]:
    flow = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"), context={"source": "user"}
    )
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"next_step_id": "time_window"}
    )
    result: dict[str, Any] = await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {"name": "Night", "start": "00:00:00", "end": "06:00:00",
         "action_type": action, "priority": 0, "enabled": True},
    )  # fmt: skip
    return result


async def test_modes_are_a_translated_choice_checked_against_the_miners(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    avalon_sim: CgminerSimulator,
) -> None:
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
            miner_subentry(avalon_sim, "avalon_nano", title="Heater",
                           web_password=AVALON_WEB_PASSWORD),
        ]
    )  # fmt: skip
    ids = {sub.title: sid for sid, sub in entry.subentries.items()}
    flow = await _to_action(hass, entry, "apply_mode")
    assert flow["step_id"] == "action"
    # The title names the action in words, not "apply_mode".
    assert flow["description_placeholders"] == {"action": "Set a mode"}
    mode = _selector(flow, "mode")
    assert mode["translation_key"] == "mode"
    assert mode["options"] == ["eco", "standard", "turbo", "oc", "low", "med", "high"]
    # Free text such as "Eco" is no longer accepted.
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            flow["flow_id"], {"miners": [ids["Desk"]], "mode": "Eco"}
        )
    # An Avalon has no "turbo".
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"miners": [ids["Desk"], ids["Heater"]], "mode": "turbo"}
    )
    assert flow["errors"] == {"mode": "mode_not_supported"}
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"miners": [ids["Desk"]], "mode": "turbo"}
    )
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    assert flow["data"]["action_config"] == {"miners": [ids["Desk"]], "mode": "turbo"}


async def test_only_the_hubs_miner_types_modes_are_offered(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    flow = await _to_action(hass, entry, "apply_mode")
    assert _selector(flow, "mode")["options"] == ["eco", "standard", "turbo", "oc"]


async def test_price_defaults_to_the_current_price_not_minus_1000(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()

    async def price_form() -> dict[str, Any]:
        flow = await hass.config_entries.subentries.async_init(
            (entry.entry_id, "rule"), context={"source": "user"}
        )
        result: dict[str, Any] = await hass.config_entries.subentries.async_configure(
            flow["flow_id"], {"next_step_id": "price_threshold"}
        )
        return result

    flow = await price_form()
    threshold = _field(flow, "threshold")
    assert threshold.default() == PRICE_DEFAULT  # no price known yet
    selector = _selector(flow, "threshold")
    assert (selector["min"], selector["max"]) == (-100, 200)

    slot = SimpleNamespace(start=dt_util.utcnow(), price_pence=23.456)
    entry.runtime_data.prices.current = lambda: slot  # type: ignore[method-assign]
    flow = await price_form()
    assert _field(flow, "threshold").default() == 23.5
    # Below the range is refused by the form, not stored.
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            flow["flow_id"],
            {"name": "Cheap", "condition": "below", "threshold": -1000,
             "action_type": "log_event", "priority": 0, "enabled": True},
        )  # fmt: skip


async def test_the_upper_price_must_be_above_the_lower_one(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    flow = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"), context={"source": "user"}
    )
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"next_step_id": "price_threshold"}
    )
    base = {"name": "Band", "condition": "between", "threshold": 5,
            "action_type": "log_event", "priority": 0, "enabled": True}  # fmt: skip
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {**base, "threshold_high": 5}
    )
    assert flow["errors"] == {"threshold_high": "threshold_high_required"}
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {**base, "threshold_high": 5.01}
    )
    assert flow["step_id"] == "action"
