"""The options' "Strategy" step: hysteresis, what to do without a price, coin prices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import voluptuous as vol

from ..const import (
    CONF_CRYPTO_PRICES,
    CONF_HYSTERESIS_SLOTS,
    CONF_WHEN_PRICE_UNKNOWN,
    DEFAULT_HYSTERESIS_SLOTS,
    DEFAULT_WHEN_PRICE_UNKNOWN,
)
from ..flows.labels import dropdown
from .form import save

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow


async def async_step_strategy(
    flow: OptionsFlow, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Hysteresis, what to do without a price, coin prices."""
    if user_input is not None:
        return save(
            flow,
            {
                CONF_HYSTERESIS_SLOTS: int(user_input[CONF_HYSTERESIS_SLOTS]),
                CONF_WHEN_PRICE_UNKNOWN: user_input[CONF_WHEN_PRICE_UNKNOWN],
                CONF_CRYPTO_PRICES: bool(user_input[CONF_CRYPTO_PRICES]),
            },
        )
    options = flow.config_entry.options
    schema = {
        vol.Required(
            CONF_HYSTERESIS_SLOTS,
            default=options.get(CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS),
        ): NumberSelector(
            NumberSelectorConfig(min=1, max=8, step=1, mode=NumberSelectorMode.BOX)
        ),
        vol.Required(
            CONF_WHEN_PRICE_UNKNOWN,
            default=options.get(CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN),
        ): dropdown(["off", "hold"], CONF_WHEN_PRICE_UNKNOWN),
        vol.Required(
            CONF_CRYPTO_PRICES, default=options.get(CONF_CRYPTO_PRICES, False)
        ): BooleanSelector(),
    }
    return flow.async_show_form(step_id="strategy", data_schema=vol.Schema(schema))
