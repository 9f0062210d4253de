"""Discovered miners, added as subentries of the hub once the user confirms.

Two sources: DHCP (Bitaxe / NerdQAxe joining the network) and the hub's NMMiner
UDP listener (an NMMiner heard broadcasting). Home Assistant 2026.2 cannot
start a *subentry* flow from discovery, so the hub's config flow
(``config_flow.py``) receives the event and, once the user confirms, adds a
miner subentry to the existing hub entry itself. These functions do the
probing, checking and adding; the flow holds the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigSubentry
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
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry

DISCOVERABLE = (MinerType.BITAXE, MinerType.NERDQAXE)
SOURCE_DHCP_AUDIT = "dhcp"
SOURCE_NMMINER_AUDIT = "nmminer_broadcast"


@dataclass(frozen=True, slots=True)
class Offer:
    """A miner found on the network, waiting for the user to confirm it."""

    probe: ProbeResult
    host: str
    port: int | None  # None: an NMMiner heard broadcasting (no HTTP port)
    name: str
    via: str  # how it was found, for its "added" audit row


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


def _known_miner(hub: HMMConfigEntry, identity: str) -> ConfigSubentry | None:
    for subentry in hub.subentries.values():
        if subentry.subentry_type == SUBENTRY_MINER and subentry.unique_id == identity:
            return subentry
    return None


def already_added(hub: HMMConfigEntry, offer: Offer) -> bool:
    """Return True if this device (or, lacking an identity, address) is added."""
    if offer.probe.unique_id is not None:
        return _known_miner(hub, offer.probe.unique_id) is not None
    return host_configured(hub, offer.host)


@callback
def async_follow_dhcp_miner(
    hass: HomeAssistant, hub: HMMConfigEntry, host: str, mac: str
) -> bool:
    """Return True for a miner already added, following it to its new address."""
    if (known := _known_miner(hub, dhcp_unique_id(mac))) is None:
        return False
    if known.data.get(CONF_HOST) != host:
        # The hub's update listener rebuilds just that miner's driver.
        hass.config_entries.async_update_subentry(
            hub, known, data={**known.data, CONF_HOST: host}
        )
    return True


async def async_probe_dhcp(
    hass: HomeAssistant, hub: HMMConfigEntry, host: str, hostname: str
) -> Offer | str:
    """Probe a miner seen on the network (DHCP): an offer, or why not."""
    try:
        probe = await async_probe(
            hass, hub, None, host, const.DISCOVERY_PROBE_PORT, wait_for_broadcast=False
        )
    except ProbeError:
        return "cannot_connect"
    if probe.miner_type not in DISCOVERABLE:
        return "not_supported"
    return _offer(
        hub,
        Offer(
            probe,
            host,
            const.DISCOVERY_PROBE_PORT,
            _offered_name(probe, hostname, host),
            SOURCE_DHCP_AUDIT,
        ),
    )


async def async_probe_nmminer(
    hass: HomeAssistant, hub: HMMConfigEntry, host: str
) -> Offer | str:
    """Probe an NMMiner whose UDP broadcast the hub heard: an offer, or why not."""
    try:
        probe = await async_probe_heard_nmminer(
            hass, hub, host, const.DISCOVERY_PROBE_PORT
        )
    except ProbeError as err:
        return "not_supported" if err.key == "wrong_type" else "cannot_connect"
    return _offer(
        hub,
        Offer(
            probe,
            host,
            None if probe.broadcast else const.DISCOVERY_PROBE_PORT,
            probe.snapshot.hostname or f"NMMiner {host}",
            SOURCE_NMMINER_AUDIT,
        ),
    )


def _offer(hub: HMMConfigEntry, offer: Offer) -> Offer | str:
    return "already_configured" if already_added(hub, offer) else offer


def confirm_form(offer: Offer) -> tuple[vol.Schema, dict[str, str]]:
    """Return the confirm form (the offered name) and its placeholders."""
    schema = vol.Schema({vol.Required(CONF_NAME, default=offer.name): TextSelector()})
    return schema, {
        "name": offer.name,
        "host": offer.host,
        "model": offer.probe.snapshot.model or offer.probe.miner_type.value,
    }


@callback
def async_add_miner(
    hass: HomeAssistant, hub: HMMConfigEntry, offer: Offer, name: str
) -> None:
    """Add the confirmed miner as a subentry of the hub."""
    data: dict[str, Any] = {
        CONF_NAME: name,
        CONF_MINER_TYPE: offer.probe.miner_type.value,
        CONF_HOST: offer.host,
        CONF_SCAN_INTERVAL: int(DEFAULT_SCAN_INTERVAL.total_seconds()),
        CONF_ENABLED: True,
    }
    if offer.port is not None:
        data[CONF_PORT] = offer.port
    if offer.probe.broadcast:
        data[CONF_NMMINER_BROADCAST] = True
    subentry = ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type=SUBENTRY_MINER,
        title=name,
        unique_id=offer.probe.unique_id,
    )
    # The hub writes the miner's row and audits it (noting how it was
    # found) when it sees the new subentry.
    hub.runtime_data.added_via[subentry.subentry_id] = offer.via
    hass.config_entries.async_add_subentry(hub, subentry)
