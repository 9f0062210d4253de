"""Config flow for the hub (database), its options, and miner discovery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .const import (
    CONF_AUDIT_DAYS,
    CONF_DB_URL,
    CONF_HOST,
    DOMAIN,
    LOGGER,
    SUBENTRY_MINER,
    SUBENTRY_POOL,
    SUBENTRY_RULE,
)
from .db.exceptions import (
    DatabaseConnectionError,
    DatabaseDriverMissingError,
    DatabaseError,
    DatabaseUrlError,
)
from .flows.discovery import DiscoveryMixin, dhcp_unique_id
from .flows.miner import MinerSubentryFlow
from .flows.pool import PoolSubentryFlow
from .flows.rule import RuleSubentryFlow
from .hub.lifecycle import async_open_database
from .miner.nmminer_discovery import offer_unique_id

if TYPE_CHECKING:
    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
    from homeassistant.helpers.typing import DiscoveryInfoType

TITLE = "Home Miner Manager"
_MAX_DAYS = {CONF_AUDIT_DAYS: 3650}


async def async_validate_db_url(
    hass: HomeAssistant, db_url: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Open and close the database; return (errors, description placeholders)."""
    try:
        database = await async_open_database(hass, db_url)
    except DatabaseDriverMissingError as err:
        return {CONF_DB_URL: "db_driver_missing"}, {"module": err.module}
    except DatabaseUrlError as err:
        return {CONF_DB_URL: "invalid_db_url"}, {"error": str(err)}
    except DatabaseConnectionError as err:
        return {CONF_DB_URL: "db_cannot_connect"}, {"error": str(err)}
    except DatabaseError as err:
        return {CONF_DB_URL: "db_unknown"}, {"error": str(err)}
    await hass.async_add_executor_job(database.close)
    return {}, {}


def _db_url_schema(default: str) -> vol.Schema:
    return vol.Schema(
        {
            vol.Optional(CONF_DB_URL, default=default): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            )
        }
    )


class HomeMinerManagerConfigFlow(DiscoveryMixin, ConfigFlow, domain=DOMAIN):
    """Set up the hub: where telemetry is stored."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
        # Imported here: options_flow imports this module's helpers.
        from .options.flow import HubOptionsFlow  # noqa: PLC0415

        return HubOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Miners, pools and automation rules are subentries of the hub."""
        return {
            SUBENTRY_MINER: MinerSubentryFlow,
            SUBENTRY_POOL: PoolSubentryFlow,
            SUBENTRY_RULE: RuleSubentryFlow,
        }

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for an optional database URL and check that it works."""
        if self._async_current_entries(include_ignore=False):
            return self.async_abort(reason="single_instance_allowed")
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"error": "", "module": ""}
        db_url = ""
        if user_input is not None:
            db_url = user_input.get(CONF_DB_URL, "").strip()
            errors, found = await async_validate_db_url(self.hass, db_url)
            placeholders.update(found)
            if not errors:
                return self.async_create_entry(title=TITLE, data={CONF_DB_URL: db_url})
            LOGGER.debug("Database check failed: %s", placeholders["error"])
        return self.async_show_form(
            step_id="user",
            # What the user typed comes back as typed (password included) so
            # one typo is fixed without retyping the whole URL.
            data_schema=_db_url_schema(db_url),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle a Bitaxe or NerdQAxe that joined the network."""
        host, mac = discovery_info.ip, discovery_info.macaddress
        if (result := self.async_check_dhcp_miner(host, mac)) is not None:
            return result
        await self.async_set_unique_id(dhcp_unique_id(mac))
        self._abort_if_unique_id_configured()
        return await self.async_discovered_miner(host, discovery_info.hostname)

    async def async_step_integration_discovery(
        self, discovery_info: DiscoveryInfoType
    ) -> ConfigFlowResult:
        """Handle an NMMiner heard broadcasting by the hub's UDP listener."""
        host = str(discovery_info[CONF_HOST])
        if (result := self.async_check_nmminer(host)) is not None:
            return result
        await self.async_set_unique_id(offer_unique_id(host))
        self._abort_if_unique_id_configured()
        return await self.async_discovered_nmminer(host)

    def _loaded_hub(self) -> ConfigEntry | None:
        for entry in self._async_current_entries(include_ignore=False):
            if entry.state is ConfigEntryState.LOADED:
                return entry
        return None
