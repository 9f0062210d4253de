"""Connect to a miner before it is added: type, identity, errors as form keys."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.helpers.aiohttp_client import async_get_clientsession

from . import const
from .const import LOGGER
from .devices import create_driver, detect_miner
from .devices.exceptions import (
    MinerAuthError,
    MinerConnectionError,
    MinerError,
    MinerNetworkRangeError,
    MinerOTPRequiredError,
    MinerUnsupportedError,
)
from .devices.types import MinerType

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .data import HMMConfigEntry
    from .devices.snapshot import MinerSnapshot


class ProbeError(Exception):
    """The miner could not be added; ``key`` is the translated form error."""

    def __init__(self, key: str) -> None:
        """Keep the form error key."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What answered at the address."""

    miner_type: MinerType
    snapshot: MinerSnapshot
    broadcast: bool = False

    @property
    def unique_id(self) -> str | None:
        """Return the subentry unique_id: the snapshot's identity.

        MAC, else serial, else a non-factory hostname; None (use the subentry
        id) for a miner with none of these, e.g. AxeOS < v2.3 still called
        "bitaxe" (:attr:`MinerSnapshot.identity`).
        """
        return self.snapshot.identity


def error_key(err: BaseException) -> str:
    """Map a driver exception to a form error key."""
    if isinstance(err, MinerNetworkRangeError):
        return "network_range"
    if isinstance(err, MinerOTPRequiredError):
        return "otp_required"
    if isinstance(err, MinerAuthError):
        return "invalid_auth"
    if isinstance(err, MinerUnsupportedError):
        return "unsupported_device"
    if isinstance(err, MinerConnectionError):
        return "cannot_connect"
    return "unknown"


async def async_probe(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    miner_type: MinerType | None,
    host: str,
    port: int | None,
    *,
    web_password: str | None = None,
    wait_for_broadcast: bool = True,
) -> ProbeResult:
    """Find out what answers at ``host``; ``miner_type`` None means auto-detect.

    With ``wait_for_broadcast``, an address where nothing answers may still be
    a broadcast-only NMMiner: listen for its UDP telemetry for a few seconds.
    A NerdQAxe with OTP on is accepted (reads work; the coordinator raises a
    repair issue); only a device refusing the read itself is an error.
    """
    session = async_get_clientsession(hass)
    if miner_type is None:
        try:
            found_type, snapshot = await detect_miner(host, port, session=session)
        except MinerError as err:
            if not isinstance(err, MinerConnectionError):
                raise ProbeError(error_key(err)) from err
            if (
                wait_for_broadcast
                and (broadcast := await _async_wait_for_broadcast(entry, host))
                is not None
            ):
                return ProbeResult(MinerType.NMMINER, broadcast, broadcast=True)
            raise ProbeError(error_key(err)) from err
        return ProbeResult(MinerType(found_type), snapshot)

    # Detection tells a Bitaxe from a NerdQAxe from an Avalon; the typed driver
    # only runs when nothing recognisable answered, for a precise error.
    try:
        found_type, snapshot = await detect_miner(host, port, session=session)
    except MinerAuthError as err:
        if miner_type in (MinerType.BITAXE, MinerType.NERDQAXE):
            # The AxeOS 401 came from the very endpoint the driver would read.
            raise ProbeError(error_key(err)) from err
    except MinerError:
        pass
    else:
        if found_type != miner_type:
            raise ProbeError("wrong_type")
        return ProbeResult(miner_type, snapshot)
    driver = create_driver(
        miner_type, host, port, session=session, web_password=web_password
    )
    try:
        snapshot = await driver.fetch()
    except MinerError as err:
        if (
            miner_type is MinerType.NMMINER
            and isinstance(err, MinerConnectionError)
            and (broadcast := await _async_wait_for_broadcast(entry, host)) is not None
        ):
            return ProbeResult(MinerType.NMMINER, broadcast, broadcast=True)
        raise ProbeError(error_key(err)) from err
    return ProbeResult(miner_type, snapshot)


async def async_probe_heard_nmminer(
    hass: HomeAssistant, entry: HMMConfigEntry, host: str, port: int | None
) -> ProbeResult:
    """Probe an NMMiner the hub heard broadcasting.

    HTTP mode if it also answers the v2 API (it can then be controlled), else
    broadcast mode from the datagram the listener keeps.
    """
    try:
        found_type, snapshot = await detect_miner(
            host, port, session=async_get_clientsession(hass)
        )
    except MinerError as err:
        LOGGER.debug("NMMiner at %s has no HTTP API (%s); broadcast mode", host, err)
    else:
        if found_type is not MinerType.NMMINER:
            # The datagram named the address of another kind of device.
            raise ProbeError("wrong_type")
        return ProbeResult(MinerType.NMMINER, snapshot)
    listener = entry.runtime_data.nmminer_listener
    latest = listener.latest(host) if listener is not None else None
    if latest is None:
        raise ProbeError("cannot_connect")
    return ProbeResult(MinerType.NMMINER, latest[0], broadcast=True)


async def _async_wait_for_broadcast(
    entry: HMMConfigEntry, host: str
) -> MinerSnapshot | None:
    """Wait briefly for a UDP broadcast from an NMMiner without an HTTP API.

    Uses the hub's listener; without it (the UDP port is taken) there is none.
    """
    listener = entry.runtime_data.nmminer_listener
    if listener is None:
        return None
    if (latest := listener.latest(host)) is not None:
        return latest[0]
    arrived: asyncio.Future[MinerSnapshot] = asyncio.get_running_loop().create_future()

    def _on_datagram(snapshot: MinerSnapshot) -> None:
        if not arrived.done():
            arrived.set_result(snapshot)

    unsubscribe = listener.subscribe(host, _on_datagram)
    try:
        async with asyncio.timeout(const.NMMINER_DISCOVERY_WAIT_S):
            return await arrived
    except TimeoutError:
        return None
    finally:
        unsubscribe()
