"""Normalize Avalon Nano 3 / 3S cgminer replies (devices.md §3.2).

The interesting data sits in ``estats`` → ``STATS[n]["MM ID0"]``: one string of
``Key[value]`` tokens. Power: the Nano 3S reports wall watts in ``PS[6]``; the
Nano 3 uses a different ``PS`` layout and reports no measured power, so its
power is None (``extras["power_source"] == "not_reported"``) and only the mode's
limit ``MPO`` is exposed as ``power_limit_watts``. Nothing is guessed.
"""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple

from .exceptions import MinerResponseError
from .parsing import (
    INTEGER_EXTRAS,
    MAX_POWER_W,
    MAX_UPTIME_S,
    as_float,
    as_int,
    as_temperature,
    as_text,
    decode_json_prefix,
    format_mac,
    parse_difficulty,
    strip_scheme,
)
from .snapshot import MinerSnapshot
from .types import AVALON_MODES, MinerType
from .units import to_ghs

_MM_TOKEN_RE: Final = re.compile(r"(\w+)\[([^\]]*)\]")
MAX_REPLY_BYTES: Final = 1 << 20
_MAX_MM_LEN: Final = 1 << 16

# MM-string numeric extras: (token, extras key, low, high).
_MM_EXTRAS: Final = (
    ("GHSmm", "expected_hashrate_ghs", 0.0, 1e6),
    ("GHSavg", "average_hashrate_ghs", 0.0, 1e6),
    ("Freq", "frequency_mhz", 0.0, 65535.0),
    ("Fan1", "fan_rpm", 0.0, 100_000.0),
    ("TA", "asic_count", 0.0, 1000.0),
    ("PING", "ping_ms", 0.0, 1e6),
    ("MPO", "power_limit_watts", 0.0, MAX_POWER_W),
)
_MM_TEMPS: Final = (
    ("TMax", "temp_max"),
    ("OTemp", "temp_outlet"),
    ("ITemp", "temp_inlet"),
    ("Temp", "temp_ambient"),
    ("TarT", "target_temp"),
)


class AvalonState(NamedTuple):
    """A parsed poll plus what the driver needs for control."""

    snapshot: MinerSnapshot
    mode_command: str | None  # "workmode" (Nano 3S), "worklevel" (Nano 3) or None


def decode_cgminer_reply(raw: bytes) -> dict[str, Any]:
    """Decode one cgminer reply: JSON up to the terminating NUL byte."""
    if len(raw) > MAX_REPLY_BYTES:
        raise MinerResponseError("reply too large")
    end = raw.find(b"\x00")
    text = (raw if end < 0 else raw[:end]).decode("utf-8", "replace")
    return decode_json_prefix(text)


def reply_status(reply: dict[str, Any]) -> tuple[str, int | None, str]:
    """Return (STATUS letter, Code, Msg) of a cgminer reply."""
    status = reply.get("STATUS")
    if type(status) is list and status:
        status = status[0]
    if type(status) is not dict:
        raise MinerResponseError("reply has no STATUS")
    letter = status.get("STATUS")
    message = status.get("Msg")
    return (
        letter if type(letter) is str else "",
        as_int(status.get("Code"), 0, 1_000_000),
        message[:512] if type(message) is str else "",
    )


def first_section(reply: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """Return ``reply[name][0]`` if it is an object, else {}."""
    if reply is None:
        return {}
    section = reply.get(name)
    if type(section) is list and section and type(section[0]) is dict:
        return section[0]
    return {}


def parse_mm_string(text: str) -> dict[str, str]:
    """Split an ``MM ID0`` string into its ``Key[value]`` tokens."""
    return dict(_MM_TOKEN_RE.findall(text[:_MAX_MM_LEN]))


def find_mm(estats: dict[str, Any] | None) -> dict[str, str]:
    """Return the tokens of the first ``MM ID*`` string in an estats reply."""
    stats = estats.get("STATS") if estats is not None else None
    if type(stats) is not list:
        return {}
    for entry in stats[:8]:
        if type(entry) is not dict:
            continue
        for key, value in entry.items():
            if key.startswith("MM ID") and type(value) is str:
                return parse_mm_string(value)
    return {}


def parse_avalon(
    version: dict[str, Any] | None,
    summary: dict[str, Any] | None,
    estats: dict[str, Any] | None,
    pools: dict[str, Any] | None,
) -> AvalonState:
    """Build the snapshot from decoded ``version``/``summary``/``estats``/``pools``."""
    ver = first_section(version, "VERSION")
    summ = first_section(summary, "SUMMARY")
    mm = find_mm(estats)
    mm_get = mm.get
    extras: dict[str, Any] = {}

    product = " ".join(
        text for text in (as_text(ver.get("PROD")), as_text(ver.get("MODEL"))) if text
    )
    mm_version = as_text(mm_get("Ver"), 64)
    lowered = (product + " " + (mm_version or "")).lower().replace(" ", "")
    is_3s = "nano3s" in lowered
    if is_3s:
        model: str | None = "Avalon Nano 3S"
    elif "nano" in lowered:
        model = "Avalon Nano 3"
    else:
        model = product or None

    if "WORKMODE" in mm:
        mode_command: str | None = "workmode"
        level = as_int(mm["WORKMODE"], 0, 2)
    elif "WORKLEVEL" in mm:
        mode_command = "worklevel"
        level = as_int(mm["WORKLEVEL"], 0, 2)
    else:
        mode_command, level = None, None

    rate = as_float(mm_get("GHSspd"), 0.0, 1e6)
    hashrate: float | None
    unit: str | None
    ghs: float | None
    if rate is not None:
        hashrate, unit, ghs = rate, "GH/s", rate
    else:
        mhs = as_float(summ.get("MHS 1m"), 0.0, 1e9)
        if mhs is None:
            mhs = as_float(summ.get("MHS av"), 0.0, 1e9)
        hashrate, unit = mhs, ("MH/s" if mhs is not None else None)
        ghs = to_ghs(mhs, unit)

    power: float | None = None
    if is_3s:
        ps = mm_get("PS", "").split()
        power = as_float(ps[6], 0.0, MAX_POWER_W) if len(ps) > 6 else None
        extras["power_source"] = "ps6" if power is not None else "not_reported"
    else:
        extras["power_source"] = "not_reported"

    for token, name, low, high in _MM_EXTRAS:
        value = mm_get(token)
        if value is not None:
            number = as_float(value, low, high)
            if number is not None:
                extras[name] = int(number) if name in INTEGER_EXTRAS else number
    for token, name in _MM_TEMPS:
        value = mm_get(token)
        if value is not None:
            temp = as_temperature(value)
            if temp is not None:
                extras[name] = temp
    fan_pct = as_float(mm_get("FanR", "").rstrip("%"), 0.0, 100.0)
    if fan_pct is not None:
        extras["fan_percent"] = fan_pct
    if "BAR" in mm or mm_get("ADJ") == "0":
        extras["calibrating"] = True
    for key, name in (
        ("Hardware Errors", "hardware_errors"),
        ("Found Blocks", "found_blocks"),
    ):
        count = as_int(summ.get(key))
        if count is not None:
            extras[name] = count

    pool = _active_pool(pools)
    pool_in_use: str | None = None
    if pool is not None:
        url = as_text(pool.get("URL"), 300)
        pool_in_use = strip_scheme(url) if url else None
        user = as_text(pool.get("User"), 256)
        if user is not None:
            extras["pool_user"] = user
        pool_diff = parse_difficulty(pool.get("Stratum Difficulty"))
        if pool_diff is not None:
            extras["pool_difficulty"] = pool_diff

    temperature = as_temperature(mm_get("TAvg"))
    if temperature is None:
        temperature = as_temperature(mm_get("TMax"))
    uptime = as_int(summ.get("Elapsed"), 0, MAX_UPTIME_S)
    if uptime is None:
        uptime = as_int(mm_get("Elapsed"), 0, MAX_UPTIME_S)
    firmware = (
        as_text(ver.get("LVERSION"), 64)
        or as_text(ver.get("CGVERSION"), 64)
        or as_text(mm_get("LVer"), 64)
        or mm_version
    )
    snapshot = MinerSnapshot(
        miner_type=MinerType.AVALON_NANO,
        model=model,
        hashrate=hashrate,
        hashrate_unit=unit,
        hashrate_ghs=ghs,
        temperature=temperature,
        power_watts=power,
        shares_accepted=as_int(summ.get("Accepted")),
        shares_rejected=as_int(summ.get("Rejected")),
        pool_in_use=pool_in_use,
        session_best_difficulty=parse_difficulty(summ.get("Best Share")),
        uptime_seconds=uptime,
        firmware_version=firmware,
        mode=AVALON_MODES[level] if level is not None else None,
        asic_model=as_text(mm_get("Core"), 32),
        mac=format_mac(ver.get("MAC")),
        serial=_serial(ver.get("DNA"), mm_get("DNA"), mm_get("HDNA")),
        extras=extras,
    )
    return AvalonState(snapshot, mode_command)


def _serial(*candidates: object) -> str | None:
    """Return the first DNA that is not all zeros."""
    for candidate in candidates:
        text = as_text(candidate, 64)
        if text is not None and text.strip("0"):
            return text
    return None


def _active_pool(pools: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the pool hashing now: alive + ``Stratum Active``, else alive priority 0."""
    entries = pools.get("POOLS") if pools is not None else None
    if type(entries) is not list:
        return None
    fallback: dict[str, Any] | None = None
    for entry in entries[:16]:
        if type(entry) is not dict or entry.get("Status") != "Alive":
            continue
        if entry.get("Stratum Active") is True:
            return entry
        if fallback is None and entry.get("Priority") == 0:
            fallback = entry
    return fallback
