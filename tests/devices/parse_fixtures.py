"""Device replies from devices.md (§1.9, §2.4, §3.4, §4.4), as the devices send them."""

from __future__ import annotations

import json
from typing import Any

BITAXE_V29: dict[str, Any] = {
    "power": 17.42,
    "voltage": 5125.0,
    "current": 3398.4,
    "temp": 57.9,
    "vrTemp": 49.0,
    "maxPower": 40,
    "nominalVoltage": 5,
    "hashRate": 1098.6,
    "expectedHashrate": 1071.0,
    "bestDiff": "4.29G",
    "bestSessionDiff": "36.07M",
    "poolDifficulty": 4096,
    "isUsingFallbackStratum": 0,
    "isPSRAMAvailable": 1,
    "freeHeap": 8145908,
    "coreVoltage": 1150,
    "coreVoltageActual": 1143,
    "frequency": 525,
    "ssid": "HomeWiFi",
    "macAddr": "2C:54:91:88:C9:E3",
    "hostname": "bitaxe",
    "wifiStatus": "Connected!",
    "wifiRSSI": -58,
    "apEnabled": 0,
    "sharesAccepted": 15432,
    "sharesRejected": 21,
    "sharesRejectedReasons": [
        {"message": "Above target", "count": 17},
        {"message": "Job not found", "count": 4},
    ],
    "uptimeSeconds": 262144,
    "smallCoreCount": 2040,
    "ASICModel": "BM1370",
    "stratumURL": "public-pool.io",
    "stratumPort": 21496,
    "stratumUser": "bc1qexamplewallet.bitaxe1",
    "stratumSuggestedDifficulty": 1000,
    "stratumExtranonceSubscribe": 0,
    "fallbackStratumURL": "solo.ckpool.org",
    "fallbackStratumPort": 3333,
    "fallbackStratumUser": "bc1qexamplewallet.bitaxe1",
    "fallbackStratumSuggestedDifficulty": 1000,
    "fallbackStratumExtranonceSubscribe": 0,
    "responseTime": 38.4,
    "version": "v2.9.0",
    "axeOSVersion": "v2.9.0",
    "idfVersion": "v5.4.1",
    "boardVersion": "601",
    "runningPartition": "ota_0",
    "overheat_mode": 0,
    "overclockEnabled": 0,
    "display": "SSD1306 (128x32)",
    "rotation": 0,
    "invertscreen": 0,
    "displayTimeout": -1,
    "autofanspeed": 1,
    "fanspeed": 58,
    "temptarget": 60,
    "fanrpm": 4120,
    "statsFrequency": 0,
}

# ESP-Miner v2.0.x GET_system_info() field set: the fan RPM as "fanSpeed"
# (EMC2101 tachometer), no fanspeed %, no boardVersion/hostname/macAddr, and
# the Wi-Fi password in clear text (removed in v2.1.0).
BITAXE_V20_MAX: dict[str, Any] = {
    "power": 12.41,
    "voltage": 5060.0,
    "current": 2452.5,
    "fanSpeed": 4431,
    "temp": 58.3,
    "hashRate": 392.1,
    "bestDiff": "1.21M",
    "freeHeap": 169344,
    "coreVoltage": 1400,
    "coreVoltageActual": 1385,
    "frequency": 425,
    "ssid": "HomeWiFi",
    "wifiPass": "wifi-secret-42",
    "wifiStatus": "Connected!",
    "sharesAccepted": 4821,
    "sharesRejected": 3,
    "uptimeSeconds": 86211,
    "ASICModel": "BM1397",
    "stratumURL": "public-pool.io",
    "stratumPort": 21496,
    "stratumUser": "bc1qexamplewallet.max",
    "version": "v2.0.3",
    "runningPartition": "ota_0",
    "flipscreen": 1,
    "invertscreen": 0,
}

# v2.1.3: + boardVersion, autofanspeed and "fanspeed" = the stored manual
# set-point (NVS default 100); the RPM still as "fanSpeed". Board "0.11" with a
# BM1366 is an Ultra in ESP-Miner's board table.
BITAXE_V213_ULTRA: dict[str, Any] = {
    **{k: v for k, v in BITAXE_V20_MAX.items() if k != "wifiPass"},
    "power": 11.62,
    "current": 2283.0,
    "fanSpeed": 3720,
    "hashRate": 431.7,
    "coreVoltage": 1200,
    "coreVoltageActual": 1191,
    "frequency": 485,
    "ASICModel": "BM1366",
    "version": "v2.1.3",
    "boardVersion": "0.11",
    "invertfanpolarity": 1,
    "autofanspeed": 1,
    "fanspeed": 100,
}

# v2.1.8: the RPM moved to "fanSpeedRpm"; hostname (factory "bitaxe"),
# bestSessionDiff, smallCoreCount, overheat_mode are published; still no MAC.
BITAXE_V218_ULTRA: dict[str, Any] = {
    **{k: v for k, v in BITAXE_V213_ULTRA.items() if k != "fanSpeed"},
    "version": "v2.1.8",
    "boardVersion": "204",
    "fanSpeedRpm": 3810,
    "hostname": "bitaxe",
    "bestSessionDiff": "212.4k",
    "smallCoreCount": 894,
    "overheat_mode": 0,
}

# v2.2: "fanrpm" and "fanspeed" = the current % (v2.1.10+), vrTemp; no MAC yet.
BITAXE_V22_ULTRA: dict[str, Any] = {
    **{k: v for k, v in BITAXE_V218_ULTRA.items() if k != "fanSpeedRpm"},
    "version": "v2.2.2",
    "boardVersion": "0.11",
    "fanspeed": 47,
    "fanrpm": 3790,
    "vrTemp": 45.2,
}

_POOL0 = {
    "id": 0,
    "stratumProtocol": "SV1",
    "stratumURL": "public-pool.io",
    "stratumPort": 21496,
    "stratumUser": "bc1qexamplewallet.bitaxe1",
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

BITAXE_V215: dict[str, Any] = {
    **BITAXE_V29,
    "version": "v2.15.0",
    "axeOSVersion": "v2.15.0",
    "bestDiff": 4291826174,
    "bestSessionDiff": 36071194,
    "hashRate_1m": 1102.3,
    "hashRate_10m": 1089.7,
    "hashRate_1h": 1093.2,
    "errorPercentage": 0.31,
    "actualFrequency": 525,
    "temp2": -1,
    "fan2rpm": 0,
    "sharesPending": 0,
    "workReceived": 9871,
    "blockFound": 0,
    "showNewBlock": False,
    "blockHeight": 912345,
    "networkDifficulty": 126271255279307,
    "coinbaseOutputs": [{"value": 315012345, "address": "bc1qexample"}],
    "cpuUsage": 23.5,
    "miningPaused": False,
    "totalUptimeSeconds": 5012345,
    "totalHashes": 4.51e17,
    "ipv4": "192.168.1.57",
    "primaryPoolIndex": 0,
    "secondaryPoolIndex": 1,
    "useFallbackStratum": 0,
    "pools": [
        _POOL0,
        {**_POOL0, "id": 1, "stratumURL": "solo.ckpool.org", "stratumPort": 3333},
    ],
    "stratumTLS": 0,
    "stratumProtocol": "SV1",
    "manualFanSpeed": 70,
    "minFanSpeed": 25,
}

BITAXE_ASIC_GAMMA: dict[str, Any] = {
    "ASICModel": "BM1370",
    "deviceModel": "Gamma",
    "swarmColor": "green",
    "asicCount": 1,
    "hashDomains": 4,
    "defaultFrequency": 525,
    "frequencyOptions": [400, 490, 525, 550, 600, 625],
    "defaultVoltage": 1150,
    "voltageOptions": [1000, 1060, 1100, 1150, 1200, 1250],
}

NERDQAXE_PP: dict[str, Any] = {
    "asicCount": 4,
    "smallCoreCount": 2040,
    "deviceModel": "NerdQAxe++",
    "hostip": "192.168.1.71",
    "macAddr": "B4:3A:45:A2:3E:44",
    "wifiRSSI": -61,
    "power": 75.8,
    "maxPower": 100,
    "minPower": 52,
    "maxVoltage": 13,
    "minVoltage": 11,
    "current": 6290,
    "currentA": 6.29,
    "temp": 61.5,
    "vrTemp": 52.0,
    "vrTempInt": 55.0,
    "hashRate": 4812.4,
    "hashRate_1m": 4790.1,
    "hashRate_10m": 4801.7,
    "hashRate_1h": 4795.0,
    "hashRate_1d": 4788.3,
    "coreVoltage": 1150,
    "defaultCoreVoltage": 1150,
    "coreVoltageActual": 1148,
    "fanspeed": 62,
    "manualFanSpeed": 100,
    "fanrpm": 3910,
    "fanrpm2": 0,
    "fanspeed2": 0,
    "fanCount": 1,
    "lastpingrtt": 21.4,
    "shutdown": False,
    "poolDifficulty": 16384,
    "networkDifficulty": 126271255279307,
    "foundBlocks": 0,
    "sharesAccepted": 48210,
    "sharesRejected": 37,
    "bestDiff": 2718281828,
    "bestSessionDiff": 91827364,
    "stratum": {
        "poolMode": 0,
        "activePoolMode": 0,
        "poolBalance": 50,
        "totalBestDiff": 2718281828,
        "usingFallback": False,
        "pools": [{"connected": True, "poolDifficulty": 16384, "accepted": 48210}],
    },
    "asicTemps": [60.1, 61.5, 59.8, 60.7],
    "pidTargetTemp": 55,
    "hostname": "nerdqaxe",
    "ssid": "HomeWiFi",
    "stratumURL": "public-pool.io",
    "stratumPort": 21496,
    "stratumUser": "bc1qexamplewallet.nqpp",
    "fallbackStratumURL": "solo.ckpool.org",
    "fallbackStratumPort": 3333,
    "fallbackStratumUser": "bc1qexamplewallet.nqpp",
    "voltage": 12050,
    "frequency": 600,
    "defaultFrequency": 600,
    "autofanspeed": 2,
    "otp": False,
    "ASICModel": "BM1370",
    "uptimeSeconds": 604800,
    "wifiStatus": "Connected!",
    "freeHeap": 5151828,
    "version": "v1.0.37.1",
    "runningPartition": "ota_1",
}

NERDAXE_OLD: dict[str, Any] = {
    **{k: v for k, v in NERDQAXE_PP.items() if k != "stratum"},
    "deviceModel": "NerdAxeGamma",
    "bestDiff": "97.6M",
    "bestSessionDiff": "14.5M",
    "isUsingFallbackStratum": False,
    "voltage": 5187.5,
    "current": 10609,
    "version": "v1.0.34",
}

NERDQAXE_PP_ASIC: dict[str, Any] = {
    "ASICModel": "BM1370",
    "deviceModel": "NerdQAxe++",
    "asicCount": 4,
    "defaultFrequency": 600,
    "defaultVoltage": 1150,
    "absMaxFrequency": 800,
    "absMaxVoltage": 1400,
    "ecoFrequency": 0,
    "ecoVoltage": 0,
    "swarmColor": "#e700d8",
    "frequencyOptions": [500, 515, 525, 550, 575, 590, 600],
    "voltageOptions": [1120, 1130, 1140, 1150, 1160, 1170, 1180, 1190, 1200],
}


def cgminer_reply(
    section: str, rows: list[dict[str, Any]], code: int, msg: str
) -> bytes:
    """Build a cgminer JSON reply as it is sent: NUL-terminated."""
    status = {
        "STATUS": "S",
        "When": 1765004019,
        "Code": code,
        "Msg": msg,
        "Description": "cgminer 4.11.1",
    }
    return json.dumps({"STATUS": [status], section: rows, "id": 1}).encode() + b"\x00"


NANO3S_VERSION = cgminer_reply(
    "VERSION",
    [
        {
            "CGMiner": "4.11.1",
            "API": "3.7",
            "PROD": "Avalon Nano3s",
            "MODEL": "Nano3s",
            "HWTYPE": "N_MM1v1_X1",
            "SWTYPE": "MM319",
            "LVERSION": "25021401_56abae7",
            "BVERSION": "25021401_56abae7",
            "CGVERSION": "25021401_56abae7",
            "DNA": "020100003cbe4d15",
            "MAC": "e0e1a93f3053",
            "UPAPI": "2",
        }
    ],
    22,
    "CGMiner versions",
)

NANO3S_SUMMARY = cgminer_reply(
    "SUMMARY",
    [
        {
            "Elapsed": 133923,
            "MHS av": 6564727.78,
            "MHS 5s": 5443351.11,
            "MHS 1m": 6649033.64,
            "MHS 5m": 6306581.2,
            "MHS 15m": 6380441.6,
            "Found Blocks": 0,
            "Getworks": 8828,
            "Accepted": 2612,
            "Rejected": 2,
            "Hardware Errors": 0,
            "Utility": 1.17,
            "Stale": 14,
            "Best Share": 224199508,
            "Device Hardware%": 0.0,
            "Pool Rejected%": 0.0875,
        }
    ],
    11,
    "Summary",
)

NANO3S_MM = (
    "Ver[Nano3s-25021401_56abae7] LVer[25021401_56abae7] BVer[25021401_56abae7] "
    "FW[Release] LED[0-0] LEDUser[0-100-100-5-0-255] LcdOnoff[1] LcdSwitch[2] "
    "DNA[02010000bd448216] MEMFREE[63728] PFCnt[0] NETFAIL[0 0 0 0 0 0 0 0] "
    "SYSTEMSTATU[Work: In Work, Hash Board: 1] Elapsed[10027] BOOTBY[0x01.00000000] "
    "LW[7753951] MH[0] DHW[0] HW[0] DH[2.374%] ITemp[-273] OTemp[65] TMax[95] "
    "TAvg[90] TarT[90] Fan1[1520] FanR[33%] PS[0 0 27541 4 0 3756 133] "
    "GHSspd[6598.84] DHspd[2.374%] GHSmm[6783.65] GHSavg[6695.18] WU[93530.53] "
    "Freq[464.89] MGHS[6695.18] MTmax[95] MTavg[90] TA[12] Core[A3197S] BIN[60] "
    "PING[78] SoftOFF[0] ECHU[0] ECMM[0] PLL0[499 254 423 648] SF0[432 450 471 492] "
    "PVT_T0[85 86 88 90 91 92 93 94 95 90 89 88] "
    "PVT_V0[296 297 298 299 300 301 302 303 304 305 306 300] "
    "MW0[283 290 300 310 320 330 338 300 290 285 284 283] CRC[0] COMCRC[0] "
    "ATA2[133-90-3756-432-20] WORKMODE[2] WORKLEVEL[0] MPO[133] CALIALL[7] ADJ[1]"
)


def estats_reply(mm: str, stats_id: str = "AVALON0") -> bytes:
    """Wrap an MM ID0 string in an estats reply."""
    row = {
        "STATS": 0,
        "ID": stats_id,
        "Elapsed": 10027,
        "Calls": 0,
        "Wait": 0.0,
        "Max": 0.0,
        "Min": 99999999.0,
        "MM ID0": mm,
        "MM Count": 1,
        "Nonce Mask": 25,
    }
    return cgminer_reply("STATS", [row], 70, "CGMiner stats")


NANO3S_ESTATS = estats_reply(NANO3S_MM)

NANO3_MM = (
    "HashStatus[1] Ver[nano3-24071801_42c628d] HVer[24071801_b906c52_6223725] "
    "DNA[0000000000000000] HDNA[02010000d89ada98] PFCnt[0] NETFAIL[0 0 0 0 0 0 0 0] "
    "Elapsed[101793] LW[2540537] MH[148] DHW[0] HW[148] DH[1.474%] Temp[52] OTemp[45] "
    "TMax[87] TAvg[85] TarT[85] Fan1[3360] FanR[43%] Vo[0] PS[0 0 0 3 2780 92 314] "
    "GHSspd[3332.40] DHspd[1.474%] GHSmm[3381.96] GHSavg[3044.72] WU[42534.25] "
    "Freq[0.00] Led[0] MGHS[3044.72] MTmax[87] MTavg[85] TA[10] Core[A3198S] "
    "PING[166] SoftOFF[0] ECHU[0] ECMM[0] PLL0[0 258 321 1191] SF0[100 447 467 487] "
    "CRC[0] ATA0[60-80-306-100:293:313:333] ATA1[90-85-314-100:447:467:487] "
    "ATA2[125-90-334-100:574:594:614] WORKLEVEL[1] MPO[90] ADJ[1]"
)
NANO3_ESTATS = estats_reply(NANO3_MM, "AVANANO0")
NANO3_VERSION = cgminer_reply(
    "VERSION",
    [
        {
            "CGMiner": "4.11.1",
            "API": "3.7",
            "PROD": "AvalonNano",
            "MODEL": "Nano3",
            "SWTYPE": "MM318_X2",
            "LVERSION": "24071801_42c628d",
            "DNA": "02010000d89ada98",
            "MAC": "e0e1a93f0001",
        }
    ],
    22,
    "CGMiner versions",
)

_POOL_ROW = {
    "POOL": 0,
    "URL": "stratum+tcp://public-pool.io:21496",
    "Status": "Alive",
    "Priority": 0,
    "Quota": 1,
    "Getworks": 8828,
    "Accepted": 2612,
    "Rejected": 2,
    "User": "bc1qexamplewallet.nano3s",
    "Stratum Active": True,
    "Stratum URL": "public-pool.io",
    "Stratum Difficulty": 40000.0,
    "Best Share": 224199508,
}
NANO3S_POOLS = cgminer_reply(
    "POOLS",
    [
        _POOL_ROW,
        {
            **_POOL_ROW,
            "POOL": 1,
            "URL": "",
            "Status": "Dead",
            "Priority": 1,
            "Stratum Active": False,
        },
    ],
    7,
    "3 Pool(s)",
)

NMMINER_HTTP: dict[str, Any] = {
    "identity": {
        "hwModel": "NMMiner",
        "hostName": "nm-cyd-a1b2c3",
        "fwVersion": "v2.0.04",
        "rssi": -55,
    },
    "miner": {
        "hashRate": 0.001004,
        "sAccepted": 212,
        "sRejected": 1,
        "uptimeSeconds": 7322,
        "uptimeEver": 912004,
        "networkDiff": "126271255279307.0",
        "poolDiff": "0.00050",
        "lastDiff": "0.00210",
        "bestDiffSession": "0.03815",
        "bestDiffEver": "2.11040",
        "blkhits": 0,
        "freeHeap": 117024,
        "minFreeHeap": 93184,
    },
    "stratum": {"url": "public-pool.io:21496", "user": "bc1qexamplewallet.cyd1"},
    "temps": {"vcore": 49.8, "asic": None},
    "storage": {"fsTotal": 1048576, "fsUsed": 262144},
}

NMMINER_UDP: dict[str, Any] = {
    "ip": "192.168.1.88",
    "BoardType": "NM-TV-154",
    "HashRate": "1004.31KH/s",
    "Share": "0/2231/0.0%",
    "NetDiff": "126.27T",
    "PoolDiff": "0.0005",
    "LastDiff": "0.0021",
    "BestDiff": "38.15K",
    "Valid": 0,
    "Progress": 0.31,
    "Temp": 47.5,
    "RSSI": -63,
    "FreeHeap": 81.2,
    "Uptime": "002d 05:41:09",
    "Version": "v1.8.23",
    "PoolInUse": "public-pool.io:21496",
}


def as_bytes(data: dict[str, Any]) -> bytes:
    """Serialize a fixture like the device does."""
    return json.dumps(data).encode()
