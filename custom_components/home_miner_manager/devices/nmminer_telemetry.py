"""Normalize NMMiner telemetry (HTTP info object and UDP broadcast datagram).

The v2 HTTP ``/api/system/info`` object and the v0.3-v1.x UDP broadcast
datagram are described in devices.md §4.

Vendor documents disagree on details, so both readers are lenient: keys of the
datagram are matched case-insensitively, difficulties may be plain decimals or
suffixed ("89.47T"), ``Share`` is read as ``rejected/accepted[/percent]`` (the
vendor's own Python controller order), ``Temp`` 0 means "no sensor".
"""

from __future__ import annotations

from typing import Any, Final

from .exceptions import MinerResponseError
from .parsing import (
    MAX_UPTIME_S,
    as_float,
    as_int,
    as_temperature,
    as_text,
    decode_json_object,
    format_mac,
    parse_difficulty,
    parse_hashrate,
    parse_uptime,
    strip_scheme,
)
from .snapshot import MinerSnapshot
from .types import MinerType

MAX_DATAGRAM_BYTES: Final = 4096

_DIFF_EXTRAS: Final = (
    ("networkDiff", "network_difficulty"),
    ("poolDiff", "pool_difficulty"),
    ("lastDiff", "last_difficulty"),
)
_UDP_DIFF_EXTRAS: Final = (
    ("netdiff", "network_difficulty"),
    ("pooldiff", "pool_difficulty"),
    ("lastdiff", "last_difficulty"),
)


def _section(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if type(value) is dict else {}


def parse_nmminer_body(body: bytes | str) -> MinerSnapshot:
    """Decode and normalize a v2 ``GET /api/system/info`` reply."""
    return parse_nmminer_info(decode_json_object(body))


def parse_nmminer_info(info: dict[str, Any]) -> MinerSnapshot:
    """Normalize a decoded v2 info object."""
    identity = _section(info, "identity")
    miner = _section(info, "miner")
    stratum = _section(info, "stratum")
    temps = _section(info, "temps")
    extras: dict[str, Any] = {}

    for key, name in _DIFF_EXTRAS:
        diff = parse_difficulty(miner.get(key))
        if diff is not None:
            extras[name] = diff
    rssi = as_float(identity.get("rssi"), -150.0, 0.0)
    if rssi is not None:
        extras["wifi_rssi"] = rssi
    for key, name in (
        ("blkhits", "blocks_found"),
        ("freeHeap", "free_heap"),
        ("uptimeEver", "total_uptime_seconds"),
    ):
        count = as_int(miner.get(key))
        if count is not None:
            extras[name] = count
    user = as_text(stratum.get("user"), 256)
    if user is not None:
        extras["pool_user"] = user
    url = as_text(stratum.get("url"), 300)

    rate = parse_hashrate(miner.get("hashRate"), "GH/s")
    return MinerSnapshot(
        miner_type=MinerType.NMMINER,
        model=as_text(identity.get("hwModel"), 64) or "NMMiner",
        hashrate=rate[0] if rate else None,
        hashrate_unit=rate[1] if rate else None,
        hashrate_ghs=rate[2] if rate else None,
        temperature=as_temperature(temps.get("vcore")),
        shares_accepted=as_int(miner.get("sAccepted")),
        shares_rejected=as_int(miner.get("sRejected")),
        pool_in_use=strip_scheme(url) if url else None,
        best_difficulty=parse_difficulty(miner.get("bestDiffEver")),
        session_best_difficulty=parse_difficulty(miner.get("bestDiffSession")),
        uptime_seconds=as_int(miner.get("uptimeSeconds"), 0, MAX_UPTIME_S),
        firmware_version=as_text(identity.get("fwVersion"), 64),
        mac=format_mac(identity.get("mac")),
        hostname=as_text(identity.get("hostName"), 64),
        extras=extras,
    )


def parse_share(raw: object) -> tuple[int | None, int | None]:
    """Return (accepted, rejected) from "rej/acc/pct%" or "rej/acc"."""
    if type(raw) is not str:
        return None, None
    parts = raw.split("/", 3)
    if len(parts) < 2:
        return None, None
    return as_int(parts[1].strip()), as_int(parts[0].strip())


def parse_datagram(payload: bytes | str) -> tuple[str | None, MinerSnapshot]:
    """Normalize one UDP broadcast; return (the ``ip`` it names, snapshot)."""
    if len(payload) > MAX_DATAGRAM_BYTES:
        raise MinerResponseError("datagram too large")
    raw = decode_json_object(payload)
    data = {key.lower(): value for key, value in raw.items()}
    get = data.get
    extras: dict[str, Any] = {}

    for key, name in _UDP_DIFF_EXTRAS:
        diff = parse_difficulty(get(key))
        if diff is not None:
            extras[name] = diff
    rssi = as_float(get("rssi"), -150.0, 0.0)
    if rssi is not None:
        extras["wifi_rssi"] = rssi
    blocks = as_int(get("valid"))
    if blocks is not None:
        extras["blocks_found"] = blocks
    progress = as_float(get("progress"), 0.0, 1e6)
    if progress is not None:
        extras["progress"] = progress
    heap = as_float(get("freeheap"), 0.0, 1e9)
    if heap is not None:
        extras["free_heap_kb"] = heap
    ip = as_text(get("ip"), 64)
    if ip is not None:
        extras["ip"] = ip

    accepted, rejected = parse_share(get("share"))
    rate = parse_hashrate(get("hashrate"), "H/s")
    pool = as_text(get("poolinuse"), 300)
    uptime = get("uptime")
    if type(uptime) is str:
        uptime = uptime.split("\r", 1)[0]
    snapshot = MinerSnapshot(
        miner_type=MinerType.NMMINER,
        model=as_text(get("boardtype"), 64) or "NMMiner",
        hashrate=rate[0] if rate else None,
        hashrate_unit=rate[1] if rate else None,
        hashrate_ghs=rate[2] if rate else None,
        temperature=as_temperature(get("temp")),
        shares_accepted=accepted,
        shares_rejected=rejected,
        pool_in_use=strip_scheme(pool) if pool else None,
        best_difficulty=parse_difficulty(get("bestdiff")),
        uptime_seconds=parse_uptime(uptime),
        firmware_version=as_text(get("version"), 64),
        extras=extras,
    )
    return ip, snapshot
