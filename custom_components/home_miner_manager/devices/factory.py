"""Build drivers by miner type, and detect what answers at an address."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .avalon_stats import first_section, parse_avalon
from .axeos import AxeOSDriver
from .axeos_info import parse_axeos_info
from .cgminer import CGMINER_PORT, AvalonNanoDriver, CgminerClient
from .exceptions import (
    MinerAuthError,
    MinerConnectionError,
    MinerError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
)
from .http import HttpTransport, base_url
from .modes import fallback_table
from .nmminer import NMMinerDriver, NMMinerListener
from .nmminer_telemetry import parse_nmminer_info
from .parsing import as_text, decode_json_object
from .types import MinerType

if TYPE_CHECKING:
    import aiohttp

    from .base import MinerDriver
    from .snapshot import MinerSnapshot


def create_driver(
    miner_type: MinerType | str,
    host: str,
    port: int | None = None,
    *,
    session: aiohttp.ClientSession | None = None,
    web_password: str | None = None,
    nmminer_listener: NMMinerListener | None = None,
    timeout: float = 10.0,
    keep_alive: bool = True,
) -> MinerDriver:
    """Return the driver for ``miner_type`` (no I/O).

    Without ``session`` an HTTP driver owns one kept-alive connection to the
    miner (see :mod:`.http`); close it with the driver's ``close()``.
    """
    try:
        kind = MinerType(miner_type)
    except ValueError as err:
        raise MinerUnsupportedError(f"unknown miner type {miner_type!r}") from err
    if kind in (MinerType.BITAXE, MinerType.NERDQAXE):
        return AxeOSDriver(
            host,
            port,
            session=session,
            miner_type=kind,
            timeout=timeout,
            keep_alive=keep_alive,
        )
    if kind is MinerType.AVALON_NANO:
        return AvalonNanoDriver(host, port, web_password=web_password, timeout=timeout)
    return NMMinerDriver(
        host,
        port,
        session=session,
        listener=nmminer_listener,
        timeout=timeout,
        keep_alive=keep_alive,
    )


def classify_axeos_info(info: dict[str, Any]) -> MinerType | None:
    """Tell AxeOS, NerdQAxe and NMMiner v2 apart by their info object."""
    if type(info.get("identity")) is dict and type(info.get("miner")) is dict:
        return MinerType.NMMINER
    if "deviceModel" in info or "otp" in info or type(info.get("stratum")) is dict:
        return MinerType.NERDQAXE
    if "ASICModel" in info:
        return MinerType.BITAXE
    return None


# The protocols detect_miner tries, in order of preference.
PROBE_ORDER: tuple[str, ...] = ("http", "cgminer")


async def detect_miner(
    host: str,
    port: int | None,
    *,
    session: aiohttp.ClientSession,
    timeout: float = 5.0,  # noqa: ASYNC109 (per-request budget, not a deadline)
) -> tuple[MinerType, MinerSnapshot]:
    """Probe HTTP ``/api/system/info`` and cgminer ``version`` side by side.

    ``port`` None probes HTTP on 80 and cgminer on 4028; a given port is probed
    with both protocols. The probes run concurrently; when both recognise a
    miner, the HTTP answer wins whichever came first (preference order
    :data:`PROBE_ORDER`), so the result does not depend on timing.

    A refused connection is an answer, as fast as the network: detection then
    takes milliseconds, not ``timeout``. When no probe succeeds, raises the
    :class:`MinerAuthError` subclass a probe saw (AxeOS 401: network range or
    OTP), else :class:`MinerUnsupportedError` when something answers that is
    not a known miner, else :class:`MinerTimeoutError` when every probe timed
    out (nothing answered at all), else :class:`MinerConnectionError`.
    """
    probes = {
        "http": _probe_http(host, port or 80, session, timeout),
        "cgminer": _probe_cgminer(host, port or CGMINER_PORT, timeout),
    }
    tasks = [asyncio.ensure_future(probes[name]) for name in PROBE_ORDER]
    errors: list[MinerError] = []
    try:
        # Awaited in preference order: a later probe's success is used once
        # every earlier one has failed (a refusal fails at once; a silent port
        # after ``timeout``). Each probe has started already, so the total is
        # the slowest needed probe, not their sum.
        for task in tasks:
            try:
                return await task
            except MinerError as err:
                errors.append(err)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    raise detection_error(host, errors)


def detection_error(host: str, errors: list[MinerError]) -> MinerError:
    """Return the one error to report when every probe failed (see detect_miner)."""
    # An AxeOS 401 (network range, OTP) names the device and the fix; it wins
    # over the other protocol's "not mine" or "nothing here".
    for wanted in (MinerAuthError, MinerUnsupportedError):
        for seen in errors:
            if isinstance(seen, wanted):
                return seen
    result: MinerError
    if errors and all(isinstance(seen, MinerTimeoutError) for seen in errors):
        result = MinerTimeoutError(f"nothing answered at {host} in time")
    else:
        result = MinerConnectionError(f"no miner answered at {host}")
    result.__cause__ = errors[0] if errors else None
    return result


async def _probe_http(
    host: str, port: int, session: aiohttp.ClientSession, timeout_s: float
) -> tuple[MinerType, MinerSnapshot]:
    http = HttpTransport(session, timeout_s)
    try:
        body = await http.request(
            "GET", base_url(host, port).with_path("/api/system/info")
        )
        info = decode_json_object(body or b"")
    except MinerResponseError as err:
        raise MinerUnsupportedError(
            f"{host}:{port} answers HTTP but is no known miner"
        ) from err
    kind = classify_axeos_info(info)
    if kind is None:
        raise MinerUnsupportedError(f"{host}:{port} answers HTTP but is no known miner")
    if kind is MinerType.NMMINER:
        return kind, parse_nmminer_info(info)
    table = fallback_table(
        as_text(info.get("ASICModel"), 32),
        as_text(info.get("deviceModel"), 64),
        as_text(info.get("boardVersion"), 16),
    )
    return kind, parse_axeos_info(info, kind, table)


async def _probe_cgminer(
    host: str, port: int, timeout_s: float
) -> tuple[MinerType, MinerSnapshot]:
    client = CgminerClient(host, port, timeout=timeout_s)
    try:
        version = await client.command("version")
    except MinerResponseError as err:
        raise MinerUnsupportedError(f"{host}:{port} answers but is no cgminer") from err
    section = first_section(version, "VERSION")
    product = f"{section.get('PROD', '')} {section.get('MODEL', '')}".lower()
    if "avalon" not in product and "nano" not in product:
        raise MinerUnsupportedError(f"{host}:{port} is a cgminer device we do not know")
    summary = await client.command("summary")
    estats = await client.command("estats")
    pools = await client.command("pools")
    return MinerType.AVALON_NANO, parse_avalon(version, summary, estats, pools).snapshot
