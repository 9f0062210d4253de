"""Hub options: database and retention, prices, strategy settings, price bands.

``init`` is a menu. Bands live in the database (``agile_strategy_bands``),
so their steps save through the running strategy and end the flow with the
options unchanged; every other step stores options (merged with the rest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ..config_flow import _MAX_DAYS, _db_url_schema, async_validate_db_url
from ..const import (
    CONF_CRYPTO_PRICES,
    CONF_DB_URL,
    CONF_HYSTERESIS_SLOTS,
    CONF_POOL_CHECK_MINUTES,
    CONF_POOL_STATS_URL,
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_REGION,
    CONF_WHEN_PRICE_UNKNOWN,
    DEFAULT_HYSTERESIS_SLOTS,
    DEFAULT_POOL_CHECK_MINUTES,
    DEFAULT_REGION,
    DEFAULT_RETENTION,
    DEFAULT_WHEN_PRICE_UNKNOWN,
    PRICE_SOURCE_API,
    PRICE_SOURCE_ENTITY,
)
from ..db.engine import redact_url, restore_masked
from ..hub.lifecycle import effective_db_url
from ..prices.amber import FEED_IN
from ..prices.octopus_entity import REGIONS, region_from_tariff
from ..prices.tariff_kind import STORE_KEYS
from ..tariff.octopus_links import (
    PROBLEM_EXPORT,
    PROBLEM_RATE_SENSOR,
    resolve_price_entity,
)
from ..tariff.sources import detect_price_source
from .alerts import AlertStepsMixin
from .bands import BandStepsMixin

if TYPE_CHECKING:
    from ..data import HMMConfigEntry

MENU: Final = ["database", "pools", "prices", "strategy", "bands", "alerts"]


def _select(options: list[str], key: str | None = None) -> SelectSelector:
    config = SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    if key is not None:
        config["translation_key"] = key
    return SelectSelector(config)


class HubOptionsFlow(BandStepsMixin, AlertStepsMixin, OptionsFlow):
    """Options of the hub entry."""

    @property
    def hub(self) -> HMMConfigEntry:
        """The hub entry (typed)."""
        entry: HMMConfigEntry = self.config_entry
        return entry

    def _save(self, values: dict[str, Any]) -> ConfigFlowResult:
        return self.async_create_entry(data={**self.config_entry.options, **values})

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the option groups."""
        return self.async_show_menu(step_id="init", menu_options=MENU)

    async def async_step_database(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and validate the database URL and retention."""
        current_url = effective_db_url(self.config_entry)
        shown_url = redact_url(current_url) if current_url else ""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"error": "", "module": ""}
        values: dict[str, Any] = dict(self.config_entry.options)
        if user_input is not None:
            new_url = user_input.get(CONF_DB_URL, "").strip()
            # The form shows the stored URL with its password masked; unchanged
            # input means "keep the current URL", and a mask left in an edited
            # URL (same server and user) keeps that secret.
            if new_url == shown_url:
                new_url = current_url
            else:
                new_url = restore_masked(new_url, current_url)
                errors, found = await async_validate_db_url(self.hass, new_url)
                placeholders.update(found)
            if not errors:
                options = {key: int(user_input[key]) for key in DEFAULT_RETENTION}
                return self._save({CONF_DB_URL: new_url, **options})
            # Show back what was entered (the URL as typed, the days changed).
            values = {**values, **user_input}
            shown_url = user_input.get(CONF_DB_URL, "").strip()
        schema: dict[Any, Any] = dict(_db_url_schema(shown_url).schema)
        for key, default in DEFAULT_RETENTION.items():
            schema[vol.Required(key, default=values.get(key, default))] = (
                NumberSelector(
                    NumberSelectorConfig(
                        min=1,
                        max=_MAX_DAYS.get(key, 730),
                        step=1,
                        unit_of_measurement="d",
                        mode=NumberSelectorMode.BOX,
                    )
                )
            )
        return self.async_show_form(
            step_id="database",
            data_schema=vol.Schema(schema),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_pools(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """How often pools are checked; where network difficulties are read."""
        if user_input is not None:
            return self._save(
                {
                    CONF_POOL_CHECK_MINUTES: int(user_input[CONF_POOL_CHECK_MINUTES]),
                    CONF_POOL_STATS_URL: str(
                        user_input.get(CONF_POOL_STATS_URL, "")
                    ).strip(),
                }
            )
        options = self.config_entry.options
        schema = {
            vol.Required(
                CONF_POOL_CHECK_MINUTES,
                default=options.get(
                    CONF_POOL_CHECK_MINUTES, DEFAULT_POOL_CHECK_MINUTES
                ),
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
        return self.async_show_form(step_id="pools", data_schema=vol.Schema(schema))

    async def async_step_prices(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where prices come from: the Octopus integration, or the public API."""
        errors: dict[str, str] = {}
        placeholders = {"event_entity": "-"}
        values: dict[str, Any] = dict(self.config_entry.options)
        if user_input is not None:
            source = user_input.get(CONF_PRICE_SOURCE, PRICE_SOURCE_ENTITY)
            entity_id = str(user_input.get(CONF_PRICE_ENTITY) or "")
            region = str(user_input.get(CONF_REGION) or "")
            if source == PRICE_SOURCE_ENTITY:
                entity_id, error, found = self._price_entity(entity_id, placeholders)
                if error:
                    errors[CONF_PRICE_ENTITY] = error
                # The entity's tariff names the region; the option is a fallback.
                region = found or region or str(values.get(CONF_REGION) or "")
            elif not region:
                errors[CONF_REGION] = "region_required"
            if not errors:
                return self._save(
                    {
                        CONF_PRICE_SOURCE: source,
                        CONF_PRICE_ENTITY: entity_id,
                        CONF_REGION: region or DEFAULT_REGION,
                    }
                )
            values = {**values, **user_input}
        entity_default = values.get(CONF_PRICE_ENTITY) or None
        schema = {
            vol.Required(
                CONF_PRICE_SOURCE,
                default=values.get(CONF_PRICE_SOURCE, PRICE_SOURCE_ENTITY),
            ): _select([PRICE_SOURCE_ENTITY, PRICE_SOURCE_API], CONF_PRICE_SOURCE),
            vol.Optional(
                CONF_PRICE_ENTITY,
                description={"suggested_value": entity_default},
            ): EntitySelector(EntitySelectorConfig(domain=["event", "sensor"])),
            # Needed by the public API only: the entities carry their tariff.
            vol.Optional(
                CONF_REGION,
                description={"suggested_value": values.get(CONF_REGION)},
            ): _select(sorted(REGIONS)),
        }
        return self.async_show_form(
            step_id="prices",
            data_schema=vol.Schema(schema),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _price_entity(
        self, entity_id: str, placeholders: dict[str, str]
    ) -> tuple[str, str | None, str | None]:
        """(entity to store, error key, region of its tariff) for a picked entity.

        A rate sensor or another day list of a meter is swapped for the meter's
        ``event.*_current_day_rates``: rate sensors lag slot boundaries.
        """
        if not entity_id:
            return entity_id, "price_entity_required", None
        if detect_price_source(self.hass, entity_id) in STORE_KEYS:
            # Nord Pool, Tibber, Amber, ENTSO-e or a generic price list.
            state = self.hass.states.get(entity_id)
            if state is not None and state.attributes.get("channel_type") == FEED_IN:
                return entity_id, "price_entity_export", None
            return entity_id, None, None
        found = resolve_price_entity(self.hass, entity_id)
        region = region_from_tariff(found.tariff)
        if found.problem == PROBLEM_EXPORT:
            return entity_id, "price_entity_export", None
        if found.problem == PROBLEM_RATE_SENSOR:
            placeholders["event_entity"] = found.suggestion
            return entity_id, "price_entity_use_event", None
        if not found.octopus or found.current_day is None:
            return entity_id, "price_entity_unsupported", None
        return found.current_day, None, region

    async def async_step_strategy(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Hysteresis, what to do without a price, coin prices."""
        if user_input is not None:
            return self._save(
                {
                    CONF_HYSTERESIS_SLOTS: int(user_input[CONF_HYSTERESIS_SLOTS]),
                    CONF_WHEN_PRICE_UNKNOWN: user_input[CONF_WHEN_PRICE_UNKNOWN],
                    CONF_CRYPTO_PRICES: bool(user_input[CONF_CRYPTO_PRICES]),
                }
            )
        options = self.config_entry.options
        schema = {
            vol.Required(
                CONF_HYSTERESIS_SLOTS,
                default=options.get(CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS),
            ): NumberSelector(
                NumberSelectorConfig(min=1, max=8, step=1, mode=NumberSelectorMode.BOX)
            ),
            vol.Required(
                CONF_WHEN_PRICE_UNKNOWN,
                default=options.get(
                    CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN
                ),
            ): _select(["off", "hold"], CONF_WHEN_PRICE_UNKNOWN),
            vol.Required(
                CONF_CRYPTO_PRICES, default=options.get(CONF_CRYPTO_PRICES, False)
            ): BooleanSelector(),
        }
        return self.async_show_form(step_id="strategy", data_schema=vol.Schema(schema))
