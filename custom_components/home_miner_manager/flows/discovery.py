"""Discovered miners, added as subentries of the hub once the user confirms.

Two sources: DHCP (Bitaxe / NerdQAxe joining the network) and the hub's NMMiner
UDP listener (an NMMiner heard broadcasting). Home Assistant 2026.2 cannot
start a *subentry* flow from discovery, so the hub's config flow receives the
event and, once the user confirms, adds a miner subentry to the existing hub
entry itself. Both sources share the confirm-and-add step.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    ConfigSubentry,
)
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import TextSelector
import voluptuous as vol

from .. import const
from ..const import (
    CONF_ENABLED,
    CONF_HOST,
    CONF_MINER_TYPE,
    CONF_NAME,
    CONF_NMMINER_BROADCAST,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    SUBENTRY_MINER,
)
from ..devices.snapshot import is_factory_hostname
from ..devices.types import MinerType
from ..miner.nmminer_discovery import host_configured, offer_unique_id
from .probe import ProbeError, ProbeResult, async_probe, async_probe_heard_nmminer

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlow
    from homeassistant.core import HomeAssistant

    _Base = ConfigFlow
else:
    _Base = object

DISCOVERABLE = (MinerType.BITAXE, MinerType.NERDQAXE)
SOURCE_DHCP_AUDIT = "dhcp"
SOURCE_NMMINER_AUDIT = "nmminer_broadcast"


def _offered_name(probe: ProbeResult, hostname: str, host: str) -> str:
    """Name a discovered miner; factory hostnames ("bitaxe") say too little."""
    name = probe.snapshot.hostname or hostname
    if not name or is_factory_hostname(name):
        return f"{probe.snapshot.model or probe.miner_type.value} {host}"
    return name


def dhcp_unique_id(mac: str) -> str:
    """Return the discovery flow's unique id of a miner seen by DHCP."""
    return f"mac:{format_mac(mac).lower()}"


@callback
def async_withdraw_offers(
    hass: HomeAssistant, host: str, unique_id: str | None
) -> None:
    """Abort discovery offers for a miner that was just added another way."""
    wanted = {offer_unique_id(host), unique_id} - {None}
    for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN):
        if flow["context"].get("unique_id") in wanted:
            hass.config_entries.flow.async_abort(flow["flow_id"])


class DiscoveryMixin(_Base):
    """Discovery steps of the hub config flow."""

    _discovered: ProbeResult | None = None
    _discovered_host: str = ""
    _discovered_port: int | None = None
    _discovered_name: str = ""
    _discovered_via: str = SOURCE_DHCP_AUDIT

    def _loaded_hub(self) -> ConfigEntry | None:
        raise NotImplementedError

    @callback
    def async_check_dhcp_miner(self, host: str, mac: str) -> ConfigFlowResult | None:
        """Abort for a miner already added (following its new address) or no hub.

        The flow's unique id is set afterwards, in ``config_flow.py``.
        """
        hub = self._loaded_hub()
        if hub is None:
            return self.async_abort(reason="hub_not_loaded")
        if (known := self._known_miner(hub, dhcp_unique_id(mac))) is not None:
            if known.data.get(CONF_HOST) != host:
                # The miner got a new address: follow it (the hub's update
                # listener rebuilds just that miner's driver).
                self.hass.config_entries.async_update_subentry(
                    hub, known, data={**known.data, CONF_HOST: host}
                )
            return self.async_abort(reason="already_configured")
        return None

    async def async_discovered_miner(
        self, host: str, hostname: str
    ) -> ConfigFlowResult:
        """Probe a miner seen on the network (DHCP) and offer it."""
        hub = self._loaded_hub()
        if hub is None:
            return self.async_abort(reason="hub_not_loaded")
        try:
            probe = await async_probe(
                self.hass,
                hub,
                None,
                host,
                const.DISCOVERY_PROBE_PORT,
                wait_for_broadcast=False,
            )
        except ProbeError:
            return self.async_abort(reason="cannot_connect")
        if probe.miner_type not in DISCOVERABLE:
            return self.async_abort(reason="not_supported")
        return await self._async_offer(
            hub,
            probe,
            host=host,
            port=const.DISCOVERY_PROBE_PORT,
            name=_offered_name(probe, hostname, host),
            via=SOURCE_DHCP_AUDIT,
        )

    @callback
    def async_check_nmminer(self, host: str) -> ConfigFlowResult | None:
        """Abort for an NMMiner already added, or when the hub is not loaded."""
        hub = self._loaded_hub()
        if hub is None:
            return self.async_abort(reason="hub_not_loaded")
        if host_configured(hub, host):
            return self.async_abort(reason="already_configured")
        return None

    async def async_discovered_nmminer(self, host: str) -> ConfigFlowResult:
        """Probe an NMMiner whose UDP broadcast the hub heard and offer it."""
        hub = self._loaded_hub()
        if hub is None:
            return self.async_abort(reason="hub_not_loaded")
        try:
            probe = await async_probe_heard_nmminer(
                self.hass, hub, host, const.DISCOVERY_PROBE_PORT
            )
        except ProbeError as err:
            reason = "not_supported" if err.key == "wrong_type" else "cannot_connect"
            return self.async_abort(reason=reason)
        return await self._async_offer(
            hub,
            probe,
            host=host,
            port=None if probe.broadcast else const.DISCOVERY_PROBE_PORT,
            name=probe.snapshot.hostname or f"NMMiner {host}",
            via=SOURCE_NMMINER_AUDIT,
        )

    async def _async_offer(
        self,
        hub: ConfigEntry,
        probe: ProbeResult,
        *,
        host: str,
        port: int | None,
        name: str,
        via: str,
    ) -> ConfigFlowResult:
        """Remember what was found and ask the user to confirm."""
        if self._already_added(hub, probe, host):
            return self.async_abort(reason="already_configured")
        self._discovered = probe
        self._discovered_host = host
        self._discovered_port = port
        self._discovered_name = name
        self._discovered_via = via
        self.context["title_placeholders"] = {"name": name}
        return await self.async_step_discovery_confirm()

    @staticmethod
    def _known_miner(hub: ConfigEntry, identity: str) -> ConfigSubentry | None:
        for subentry in hub.subentries.values():
            if (
                subentry.subentry_type == SUBENTRY_MINER
                and subentry.unique_id == identity
            ):
                return subentry
        return None

    def _already_added(self, hub: ConfigEntry, probe: ProbeResult, host: str) -> bool:
        """Return True if this device (or, lacking an identity, address) is added."""
        if probe.unique_id is not None:
            return self._known_miner(hub, probe.unique_id) is not None
        return host_configured(hub, host)

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user name the discovered miner and confirm adding it."""
        probe = self._discovered
        hub = self._loaded_hub()
        if probe is None or hub is None:
            return self.async_abort(reason="hub_not_loaded")
        if user_input is None:
            return self.async_show_form(
                step_id="discovery_confirm",
                data_schema=vol.Schema(
                    {
                        vol.Required(
                            CONF_NAME, default=self._discovered_name
                        ): TextSelector()
                    }
                ),
                description_placeholders={
                    "name": self._discovered_name,
                    "host": self._discovered_host,
                    "model": probe.snapshot.model or probe.miner_type.value,
                },
            )
        # Added by another way while the form was open?
        if self._already_added(hub, probe, self._discovered_host):
            return self.async_abort(reason="already_configured")
        name = str(user_input[CONF_NAME]).strip() or self._discovered_name
        data: dict[str, Any] = {
            CONF_NAME: name,
            CONF_MINER_TYPE: probe.miner_type.value,
            CONF_HOST: self._discovered_host,
            CONF_SCAN_INTERVAL: int(DEFAULT_SCAN_INTERVAL.total_seconds()),
            CONF_ENABLED: True,
        }
        if self._discovered_port is not None:
            data[CONF_PORT] = self._discovered_port
        if probe.broadcast:
            data[CONF_NMMINER_BROADCAST] = True
        subentry = ConfigSubentry(
            data=MappingProxyType(data),
            subentry_type=SUBENTRY_MINER,
            title=name,
            unique_id=probe.unique_id,
        )
        # The hub writes the miner's row and audits it (noting how it was
        # found) when it sees the new subentry.
        hub.runtime_data.added_via[subentry.subentry_id] = self._discovered_via
        self.hass.config_entries.async_add_subentry(hub, subentry)
        return self.async_abort(reason="miner_added")
