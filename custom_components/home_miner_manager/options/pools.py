"""The options' "Pools" step: how often pools are checked, where difficulties are read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ..const import (
    CONF_POOL_CHECK_MINUTES,
    CONF_POOL_STATS_URL,
    DEFAULT_POOL_CHECK_MINUTES,
)
from .form import save

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow


async def async_step_pools(
    flow: OptionsFlow, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """How often pools are checked; where network difficulties are read."""
    if user_input is not None:
        return save(
            flow,
            {
                CONF_POOL_CHECK_MINUTES: int(user_input[CONF_POOL_CHECK_MINUTES]),
                CONF_POOL_STATS_URL: str(
                    user_input.get(CONF_POOL_STATS_URL, "")
                ).strip(),
            },
        )
    options = flow.config_entry.options
    schema = {
        vol.Required(
            CONF_POOL_CHECK_MINUTES,
            default=options.get(CONF_POOL_CHECK_MINUTES, DEFAULT_POOL_CHECK_MINUTES),
        ): NumberSelector(
            NumberSelectorConfig(
                min=1,
                max=60,
                step=1,
                unit_of_measurement="min",
                mode=NumberSelectorMode.BOX,
            )
        ),
        vol.Optional(
            CONF_POOL_STATS_URL,
            description={"suggested_value": options.get(CONF_POOL_STATS_URL)},
        ): TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
    }
    return flow.async_show_form(step_id="pools", data_schema=vol.Schema(schema))
