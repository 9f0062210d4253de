"""The options' "Prices" step: the price entity of an integration, or the public API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.helpers.selector import EntitySelector, EntitySelectorConfig
import voluptuous as vol

from ..const import (
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_REGION,
    DEFAULT_REGION,
    PRICE_SOURCE_API,
    PRICE_SOURCE_ENTITY,
)
from ..flows.labels import dropdown
from ..prices.amber import FEED_IN
from ..prices.octopus_entity import REGIONS, region_from_tariff
from ..prices.tariff_kind import STORE_KEYS
from ..tariff.octopus_links import (
    PROBLEM_EXPORT,
    PROBLEM_RATE_SENSOR,
    resolve_price_entity,
)
from ..tariff.sources import detect_price_source
from .form import save

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
    from homeassistant.core import HomeAssistant


async def async_step_prices(
    flow: OptionsFlow, user_input: dict[str, Any] | None
) -> ConfigFlowResult:
    """Where prices come from: the Octopus integration, or the public API."""
    errors: dict[str, str] = {}
    placeholders = {"event_entity": "-"}
    values: dict[str, Any] = dict(flow.config_entry.options)
    if user_input is not None:
        source = user_input.get(CONF_PRICE_SOURCE, PRICE_SOURCE_ENTITY)
        entity_id = str(user_input.get(CONF_PRICE_ENTITY) or "")
        region = str(user_input.get(CONF_REGION) or "")
        if source == PRICE_SOURCE_ENTITY:
            entity_id, error, found = _price_entity(flow.hass, entity_id, placeholders)
            if error:
                errors[CONF_PRICE_ENTITY] = error
            # The entity's tariff names the region; the option is a fallback.
            region = found or region or str(values.get(CONF_REGION) or "")
        elif not region:
            errors[CONF_REGION] = "region_required"
        if not errors:
            return save(
                flow,
                {
                    CONF_PRICE_SOURCE: source,
                    CONF_PRICE_ENTITY: entity_id,
                    CONF_REGION: region or DEFAULT_REGION,
                },
            )
        values = {**values, **user_input}
    entity_default = values.get(CONF_PRICE_ENTITY) or None
    schema = {
        vol.Required(
            CONF_PRICE_SOURCE,
            default=values.get(CONF_PRICE_SOURCE, PRICE_SOURCE_ENTITY),
        ): dropdown([PRICE_SOURCE_ENTITY, PRICE_SOURCE_API], CONF_PRICE_SOURCE),
        vol.Optional(
            CONF_PRICE_ENTITY,
            description={"suggested_value": entity_default},
        ): EntitySelector(EntitySelectorConfig(domain=["event", "sensor"])),
        # Needed by the public API only: the entities carry their tariff.
        vol.Optional(
            CONF_REGION,
            description={"suggested_value": values.get(CONF_REGION)},
        ): dropdown(sorted(REGIONS)),
    }
    return flow.async_show_form(
        step_id="prices",
        data_schema=vol.Schema(schema),
        errors=errors,
        description_placeholders=placeholders,
    )


def _price_entity(
    hass: HomeAssistant, entity_id: str, placeholders: dict[str, str]
) -> tuple[str, str | None, str | None]:
    """(entity to store, error key, region of its tariff) for a picked entity.

    A rate sensor or another day list of a meter is swapped for the meter's
    ``event.*_current_day_rates``: rate sensors lag slot boundaries.
    """
    if not entity_id:
        return entity_id, "price_entity_required", None
    if detect_price_source(hass, entity_id) in STORE_KEYS:
        # Nord Pool, Tibber, Amber, ENTSO-e or a generic price list.
        state = hass.states.get(entity_id)
        if state is not None and state.attributes.get("channel_type") == FEED_IN:
            return entity_id, "price_entity_export", None
        return entity_id, None, None
    found = resolve_price_entity(hass, entity_id)
    region = region_from_tariff(found.tariff)
    if found.problem == PROBLEM_EXPORT:
        return entity_id, "price_entity_export", None
    if found.problem == PROBLEM_RATE_SENSOR:
        placeholders["event_entity"] = found.suggestion
        return entity_id, "price_entity_use_event", None
    if not found.octopus or found.current_day is None:
        return entity_id, "price_entity_unsupported", None
    return found.current_day, None, region
