"""Options steps that edit the strategy's price bands (add, edit, delete, reset).

Every change is checked as a whole with ``strategy.bands.validate_bands``
(contiguous, non-overlapping, covering every price, valid coins and modes);
the first problem is shown as a translated error.
"""

from __future__ import annotations

from dataclasses import replace
import math
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
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

from ..agile.fleet import band_name
from ..devices.types import MinerType
from ..strategy.bands import BAND_MODES, COINS, Band, by_price, validate_bands
from ..tariff.labels import hub_price_unit

if TYPE_CHECKING:
    from ..agile.runner import StrategyRunner

BAND_MENU: Final = ["band_add", "band_edit", "band_delete", "band_reset"]
CONF_BAND: Final = "band"


def _price(unit: str) -> NumberSelector:
    """Return a band limit box in the hub's minor unit per kWh (p, c, öre)."""
    return NumberSelector(
        NumberSelectorConfig(
            min=-10000, max=10000, step=0.01, unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )  # fmt: skip


_MODE_FIELDS: Final = {
    "bitaxe_mode": MinerType.BITAXE,
    "nerdqaxe_mode": MinerType.NERDQAXE,
    "avalon_nano_mode": MinerType.AVALON_NANO,
}


def _dropdown(options: list[str], key: str | None = None) -> SelectSelector:
    config = SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    if key is not None:
        config["translation_key"] = key
    return SelectSelector(config)


def renumber(bands: list[Band]) -> list[Band]:
    """Sort order 0 = dearest, as upstream's defaults (display order only)."""
    ordered = list(reversed(by_price(bands)))
    return [replace(band, sort_order=i) for i, band in enumerate(ordered)]


def _lo(band: Band) -> float:
    return -math.inf if band.min_price is None else band.min_price


def _hi(band: Band) -> float:
    return math.inf if band.max_price is None else band.max_price


def fit(others: list[Band], band: Band) -> list[Band]:
    """Put ``band`` in; neighbours are clipped, split or stretched around it.

    Bands it covers entirely go; a band it falls inside is split in two; a
    gap it leaves is closed by the neighbour (never by the edited band).
    """
    low, high = _lo(band), _hi(band)
    kept: list[Band] = []
    for other in others:
        if _hi(other) <= low or _lo(other) >= high:
            kept.append(other)
        elif _lo(other) < low and _hi(other) > high:
            kept.append(replace(other, max_price=band.min_price))
            kept.append(replace(other, id=-2, min_price=band.max_price, champion=False))
        elif _lo(other) < low:
            kept.append(replace(other, max_price=band.min_price))
        elif _hi(other) > high:
            kept.append(replace(other, min_price=band.max_price))
    ordered = by_price([*kept, band])
    for i in range(len(ordered) - 1):
        lower, upper = ordered[i], ordered[i + 1]
        if _hi(lower) < _lo(upper):
            if lower is band:
                ordered[i + 1] = replace(upper, min_price=lower.max_price)
            else:
                ordered[i] = replace(lower, max_price=upper.min_price)
    if ordered[0] is not band:
        ordered[0] = replace(ordered[0], min_price=None)
    if ordered[-1] is not band:
        ordered[-1] = replace(ordered[-1], max_price=None)
    return renumber(ordered)


def without(bands: list[Band], band_id: int) -> list[Band]:
    """Drop a band; its cheaper neighbour takes its range (coverage stays whole)."""
    ordered = by_price(bands)
    index = next(i for i, b in enumerate(ordered) if b.id == band_id)
    gone = ordered.pop(index)
    if index > 0:  # the cheaper neighbour reaches up to the gone band's top
        ordered[index - 1] = replace(ordered[index - 1], max_price=gone.max_price)
    elif ordered:  # the cheapest went: the next one opens downwards
        ordered[0] = replace(ordered[0], min_price=None)
    return renumber(ordered)


class BandStepsMixin(OptionsFlow):
    """The band steps of the hub options flow."""

    _band_id: int | None = None

    def _runner(self) -> StrategyRunner | None:
        runtime = getattr(self.config_entry, "runtime_data", None)
        return getattr(runtime, "strategy", None)

    def _done(self) -> ConfigFlowResult:
        return self.async_create_entry(data=dict(self.config_entry.options))

    def _band_choice(self, runner: StrategyRunner) -> SelectSelector:
        return SelectSelector(
            SelectSelectorConfig(
                options=[
                    SelectOptionDict(value=str(b.id), label=str(band_name(b)))
                    for b in runner.bands
                ],
                mode=SelectSelectorMode.LIST,
            )
        )

    async def async_step_bands(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the band actions (only once prices and the strategy run)."""
        if self._runner() is None:
            return self.async_abort(reason="strategy_not_configured")
        return self.async_show_menu(step_id="bands", menu_options=BAND_MENU)

    async def async_step_band_add(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a band; neighbours are fitted around it."""
        self._band_id = None
        return await self.async_step_band_form()

    async def async_step_band_edit(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the band to edit."""
        runner = self._runner()
        if runner is None:
            return self.async_abort(reason="strategy_not_configured")
        if user_input is not None:
            self._band_id = int(user_input[CONF_BAND])
            return await self.async_step_band_form()
        return self.async_show_form(
            step_id="band_edit",
            data_schema=vol.Schema(
                {vol.Required(CONF_BAND): self._band_choice(runner)}
            ),
        )

    async def async_step_band_form(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Range, coin, modes per miner family, champion."""
        runner = self._runner()
        if runner is None:
            return self.async_abort(reason="strategy_not_configured")
        current = next((b for b in runner.bands if b.id == self._band_id), None)
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
            others = [b for b in runner.bands if current is None or b.id != current.id]
            bands = fit(others, band)
            if issues := validate_bands(bands):
                errors["base"] = issues[0].key
                values = {**values, **user_input}
            else:
                await runner.async_save_bands(bands, None)
                return self._done()
        unit = hub_price_unit(self.hass, self.config_entry)
        schema: dict[Any, Any] = {
            vol.Optional(
                "min_price", description={"suggested_value": values.get("min_price")}
            ): _price(unit),
            vol.Optional(
                "max_price", description={"suggested_value": values.get("max_price")}
            ): _price(unit),
            vol.Required(
                "target_coin", default=values.get("target_coin", "DGB")
            ): _dropdown(list(COINS)),
        }
        for field, miner_type in _MODE_FIELDS.items():
            modes = list(BAND_MODES[miner_type])
            schema[vol.Required(field, default=values.get(field, modes[1]))] = (
                _dropdown(modes, "band_mode")
            )
        schema[vol.Required("champion", default=values.get("champion", False))] = (
            BooleanSelector()
        )
        return self.async_show_form(
            step_id="band_form",
            data_schema=vol.Schema(schema),
            errors=errors,
            description_placeholders={
                "band": str(band_name(current) or "-"),
                "price_unit": unit,
            },
        )

    async def async_step_band_delete(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Delete a band; the cheaper neighbour takes over its range."""
        runner = self._runner()
        if runner is None:
            return self.async_abort(reason="strategy_not_configured")
        errors: dict[str, str] = {}
        if user_input is not None:
            if len(runner.bands) <= 1:
                errors["base"] = "last_band"
            else:
                bands = without(runner.bands, int(user_input[CONF_BAND]))
                if issues := validate_bands(bands):
                    errors["base"] = issues[0].key
                else:
                    await runner.async_save_bands(bands, None)
                    return self._done()
        return self.async_show_form(
            step_id="band_delete",
            data_schema=vol.Schema(
                {vol.Required(CONF_BAND): self._band_choice(runner)}
            ),
            errors=errors,
        )

    async def async_step_band_reset(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm, then put upstream's five default bands back."""
        runner = self._runner()
        if runner is None:
            return self.async_abort(reason="strategy_not_configured")
        if user_input is not None:
            await runner.async_reset_bands(None)
            return self._done()
        unit = hub_price_unit(self.hass, self.config_entry)
        return self.async_show_form(
            step_id="band_reset",
            data_schema=vol.Schema({}),
            description_placeholders={"minor_unit": unit.removesuffix("/kWh")},
        )
