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
from homeassistant.core import callback

from .const import (
    CONF_DB_URL,
    CONF_HOST,
    CONF_NAME,
    DOMAIN,
    LOGGER,
    SUBENTRY_MINER,
    SUBENTRY_POOL,
    SUBENTRY_RULE,
)
from .flows import discovery
from .flows.hub_form import async_validate_db_url, db_url_schema
from .flows.miner import MinerSubentryFlow
from .flows.pool import PoolSubentryFlow
from .flows.rule import RuleSubentryFlow
from .miner.nmminer_discovery import host_configured, offer_unique_id
from .options.flow import HubOptionsFlow

if TYPE_CHECKING:
    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
    from homeassistant.helpers.typing import DiscoveryInfoType

    from .data import HMMConfigEntry

TITLE = "Home Miner Manager"


class HomeMinerManagerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up the hub (where telemetry is stored); offer discovered miners."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Start with nothing discovered."""
        self._offer: discovery.Offer | None = None

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow."""
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
            data_schema=db_url_schema(db_url),
            errors=errors,
            description_placeholders=placeholders,
        )

    # -- discovered miners: added to the loaded hub once confirmed -------------

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle a Bitaxe or NerdQAxe that joined the network."""
        host, mac = discovery_info.ip, discovery_info.macaddress
        if (hub := self._loaded_hub()) is None:
            return self.async_abort(reason="hub_not_loaded")
        if discovery.async_follow_dhcp_miner(self.hass, hub, host, mac):
            return self.async_abort(reason="already_configured")
        await self.async_set_unique_id(discovery.dhcp_unique_id(mac))
        self._abort_if_unique_id_configured()
        found = await discovery.async_probe_dhcp(
            self.hass, hub, host, discovery_info.hostname
        )
        return await self._async_offer(found)

    async def async_step_integration_discovery(
        self, discovery_info: DiscoveryInfoType
    ) -> ConfigFlowResult:
        """Handle an NMMiner heard broadcasting by the hub's UDP listener."""
        host = str(discovery_info[CONF_HOST])
        if (hub := self._loaded_hub()) is None:
            return self.async_abort(reason="hub_not_loaded")
        if host_configured(hub, host):
            return self.async_abort(reason="already_configured")
        await self.async_set_unique_id(offer_unique_id(host))
        self._abort_if_unique_id_configured()
        found = await discovery.async_probe_nmminer(self.hass, hub, host)
        return await self._async_offer(found)

    async def _async_offer(self, found: discovery.Offer | str) -> ConfigFlowResult:
        """Ask the user to confirm what was found, or abort saying why not."""
        if isinstance(found, str):
            return self.async_abort(reason=found)
        self._offer = found
        self.context["title_placeholders"] = {"name": found.name}
        return await self.async_step_discovery_confirm()

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user name the discovered miner and confirm adding it."""
        offer, hub = self._offer, self._loaded_hub()
        if offer is None or hub is None:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is None:
            schema, placeholders = discovery.confirm_form(offer)
            return self.async_show_form(
                step_id="discovery_confirm",
                data_schema=schema,
                description_placeholders=placeholders,
            )
        # Added by another way while the form was open?
        if discovery.already_added(hub, offer):
            return self.async_abort(reason="already_configured")
        name = str(user_input[CONF_NAME]).strip() or offer.name
        discovery.async_add_miner(self.hass, hub, offer, name)
        return self.async_abort(reason="miner_added")

    def _loaded_hub(self) -> HMMConfigEntry | None:
        for entry in self._async_current_entries(include_ignore=False):
            if entry.state is ConfigEntryState.LOADED:
                hub: HMMConfigEntry = entry
                return hub
        return None
