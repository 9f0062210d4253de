"""Normalize an AxeOS / NerdQAxe ``GET /api/system/info`` reply.

Handles every firmware shape listed in devices.md §1.3 / §2.2: ``bestDiff`` as
a suffixed string (≤ v2.10, NerdQAxe ≤ v1.0.34) or a number, ``stratumDiff``
(≤ v2.8) vs ``poolDifficulty``, the fan RPM as ``fanSpeed`` (v2.0.x-v2.1.3),
``fanSpeedRpm`` (v2.1.8) or ``fanrpm`` (v2.1.10+) beside the ``fanspeed``
percentage, ``temp2 == -1`` on single-sensor boards, the v2.15 ``pools`` array
and the NerdQAxe ``stratum`` object. The model follows ESP-Miner's board table
(:mod:`.axeos_boards`). No ``macAddr`` before v2.3: see
:attr:`.snapshot.MinerSnapshot.identity` for why a factory hostname is then no
identity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .axeos_boards import bitaxe_model
from .parsing import (
    INTEGER_EXTRAS,
    MAX_HASHRATE_GHS,
    MAX_POWER_W,
    MAX_UPTIME_S,
    as_flag,
    as_float,
    as_int,
    as_temperature,
    as_text,
    decode_json_object,
    format_mac,
    parse_difficulty,
)
from .snapshot import MinerSnapshot
from .types import MinerType

if TYPE_CHECKING:
    from .modes import ModeTable

# Fan speed in RPM, newest key first: ``fanrpm`` (v2.1.10+, NerdQAxe),
# ``fanSpeedRpm`` (v2.1.8), ``fanSpeed`` (capital S: v2.0.x up to v2.1.3, the
# EMC2101 tachometer reading - RPM, not percent). On the firmware with one of
# the two old keys, ``fanspeed`` is the stored *manual set-point* (NVS
# ``fanspeed``, default 100), not the current percentage: it is the fan's
# speed only while ``autofanspeed`` is 0. From v2.1.10 it is the current %.
_FAN_RPM_KEYS: Final = ("fanrpm", "fanSpeedRpm", "fanSpeed")
_MAX_FAN_RPM: Final = 100_000.0

# Plain numeric extras copied as-is: (device key, extras key, low, high).
_NUMERIC_EXTRAS: Final = (
    ("coreVoltage", "core_voltage_mv", 0.0, 65535.0),
    ("coreVoltageActual", "core_voltage_actual_mv", 0.0, 65535.0),
    ("voltage", "input_voltage_mv", 0.0, 100_000.0),
    ("current", "current_ma", 0.0, 1_000_000.0),
    ("fan2rpm", "fan2_rpm", 0.0, _MAX_FAN_RPM),
    ("fanrpm2", "fan2_rpm", 0.0, _MAX_FAN_RPM),
    ("expectedHashrate", "expected_hashrate_ghs", 0.0, MAX_HASHRATE_GHS),
    ("hashRate_1m", "hashrate_1m_ghs", 0.0, MAX_HASHRATE_GHS),
    ("hashRate_10m", "hashrate_10m_ghs", 0.0, MAX_HASHRATE_GHS),
    ("hashRate_1h", "hashrate_1h_ghs", 0.0, MAX_HASHRATE_GHS),
    ("errorPercentage", "error_percentage", 0.0, 100.0),
    ("responseTime", "response_time_ms", 0.0, 1e7),
    ("lastpingrtt", "response_time_ms", 0.0, 1e7),
    ("maxPower", "max_power_watts", 0.0, MAX_POWER_W),
    ("temptarget", "target_temp", 0.0, 200.0),
    ("pidTargetTemp", "target_temp", 0.0, 200.0),
    ("smallCoreCount", "small_core_count", 0.0, 1e6),
    ("asicCount", "asic_count", 0.0, 1e4),
    ("blockHeight", "block_height", 0.0, 1e9),
    ("freeHeap", "free_heap", 0.0, 1e12),
)


def parse_axeos_body(
    body: bytes | str, miner_type: str, table: ModeTable | None = None
) -> MinerSnapshot:
    """Decode and normalize an info reply (raises only ``MinerError``)."""
    return parse_axeos_info(decode_json_object(body), miner_type, table)


def parse_axeos_info(
    info: dict[str, Any], miner_type: str, table: ModeTable | None = None
) -> MinerSnapshot:
    """Normalize a decoded info object into a :class:`MinerSnapshot`."""
    get = info.get
    extras: dict[str, Any] = {}

    frequency = as_float(get("frequency"), 0.0, 65535.0)
    if frequency is not None:
        extras["frequency_mhz"] = frequency
    for key, name, low, high in _NUMERIC_EXTRAS:
        value = get(key)
        if value is not None:
            number = as_float(value, low, high)
            if number is not None:
                extras[name] = int(number) if name in INTEGER_EXTRAS else number

    rpm_key, fan_rpm = _fan_rpm(info)
    if fan_rpm is not None:
        extras["fan_rpm"] = fan_rpm
    # ``fanspeed`` (lower case) is the only percentage; before v2.1.10 it is
    # the manual set-point, true only in manual mode.
    if rpm_key == "fanrpm" or rpm_key is None or as_flag(get("autofanspeed")) is False:
        fan_pct = as_float(get("fanspeed"), 0.0, 100.0)
        if fan_pct is not None:
            extras["fan_percent"] = fan_pct
    rssi = as_float(get("wifiRSSI"), -150.0, 0.0)
    if rssi is not None:
        extras["wifi_rssi"] = rssi
    for key, name in (("vrTemp", "vr_temp"), ("temp2", "temp2")):
        temp = as_temperature(get(key))
        if temp is not None:
            extras[name] = temp
    pool_diff = parse_difficulty(get("poolDifficulty"))
    if pool_diff is None:
        pool_diff = parse_difficulty(get("stratumDiff"))
    if pool_diff is not None:
        extras["pool_difficulty"] = pool_diff
    net_diff = parse_difficulty(get("networkDifficulty"))
    if net_diff is not None:
        extras["network_difficulty"] = net_diff

    asic_model = as_text(get("ASICModel"), 32)
    board_version = as_text(get("boardVersion"), 16)
    if board_version is not None:
        extras["board_version"] = board_version
    for key, name in (("miningPaused", "mining_paused"), ("shutdown", "shutdown")):
        flag = as_flag(get(key))
        if flag is not None:
            extras[name] = flag
    if miner_type == MinerType.NERDQAXE:
        otp = as_flag(get("otp"))
        if otp is not None:
            extras["otp_enabled"] = otp
    ip = as_text(get("ipv4"), 64) or as_text(get("hostip"), 64)
    if ip is not None:
        extras["ip"] = ip

    pool_in_use, pool_user, using_fallback = _pool(info)
    if pool_user is not None:
        extras["pool_user"] = pool_user
    if using_fallback is not None:
        extras["using_fallback_pool"] = using_fallback

    hashrate = as_float(get("hashRate"), 0.0, MAX_HASHRATE_GHS)
    return MinerSnapshot(
        miner_type=miner_type,
        model=_model(info, miner_type, asic_model, board_version),
        hashrate=hashrate,
        hashrate_unit="GH/s" if hashrate is not None else None,
        hashrate_ghs=hashrate,
        temperature=as_temperature(get("temp")),
        power_watts=as_float(get("power"), 0.0, MAX_POWER_W),
        shares_accepted=as_int(get("sharesAccepted")),
        shares_rejected=as_int(get("sharesRejected")),
        pool_in_use=pool_in_use,
        best_difficulty=parse_difficulty(get("bestDiff")),
        session_best_difficulty=parse_difficulty(get("bestSessionDiff")),
        uptime_seconds=as_int(get("uptimeSeconds"), 0, MAX_UPTIME_S),
        firmware_version=as_text(get("version"), 64),
        mode=table.detect(frequency) if table is not None else None,
        asic_model=asic_model,
        mac=format_mac(get("macAddr")),
        hostname=as_text(get("hostname"), 64),
        extras=extras,
    )


def _model(
    info: dict[str, Any],
    miner_type: str,
    asic_model: str | None,
    board_version: str | None,
) -> str | None:
    device_model = as_text(info.get("deviceModel"), 64)
    if device_model is not None:
        return device_model
    if miner_type == MinerType.NERDQAXE:
        return "NerdQAxe"
    return bitaxe_model(board_version, asic_model)


def _fan_rpm(info: dict[str, Any]) -> tuple[str | None, int | None]:
    """Return (the key this firmware publishes its fan RPM under, the RPM)."""
    for key in _FAN_RPM_KEYS:
        if key in info:
            rpm = as_float(info[key], 0.0, _MAX_FAN_RPM)
            return key, (int(rpm) if rpm is not None else None)
    return None, None


def _pool(info: dict[str, Any]) -> tuple[str | None, str | None, bool | None]:
    """Return (``host:port`` in use, its user, whether it is the fallback)."""
    stratum = info.get("stratum")
    if type(stratum) is dict:  # NerdQAxe v1.0.35+
        using_fallback = as_flag(stratum.get("usingFallback"))
    else:
        using_fallback = as_flag(info.get("isUsingFallbackStratum"))
    prefix = "fallbackStratum" if using_fallback else "stratum"
    host = as_text(info.get(prefix + "URL"), 253)
    port = as_int(info.get(prefix + "Port"), 1, 65535)
    user = as_text(info.get(prefix + "User"), 256)
    if host is None:
        return None, user, using_fallback
    return (f"{host}:{port}" if port is not None else host), user, using_fallback


def firmware_has_pool_list(info: dict[str, Any]) -> bool:
    """Tell whether pools must be written as the v2.15+ ``pools`` array."""
    if type(info.get("pools")) is list:
        return True
    version = as_text(info.get("version"), 64) or ""
    parts = version.lstrip("vV").split(".")
    try:
        major, minor = int(parts[0]), int(parts[1].split("-")[0])
    except (ValueError, IndexError):
        return False
    return (major, minor) >= (2, 15)


def primary_pool_index(info: dict[str, Any]) -> int:
    """Return the v2.15+ primary pool slot (0 when absent)."""
    return as_int(info.get("primaryPoolIndex"), 0, 7) or 0
