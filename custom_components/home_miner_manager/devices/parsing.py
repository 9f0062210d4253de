"""Lenient, allocation-light value parsers shared by every driver.

Devices send numbers as JSON numbers, plain decimal strings or strings with an
SI suffix ("4.29G", "993.22KH/s"), and sometimes garbage. Every helper here
returns ``None`` for anything it cannot turn into a sane value (NaN, infinity,
negative or absurdly large numbers, wrong types) and never raises.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from .exceptions import MinerResponseError
from .units import HASHRATE_UNITS, canonical_hashrate_unit, prefix_unit

# Sanity bounds: anything outside is a broken sensor or a broken parser.
MAX_DIFFICULTY: Final = 1e24
MAX_HASHRATE_GHS: Final = 1e7  # 10 PH/s, far beyond any home miner
MAX_POWER_W: Final = 10_000.0
MAX_TEMPERATURE_C: Final = 200.0
MAX_UPTIME_S: Final = 10 * 365 * 86_400
MAX_COUNTER: Final = 10**15
MAX_EXTRA: Final = 1e24
MAX_TEXT: Final = 256

# Extras that are counts, kept as int so they display without decimals.
INTEGER_EXTRAS: Final = frozenset(
    {
        "fan_rpm",
        "fan2_rpm",
        "small_core_count",
        "asic_count",
        "block_height",
        "free_heap",
    }
)

_SI: Final[dict[str, float]] = {
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
}

# Multiplier from a canonical hashrate unit to GH/s (the one table, see .units).
HASHRATE_TO_GHS: Final = HASHRATE_UNITS

# Number, optional SI prefix (any case; "m" is mega), optional "H", "H/s", "Hps".
_HASHRATE_RE: Final = re.compile(
    r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kmgtpe]?)\s*(h(?:/s|ps|s)?)?\s*",
    re.IGNORECASE,
)
_UPTIME_RE: Final = re.compile(r"\s*(?:(\d{1,5})\s*d\s*)?(\d{1,3}):(\d{1,2}):(\d{1,2})")
_HEX12_RE: Final = re.compile(r"[0-9A-Fa-f]{12}")
_MAC_RE: Final = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")

_DECODER: Final = json.JSONDecoder(strict=False)


def decode_json_object(body: bytes | str) -> dict[str, Any]:
    """Decode a device reply that must be one JSON object.

    Raises :class:`MinerResponseError` for anything else (HTML, truncated
    JSON, a list, absurd nesting, invalid UTF-8).
    """
    try:
        data = json.loads(body)
    except (
        ValueError,
        RecursionError,
    ) as err:  # JSONDecodeError, bad UTF-8, 4300+ digits
        raise MinerResponseError("reply is not valid JSON") from err
    if type(data) is not dict:
        raise MinerResponseError("reply is not a JSON object")
    return data


def decode_json_prefix(text: str) -> dict[str, Any]:
    """Decode the first JSON object in ``text``, ignoring what follows.

    cgminer builds JSON by hand: control characters inside strings and trailing
    bytes after the object are tolerated here.
    """
    start = text.find("{")
    if start < 0:
        raise MinerResponseError("reply holds no JSON object")
    try:
        data, _ = _DECODER.raw_decode(text, start)
    except (ValueError, RecursionError) as err:
        # Old cgminer builds join objects as "}{" inside lists.
        if "}{" not in text:
            raise MinerResponseError("reply is not valid JSON") from err
        try:
            data, _ = _DECODER.raw_decode(text.replace("}{", "},{"), start)
        except (ValueError, RecursionError) as err2:
            raise MinerResponseError("reply is not valid JSON") from err2
    if type(data) is not dict:
        raise MinerResponseError("reply is not a JSON object")
    return data


def as_float(value: object, low: float = 0.0, high: float = MAX_EXTRA) -> float | None:
    """Return ``value`` as a finite float within [low, high], else None."""
    if type(value) is float:
        number = value
    elif type(value) is int:
        if not -(10**300) < value < 10**300:  # float() would overflow
            return None
        number = float(value)
    elif type(value) is str:
        if len(value) > 64:
            return None
        try:
            number = float(value)
        except ValueError:
            return None
    else:  # None, bool, containers
        return None
    if math.isnan(number) or number < low or number > high:  # NaN fails every compare
        return None
    return number


def as_int(value: object, low: int = 0, high: int = MAX_COUNTER) -> int | None:
    """Return ``value`` as an int within [low, high] (floats are truncated)."""
    if type(value) is int:
        number: int = value
    else:
        as_f = as_float(value, float(low), float(high))
        if as_f is None:
            return None
        number = int(as_f)
    if number < low or number > high:
        return None
    return number


def as_text(value: object, max_len: int = MAX_TEXT) -> str | None:
    """Return a non-empty printable string (stripped), else None."""
    if type(value) is not str:
        return None
    text: str = value.strip()
    if not text or len(text) > max_len or not text.isprintable():
        return None
    return text


def as_temperature(value: object) -> float | None:
    """Return a plausible temperature in °C; 0, -1 and -273 mean "no sensor"."""
    return as_float(value, 0.01, MAX_TEMPERATURE_C)


def as_flag(value: object) -> bool | None:
    """Return a bool from JSON true/false or 0/1."""
    if value is True or value is False:
        return value
    if type(value) is int:
        if value == 0:
            return False
        if value == 1:
            return True
    return None


def parse_difficulty(raw: object) -> float | None:
    """Parse a share difficulty: a number or a string like "4.29G", "512", "0.001".

    Suffixes k/K, M, G, T, P, E are powers of 1000 (AxeOS ``_suffix_string``).
    """
    if type(raw) is not str:
        return as_float(raw, 0.0, MAX_DIFFICULTY)
    text: str = raw.strip()
    if not text or len(text) > 64:
        return None
    multiplier = _SI.get(text[-1])
    if multiplier is not None:
        text = text[:-1].rstrip()
    try:
        number = float(text)
    except ValueError:
        return None
    if multiplier is not None:
        number *= multiplier
    if math.isnan(number) or number < 0.0 or number > MAX_DIFFICULTY:
        return None
    return number


def parse_hashrate(
    raw: object, default_unit: str = "GH/s"
) -> tuple[float, str, float] | None:
    """Parse a hashrate into ``(value, unit, ghs)``.

    Numbers are in ``default_unit``; strings may carry a unit such as
    "993.22KH/s", "1.0154MH/s", "4.8T" or "2.1 PH/s" (any case, see
    :mod:`.units`). ``unit`` is canonical ("KH/s"). Returns None for anything
    insane.
    """
    kind = type(raw)
    unit: str | None
    if kind is int or kind is float:
        value = as_float(raw)
        unit = default_unit
    elif isinstance(raw, str):
        if len(raw) > 64:
            return None
        match = _HASHRATE_RE.fullmatch(raw)
        if match is None:
            return None
        number, prefix, hertz = match.groups()
        value = as_float(number)
        unit = prefix_unit(prefix) if prefix or hertz else default_unit
    else:
        return None
    canonical = canonical_hashrate_unit(unit)
    if value is None or canonical is None:
        return None
    ghs = value * HASHRATE_UNITS[canonical]
    if ghs > MAX_HASHRATE_GHS:
        return None
    return value, canonical, ghs


def parse_uptime(raw: object) -> int | None:
    """Parse uptime seconds from a number or "002d 05:41:09" / "05:41:09"."""
    if type(raw) is not str:
        return as_int(raw, 0, MAX_UPTIME_S)
    text: str = raw
    match = _UPTIME_RE.match(text[:64])
    if match is None:
        return as_int(text, 0, MAX_UPTIME_S)
    days, hours, minutes, seconds = match.groups()
    total = (int(days or 0) * 24 + int(hours)) * 3600 + int(minutes) * 60 + int(seconds)
    return total if total <= MAX_UPTIME_S else None


def rebooted(uptime_before: int | None, uptime_now: int | None) -> bool:
    """Tell whether the device restarted between two polls (uptime went down)."""
    return (
        uptime_before is not None
        and uptime_now is not None
        and uptime_now < uptime_before
    )


def format_mac(raw: object) -> str | None:
    """Return "AA:BB:CC:DD:EE:FF" from that form or from 12 bare hex digits."""
    if type(raw) is not str:
        return None
    text: str = raw.strip()
    if _MAC_RE.fullmatch(text):
        mac = text.upper()
    elif _HEX12_RE.fullmatch(text):
        upper = text.upper()
        mac = ":".join(upper[i : i + 2] for i in range(0, 12, 2))
    else:
        return None
    if mac in ("00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF"):
        return None
    return mac


def strip_scheme(url: str) -> str:
    """Drop a ``stratum+tcp://``-style scheme and any trailing slash."""
    _, sep, rest = url.partition("://")
    return (rest if sep else url).rstrip("/")
