"""The options' "Database" step: where telemetry is stored and for how long."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import voluptuous as vol

from ..const import CONF_AUDIT_DAYS, CONF_DB_URL, DEFAULT_RETENTION
from ..db.engine import redact_url, restore_masked
from ..flows.hub_form import async_validate_db_url, db_url_schema
from ..hub.lifecycle import effective_db_url
from .form import save

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

# The most days each table may be kept (730 where not named): audit rows are
# few and some keep them for years.
MAX_DAYS: Final = {CONF_AUDIT_DAYS: 3650}


async def async_step_database(
    flow: OptionsFlow, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Show and validate the database URL and retention."""
    current_url = effective_db_url(flow.config_entry)
    shown_url = redact_url(current_url) if current_url else ""
    errors: dict[str, str] = {}
    placeholders: dict[str, str] = {"error": "", "module": ""}
    values: dict[str, Any] = dict(flow.config_entry.options)
    if user_input is not None:
        new_url = user_input.get(CONF_DB_URL, "").strip()
        # The form shows the stored URL with its password masked; unchanged
        # input means "keep the current URL", and a mask left in an edited
        # URL (same server and user) keeps that secret.
        if new_url == shown_url:
            new_url = current_url
        else:
            new_url = restore_masked(new_url, current_url)
            errors, found = await async_validate_db_url(flow.hass, new_url)
            placeholders.update(found)
        if not errors:
            options = {key: int(user_input[key]) for key in DEFAULT_RETENTION}
            return save(flow, {CONF_DB_URL: new_url, **options})
        # Show back what was entered (the URL as typed, the days changed).
        values = {**values, **user_input}
        shown_url = user_input.get(CONF_DB_URL, "").strip()
    schema: dict[Any, Any] = dict(db_url_schema(shown_url).schema)
    for key, default in DEFAULT_RETENTION.items():
        schema[vol.Required(key, default=values.get(key, default))] = NumberSelector(
            NumberSelectorConfig(
                min=1,
                max=MAX_DAYS.get(key, 730),
                step=1,
                unit_of_measurement="d",
                mode=NumberSelectorMode.BOX,
            )
        )
    return flow.async_show_form(
        step_id="database",
        data_schema=vol.Schema(schema),
        errors=errors,
        description_placeholders=placeholders,
    )
