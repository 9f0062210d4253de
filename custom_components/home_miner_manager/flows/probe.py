"""Connect to a miner before it is added: type, identity, errors as form keys.

Auto-detect runs the HTTP and cgminer probes side by side
(:func:`.devices.factory.detect_miner`). A refused connection is an answer:
nothing listens there, and the flow says so at once. Only when nothing answered
at all (every probe timed out) may the address still be a broadcast-only
NMMiner that is just booting, and only then is its UDP telemetry awaited
(``const.NMMINER_DISCOVERY_WAIT_S``); a datagram the hub already heard from
the address counts at once in every case. Errors become the translation keys
of the one table in :mod:`.errors`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import time
from typing import TYPE_CHECKING

from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .. import const
from ..const import LOGGER
from ..devices import create_driver, detect_miner
from ..devices.exceptions import (
    MinerAuthError,
    MinerConnectionError,
    MinerError,
    MinerTimeoutError,
    MinerUnsupportedError,
)
from ..devices.nmminer import BROADCAST_MAX_AGE_S
from ..devices.types import MinerType
from ..errors import error_key

if TYPE_CHECKING:
    import aiohttp
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry
    from ..devices.nmminer_listener import NMMinerListener
    from ..devices.snapshot import MinerSnapshot


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

    See :func:`probe_miner`; this binds Home Assistant's shared session and
    the hub's NMMiner listener.
    """
    return await probe_miner(
        async_get_clientsession(hass),
        entry.runtime_data.nmminer_listener,
        miner_type,
        host,
        port,
        web_password=web_password,
        wait_for_broadcast=wait_for_broadcast,
    )


async def probe_miner(
    session: aiohttp.ClientSession,
    listener: NMMinerListener | None,
    miner_type: MinerType | None,
    host: str,
    port: int | None,
    *,
    web_password: str | None = None,
    wait_for_broadcast: bool = True,
) -> ProbeResult:
    """Find out what answers at ``host``; ``miner_type`` None means auto-detect.

    Where no miner answers, a fresh datagram the ``listener`` holds from
    ``host`` makes it a broadcast-only NMMiner. With ``wait_for_broadcast``
    (always for a chosen NMMiner) and only if nothing answered in time, the
    datagram is also awaited for a few seconds. A NerdQAxe with OTP on is
    accepted (reads work; the coordinator raises a repair issue); only a
    device refusing the read itself is an error.
    """
    if miner_type is None:
        try:
            found_type, snapshot = await detect_miner(host, port, session=session)
        except MinerError as err:
            if isinstance(err, MinerConnectionError | MinerUnsupportedError) and (
                broadcast := await _async_broadcast(
                    listener, host, wait=wait_for_broadcast and _silent(err)
                )
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
            and (broadcast := await _async_broadcast(listener, host, wait=_silent(err)))
        ):
            return ProbeResult(MinerType.NMMINER, broadcast, broadcast=True)
        raise ProbeError(error_key(err)) from err
    return ProbeResult(miner_type, snapshot)


def _silent(err: MinerError) -> bool:
    """Nothing answered in time (not even a refusal): the host may be booting."""
    return isinstance(err, MinerTimeoutError)


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
        raise ProbeError(error_key(MinerConnectionError(host)))
    return ProbeResult(MinerType.NMMINER, latest[0], broadcast=True)


async def _async_broadcast(
    listener: NMMinerListener | None, host: str, *, wait: bool
) -> MinerSnapshot | None:
    """Return a fresh datagram from ``host``; with ``wait``, await one briefly.

    Uses the hub's listener; without it (the UDP port is taken) there is none.
    """
    if listener is None:
        return None
    latest = listener.latest(host)
    if latest is not None and time.monotonic() - latest[1] <= BROADCAST_MAX_AGE_S:
        return latest[0]
    if not wait:
        return None
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
