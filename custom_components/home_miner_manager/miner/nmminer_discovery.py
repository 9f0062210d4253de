"""The hub's NMMiner UDP listener, and discovery of the NMMiners it hears.

The listener runs while the hub is loaded: broadcast-mode NMMiners are read
from it, and a datagram from an address that is no configured miner offers
that NMMiner for one-click adding (an ``integration_discovery`` flow of the
hub, confirmed like a DHCP discovery).
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import SOURCE_INTEGRATION_DISCOVERY
from homeassistant.core import callback
from homeassistant.helpers import discovery_flow
from homeassistant.util.hass_dict import HassKey

from .. import const
from ..const import CONF_HOST, DOMAIN, LOGGER, SUBENTRY_MINER
from ..devices import NMMinerListener

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from ..devices.snapshot import MinerSnapshot
    from .runtime import MinerServices

# Set once the bind failure was logged at warning (later ones at debug).
_BIND_WARNED: HassKey[bool] = HassKey(f"{DOMAIN}_nmminer_bind_warned")
# At most this many addresses are offered per retry period: a flood of
# datagrams naming made-up IPs must not become a flood of flows and probes.
MAX_OFFERS: Final = 64


def offer_unique_id(host: str) -> str:
    """Return the discovery flow's unique ID for an NMMiner heard at ``host``.

    Per address: a broadcast-only NMMiner has no other identity. The user's
    "Ignore" is remembered under this ID.
    """
    return f"nmminer:{host}"


def host_configured(entry: ConfigEntry, host: str) -> bool:
    """Return True if a miner subentry of ``entry`` is reached at ``host``."""
    return any(
        subentry.subentry_type == SUBENTRY_MINER
        and subentry.data.get(CONF_HOST) == host
        for subentry in entry.subentries.values()
    )


async def async_start_listener(
    hass: HomeAssistant, entry: ConfigEntry[Any], hub: MinerServices
) -> NMMinerListener | None:
    """Bind the hub's UDP listener unless it runs; None if the port is taken.

    Called at setup and on every subentry change (a retry after a failure).
    The listener is kept in ``hub``; ``entry``'s unknown NMMiners are offered.
    """
    if hub.nmminer_listener is not None:
        return hub.nmminer_listener
    listener = NMMinerListener()
    try:
        await listener.start(const.NMMINER_LISTEN_HOST, const.NMMINER_LISTEN_PORT)
    except OSError as err:
        # Something else may own the port (e.g. NMController); that only
        # costs broadcast-mode NMMiners and their discovery.
        log = LOGGER.debug if hass.data.get(_BIND_WARNED) else LOGGER.warning
        hass.data[_BIND_WARNED] = True
        log(
            "Cannot listen for NMMiner broadcasts on UDP port %s (%s); "
            "broadcast-only NMMiners can be neither read nor discovered",
            const.NMMINER_LISTEN_PORT,
            err,
        )
        return None
    hub.nmminer_listener = listener
    listener.subscribe_all(NMMinerDiscovery(hass, entry).async_on_datagram)
    return listener


def stop_listener(hub: MinerServices) -> None:
    """Close the hub's UDP socket (subscriptions go with it)."""
    if hub.nmminer_listener is not None:
        hub.nmminer_listener.stop()
        hub.nmminer_listener = None


def _discoverable(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False  # the datagram's ``ip`` field is free text
    # Broadcasts never leave the LAN: a public address is a made-up one, and
    # the flow would probe it.
    return address.is_private and not (address.is_unspecified or address.is_multicast)


class NMMinerDiscovery:
    """Offers each unknown broadcasting NMMiner, at most once per retry period."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Watch datagrams for ``entry``'s listener."""
        self._hass = hass
        self._entry = entry
        self._offered: dict[str, float] = {}

    @callback
    def async_on_datagram(self, ip: str, snapshot: MinerSnapshot) -> None:
        """Start a discovery flow for an IP heard for the first time (in a while)."""
        now = time.monotonic()
        last = self._offered.get(ip)
        # Datagrams come every 2-5 s per miner: look at each IP rarely.
        if last is not None and now - last < const.NMMINER_DISCOVERY_RETRY_S:
            return
        if not _discoverable(ip) or host_configured(self._entry, ip):
            return
        if ip not in self._offered and len(self._offered) >= MAX_OFFERS:
            self._offered = {
                known: when
                for known, when in self._offered.items()
                if now - when < const.NMMINER_DISCOVERY_RETRY_S
            }
            if len(self._offered) >= MAX_OFFERS:
                return
        self._offered[ip] = now
        # Flows already in progress (or ignored by the user) for this IP are
        # not started again: see the flow's unique ID.
        discovery_flow.async_create_flow(
            self._hass,
            DOMAIN,
            context={"source": SOURCE_INTEGRATION_DISCOVERY},
            data={CONF_HOST: ip},
        )
