"""``/api/system/info`` and ``/api/system/asic`` bodies, firmware by firmware."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .mining import suffix_string

if TYPE_CHECKING:
    from .axeos_device import AxeOSDevice


def _difficulty(device: AxeOSDevice, value: float) -> str | int:
    if device.profile.string_difficulties:
        return suffix_string(value)
    return int(value)


def bitaxe_info(device: AxeOSDevice) -> dict[str, Any]:
    """ESP-Miner info: the v2.9 field set, plus/minus what each release changed."""
    p = device.profile
    rel = p.release
    c = device.counters
    s = device.settings
    power = device.power
    primary, fallback = device.pools[device.primary], device.pools[device.secondary]
    temp = device.temperature
    info: dict[str, Any] = {
        "power": power,
        "voltage": p.input_mv,
        "current": round(power / p.input_mv * 1e6, 1),
        "temp": temp,
        "vrTemp": round(temp - 8.9, 1),
        "maxPower": p.max_power,
        "nominalVoltage": 5,
        "hashRate": device.hashrate,
        "bestDiff": _difficulty(device, c.best_ever),
        "bestSessionDiff": _difficulty(device, c.best_session),
        "isUsingFallbackStratum": 0,
        "isPSRAMAvailable": 1,
        "freeHeap": 8145908,
        "coreVoltage": device.core_voltage,
        "coreVoltageActual": device.core_voltage - 7,
        "frequency": device.frequency,
        "ssid": s["ssid"],
        "macAddr": p.mac,
        "hostname": s["hostname"],
        "wifiStatus": "Connected!",
        "wifiRSSI": -58,
        "apEnabled": 0,
        "sharesAccepted": c.accepted,
        "sharesRejected": c.rejected,
        "sharesRejectedReasons": [{"message": "Above target", "count": c.rejected}]
        if c.rejected
        else [],
        "uptimeSeconds": c.uptime,
        "smallCoreCount": p.small_core_count,
        "ASICModel": p.asic_model,
        "stratumURL": primary["URL"],
        "stratumPort": primary["Port"],
        "stratumUser": primary["User"],
        "fallbackStratumURL": fallback["URL"],
        "fallbackStratumPort": fallback["Port"],
        "fallbackStratumUser": fallback["User"],
        "version": p.firmware,
        "idfVersion": "v5.4.1" if rel >= (2, 9) else "v5.3.1",
        "boardVersion": p.board_version,
        "runningPartition": "ota_0",
        "overheat_mode": s["overheat_mode"],
        "overclockEnabled": s["overclockEnabled"],
        "invertscreen": s["invertscreen"],
        "displayTimeout": s["displayTimeout"],
        "autofanspeed": s["autofanspeed"],
        "fanspeed": device.fan_percent,
        "temptarget": s["temptarget"],
        "fanrpm": 40 * device.fan_percent + 1800,
    }
    _published_before_v2_8(info, device)
    if rel >= (2, 8):
        info["expectedHashrate"] = round(device.expected_hashrate, 2)
        info["display"] = s["display"]
    if rel < (2, 9):
        if p.version >= (2, 4, 2):
            info["stratumDiff"] = int(c.pool_difficulty)
        info["flipscreen"] = 0
    else:
        info |= {
            "poolDifficulty": int(c.pool_difficulty),
            "responseTime": 38.4,
            "axeOSVersion": p.firmware,
            "statsFrequency": s["statsFrequency"],
            "rotation": s["rotation"],
            "stratumSuggestedDifficulty": 1000,
            "stratumExtranonceSubscribe": 0,
            "fallbackStratumSuggestedDifficulty": 1000,
            "fallbackStratumExtranonceSubscribe": 0,
        }
    if rel >= (2, 10):
        info |= {"temp2": -1, "minFanSpeed": s["minFanSpeed"]}
    if rel >= (2, 11):
        info |= {
            "manualFanSpeed": s["manualFanSpeed"],
            "fan2rpm": 0,
            "errorPercentage": 0.31,
            "blockFound": 0,
        }
    if rel >= (2, 12):
        info |= {
            "hashRate_1m": round(device.expected_hashrate * 1.003, 2),
            "hashRate_10m": round(device.expected_hashrate * 0.995, 2),
            "hashRate_1h": round(device.expected_hashrate * 0.998, 2),
            "ipv4": "192.168.1.57",
            "ipv6": "fe80::2e54:91ff:fe88:c9e3",
            "resetReason": "Software reset via esp_restart",
            "freeHeapInternal": 91234,
            "blockHeight": 912345,
            "networkDifficulty": 126271255279307,
        }
    if rel >= (2, 13):
        info |= {
            "stratumTLS": 0,
            "stratumCert": "",
            "stratumDecodeCoinbase": True,
            "poolConnectionInfo": "IPv4",
            "showNewBlock": False,
        }
    if rel >= (2, 14):
        info |= {
            "stratumProtocol": "SV1",
            "miningPaused": False,
            "actualFrequency": device.frequency,
            "cpuUsage": 23.5,
        }
    if rel >= (2, 15):
        info["stratumExtranonceSubscribe"] = False
        info["fallbackStratumExtranonceSubscribe"] = False
        info |= {
            "pools": [
                _pool_entry(slot, pool) for slot, pool in sorted(device.pools.items())
            ],
            "primaryPoolIndex": device.primary,
            "secondaryPoolIndex": device.secondary,
            "useFallbackStratum": 0,
            "totalUptimeSeconds": 5012345 + c.uptime,
            "totalHashes": 4.51e17,
            "totalLog2Work": 58.6,
            "sharesPending": 0,
            "workReceived": 9871,
            "useCustomWWW": 0,
        }
    return info


# Fields of the v2.9 set that older firmware did not publish yet: devices.md
# §1.3 (x.y.0 tags) and a v2.1.8 client's field list for the 2.1 patch releases.
_FIELDS_SINCE: tuple[tuple[tuple[int, ...], tuple[str, ...]], ...] = (
    ((2, 1, 8), ("hostname", "overheat_mode", "smallCoreCount", "bestSessionDiff")),
    ((2, 2, 0), ("vrTemp",)),
    (
        (2, 3, 0),
        (
            "macAddr",
            "fallbackStratumURL",
            "fallbackStratumPort",
            "fallbackStratumUser",
            "isUsingFallbackStratum",
        ),
    ),
    ((2, 5, 0), ("idfVersion",)),
    (
        (2, 6, 0),
        (
            "apEnabled",
            "wifiRSSI",
            "maxPower",
            "nominalVoltage",
            "overclockEnabled",
            "isPSRAMAvailable",
            "sharesRejectedReasons",
        ),
    ),
    ((2, 7, 0), ("displayTimeout", "temptarget")),
)


def _published_before_v2_8(info: dict[str, Any], device: AxeOSDevice) -> None:
    """Drop what the firmware did not publish yet; fan RPM under its old key."""
    p = device.profile
    for since, keys in _FIELDS_SINCE:
        if p.version < since:
            for key in keys:
                info.pop(key, None)
    rpm = info.pop("fanrpm")
    info[p.fan_rpm_key] = rpm
    if p.release < (2, 1):  # v2.0.x: the RPM was the only fan figure
        for key in ("fanspeed", "autofanspeed", "boardVersion"):
            info.pop(key, None)
    elif p.fan_rpm_key != "fanrpm":  # until v2.1.10: the stored manual set-point
        info["fanspeed"] = device.settings["fanspeed"]


def _pool_entry(slot: int, pool: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": slot,
        "stratumProtocol": "SV1",
        "stratumURL": pool["URL"],
        "stratumPort": pool["Port"],
        "stratumUser": pool["User"],
        "stratumPassword": "*****",
        "stratumSuggestedDifficulty": 1000,
        "stratumExtranonceSubscribe": False,
        "stratumTLS": 0,
        "stratumCert": "",
        "stratumDecodeCoinbase": True,
        "stratumV2ChannelType": "extended",
        "stratumV2AuthorityPubkey": "",
        "stratumV2RequireAuth": False,
    }


def nerdqaxe_info(device: AxeOSDevice, *, otp: bool) -> dict[str, Any]:
    """NerdQAxe++ v1.0.37.1 info (devices.md §2.2, §2.4)."""
    p = device.profile
    c = device.counters
    s = device.settings
    power = device.power
    temp = device.temperature
    primary, fallback = device.pools[0], device.pools[1]
    chip_temps = [round(temp - d, 1) for d in (1.4, 0.0, 1.7, 0.8)]
    pool_diff = int(c.pool_difficulty)
    return {
        "asicCount": p.asic_count,
        "smallCoreCount": p.small_core_count,
        "deviceModel": p.device_model,
        "hostip": "192.168.1.71",
        "macAddr": p.mac,
        "wifiRSSI": -61,
        "power": power,
        "maxPower": p.max_power,
        "minPower": 52,
        "maxVoltage": 13,
        "minVoltage": 11,
        "current": round(power / p.input_mv * 1e6),
        "currentA": round(power / p.input_mv * 1e3, 2),
        "minCurrentA": 0,
        "maxCurrentA": 8,
        "temp": max(chip_temps),
        "vrTemp": round(temp - 9.5, 1),
        "vrTempInt": round(temp - 6.5, 1),
        "hashRateTimestamp": 1747000000000 + c.uptime * 1000,
        "hashRate": device.hashrate,
        "hashRate_1m": round(device.expected_hashrate * 0.998, 1),
        "hashRate_10m": round(device.expected_hashrate * 1.0, 1),
        "hashRate_1h": round(device.expected_hashrate * 0.999, 1),
        "hashRate_1d": round(device.expected_hashrate * 0.997, 1),
        "coreVoltage": device.core_voltage,
        "defaultCoreVoltage": p.default_voltage,
        "coreVoltageActual": device.core_voltage - 2,
        "fanspeed": device.fan_percent,
        "manualFanSpeed": s["manualFanSpeed"],
        "fanrpm": 50 * device.fan_percent + 810,
        "fanrpm2": 0,
        "fanspeed2": 0,
        "fanCount": 1,
        "lastpingrtt": 21.4,
        "recentpingloss": 0,
        "shutdown": False,
        "duplicateHWNonces": 0,
        "poolDifficulty": pool_diff,
        "networkDifficulty": 126271255279307,
        "foundBlocks": 0,
        "totalFoundBlocks": 0,
        "sharesAccepted": c.accepted,
        "sharesRejected": c.rejected,
        "bestDiff": int(c.best_ever),
        "bestSessionDiff": int(c.best_session),
        "stratum": {
            "poolMode": 0,
            "activePoolMode": 0,
            "poolBalance": 50,
            "totalBestDiff": int(c.best_ever),
            "usingFallback": False,
            "pools": [
                {
                    "connected": True,
                    "poolDifficulty": pool_diff,
                    "networkDifficulty": 126271255279307,
                    "poolDiffErr": False,
                    "accepted": c.accepted,
                    "rejected": c.rejected,
                    "pingRtt": 21,
                    "pingLoss": 0,
                    "bestDiff": int(c.best_session),
                }
            ],
        },
        "asicTemps": chip_temps,
        "pidTargetTemp": 55,
        "pidP": 6,
        "pidI": 0.1,
        "pidD": 10,
        "fans": [
            {
                "label": "ASIC",
                "mode": s["autofanspeed"],
                "manualSpeed": s["manualFanSpeed"],
                "overheatTemp": 70,
                "rpm": 50 * device.fan_percent + 810,
                "speedPerc": device.fan_percent,
                "pid": {"targetTemp": 55, "p": 6, "i": 0.1, "d": 10},
            }
        ],
        "hostname": s["hostname"],
        "ssid": s["ssid"],
        "stratumURL": primary["URL"],
        "stratumPort": primary["Port"],
        "stratumUser": primary["User"],
        "stratumEnonceSubscribe": False,
        "stratumTLS": False,
        "fallbackStratumURL": fallback["URL"],
        "fallbackStratumPort": fallback["Port"],
        "fallbackStratumUser": fallback["User"],
        "fallbackStratumEnonceSubscribe": False,
        "fallbackStratumTLS": False,
        "stratumProtocol": 0,
        "fallbackStratumProtocol": 0,
        "sv2AuthorityPubkey": "",
        "fallbackSv2AuthorityPubkey": "",
        "sv2ChannelType": 0,
        "fallbackSv2ChannelType": 0,
        "voltage": p.input_mv,
        "frequency": device.frequency,
        "defaultFrequency": p.default_frequency,
        "jobInterval": 500,
        "stratumDifficulty": 1000,
        "overheat_temp": 70,
        "flipscreen": 0,
        "invertscreen": s["invertscreen"],
        "autoscreenoff": 0,
        "invertfanpolarity": 0,
        "autofanspeed": s["autofanspeed"],
        "stratum_keep": 1,
        "vrFrequency": 500,
        "defaultVrFrequency": 500,
        "otp": otp,
        "ASICModel": p.asic_model,
        "uptimeSeconds": c.uptime,
        "lastResetReason": "Software reset",
        "wifiStatus": "Connected!",
        "freeHeap": 5151828,
        "freeHeapInt": 98304,
        "version": p.firmware,
        "runningPartition": "ota_1",
        "defaultTheme": "NerdQaxePlus2",
    }


def asic_info(device: AxeOSDevice) -> dict[str, Any]:
    """``/api/system/asic``: v2.7-v2.8 had only the model and option lists."""
    p = device.profile
    body: dict[str, Any] = {
        "ASICModel": p.asic_model,
        "frequencyOptions": list(p.frequency_options),
        "voltageOptions": list(p.voltage_options),
    }
    if p.full_asic_endpoint:
        body |= {
            "deviceModel": p.device_model,
            "swarmColor": p.swarm_color,
            "asicCount": p.asic_count,
            "defaultFrequency": p.default_frequency,
            "defaultVoltage": p.default_voltage,
        }
    if not p.nerdqaxe and p.release >= (2, 12):
        body["hashDomains"] = 4
    if p.nerdqaxe:
        body |= {
            "absMaxFrequency": 800,
            "absMaxVoltage": 1400,
            "ecoFrequency": 0,
            "ecoVoltage": 0,
        }
    return body
