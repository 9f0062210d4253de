"""The options' "Price bands" steps: add, edit, delete, reset.

Bands live in the database (``agile_strategy_bands``), so these steps save
through the running strategy and end the flow with the options unchanged.
Every change is checked as a whole with ``strategy.bands.validate_bands``
(contiguous, non-overlapping, covering every price, valid coins and modes);
the first problem is shown as a translated error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Final

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ..devices.types import MinerType
from ..flows.labels import dropdown, hub_price_unit
from ..strategy.band_edit import fit, without
from ..strategy.bands import BAND_MODES, COINS, Band, validate_bands
from ..strategy.describe import band_name
from .form import unchanged

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

    from ..agile.coordinator import StrategyCoordinator
    from ..data import HubData
    from .form import OptionsDraft

BAND_MENU: Final = ["band_add", "band_edit", "band_delete", "band_reset"]
CONF_BAND: Final = "band"
_MODE_FIELDS: Final = {
    "bitaxe_mode": MinerType.BITAXE,
    "nerdqaxe_mode": MinerType.NERDQAXE,
    "avalon_nano_mode": MinerType.AVALON_NANO,
}

type _Input = dict[str, Any] | None
type _BandStep = Callable[
    [OptionsFlow, OptionsDraft, StrategyCoordinator, _Input],
    Awaitable[ConfigFlowResult],
]
type _Step = Callable[[OptionsFlow, OptionsDraft, _Input], Awaitable[ConfigFlowResult]]


def _with_strategy(step: _BandStep) -> _Step:
    """Give a band step the running strategy, or abort: it runs once prices do."""

    @wraps(step)
    async def guarded(
        flow: OptionsFlow, draft: OptionsDraft, user_input: _Input = None
    ) -> ConfigFlowResult:
        # No runtime data while the hub is not loaded.
        hub: HubData | None = getattr(flow.config_entry, "runtime_data", None)
        if hub is None or not hub.prices.configured:
            return flow.async_abort(reason="strategy_not_configured")
        return await step(flow, draft, hub.strategy, user_input)

    return guarded


def _price(unit: str) -> NumberSelector:
    """Return a band limit box in the hub's minor unit per kWh (p, c, öre)."""
    return NumberSelector(
        NumberSelectorConfig(
            min=-10000, max=10000, step=0.01, unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )  # fmt: skip


def _band_choice(flow: OptionsFlow, strategy: StrategyCoordinator) -> vol.Schema:
    unit = hub_price_unit(flow.hass, flow.config_entry)
    choice = SelectSelector(
        SelectSelectorConfig(
            options=[
                SelectOptionDict(value=str(b.id), label=str(band_name(b, unit)))
                for b in strategy.bands
            ],
            mode=SelectSelectorMode.LIST,
        )
    )
    return vol.Schema({vol.Required(CONF_BAND): choice})


@_with_strategy
async def async_step_bands(
    flow: OptionsFlow,
    draft: OptionsDraft,
    strategy: StrategyCoordinator,
    user_input: _Input,
) -> ConfigFlowResult:
    """Offer the band actions (only once prices and the strategy run)."""
    return flow.async_show_menu(step_id="bands", menu_options=BAND_MENU)


async def async_step_band_add(
    flow: OptionsFlow, draft: OptionsDraft, user_input: _Input
) -> ConfigFlowResult:
    """Add a band; neighbours are fitted around it."""
    draft.band_id = None
    return await async_step_band_form(flow, draft, None)


@_with_strategy
async def async_step_band_edit(
    flow: OptionsFlow,
    draft: OptionsDraft,
    strategy: StrategyCoordinator,
    user_input: _Input,
) -> ConfigFlowResult:
    """Pick the band to edit."""
    if user_input is not None:
        draft.band_id = int(user_input[CONF_BAND])
        return await async_step_band_form(flow, draft, None)
    return flow.async_show_form(
        step_id="band_edit", data_schema=_band_choice(flow, strategy)
    )


@_with_strategy
async def async_step_band_form(
    flow: OptionsFlow,
    draft: OptionsDraft,
    strategy: StrategyCoordinator,
    user_input: _Input,
) -> ConfigFlowResult:
    """Range, coin, modes per miner family, champion."""
    current = next((b for b in strategy.bands if b.id == draft.band_id), None)
    errors: dict[str, str] = {}
    values: dict[str, Any] = current.to_dict() if current else {}
    if user_input is not None:
        band = Band(
            id=current.id if current else -1,
            sort_order=current.sort_order if current else -1,
            min_price=user_input.get("min_price"),
            max_price=user_input.get("max_price"),
            target_coin=user_input["target_coin"],
            bitaxe_mode=user_input["bitaxe_mode"],
            nerdqaxe_mode=user_input["nerdqaxe_mode"],
            avalon_nano_mode=user_input["avalon_nano_mode"],
            champion=bool(user_input.get("champion", False)),
        )
        others = [b for b in strategy.bands if current is None or b.id != current.id]
        bands = fit(others, band)
        if issues := validate_bands(bands):
            errors["base"] = issues[0].key
            values = {**values, **user_input}
        else:
            await strategy.async_save_bands(bands, None)
            return unchanged(flow)
    unit = hub_price_unit(flow.hass, flow.config_entry)
    schema: dict[Any, Any] = {
        vol.Optional(
            "min_price", description={"suggested_value": values.get("min_price")}
        ): _price(unit),
        vol.Optional(
            "max_price", description={"suggested_value": values.get("max_price")}
        ): _price(unit),
        vol.Required("target_coin", default=values.get("target_coin", "DGB")): (
            dropdown(list(COINS))
        ),
    }
    for field, miner_type in _MODE_FIELDS.items():
        modes = list(BAND_MODES[miner_type])
        schema[vol.Required(field, default=values.get(field, modes[1]))] = dropdown(
            modes, "band_mode"
        )
    schema[vol.Required("champion", default=values.get("champion", False))] = (
        BooleanSelector()
    )
    return flow.async_show_form(
        step_id="band_form",
        data_schema=vol.Schema(schema),
        errors=errors,
        description_placeholders={
            "band": str(band_name(current, unit) or "-"),
            "price_unit": unit,
        },
    )


@_with_strategy
async def async_step_band_delete(
    flow: OptionsFlow,
    draft: OptionsDraft,
    strategy: StrategyCoordinator,
    user_input: _Input,
) -> ConfigFlowResult:
    """Delete a band; the cheaper neighbour takes over its range."""
    errors: dict[str, str] = {}
    if user_input is not None:
        if len(strategy.bands) <= 1:
            errors["base"] = "last_band"
        else:
            bands = without(strategy.bands, int(user_input[CONF_BAND]))
            if issues := validate_bands(bands):
                errors["base"] = issues[0].key
            else:
                await strategy.async_save_bands(bands, None)
                return unchanged(flow)
    return flow.async_show_form(
        step_id="band_delete", data_schema=_band_choice(flow, strategy), errors=errors
    )


@_with_strategy
async def async_step_band_reset(
    flow: OptionsFlow,
    draft: OptionsDraft,
    strategy: StrategyCoordinator,
    user_input: _Input,
) -> ConfigFlowResult:
    """Confirm, then put upstream's five default bands back."""
    if user_input is not None:
        await strategy.async_reset_bands(None)
        return unchanged(flow)
    unit = hub_price_unit(flow.hass, flow.config_entry)
    return flow.async_show_form(
        step_id="band_reset",
        data_schema=vol.Schema({}),
        description_placeholders={"minor_unit": unit.removesuffix("/kWh")},
    )
