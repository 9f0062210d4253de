"""State and settings logic of one AxeOS / NerdQAxe device (no HTTP here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .mining import MiningCounters

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    import random

    from .axeos_profiles import AxeOSProfile

# Flat pool keys by slot: slot 0 = primary ("stratum…"), slot 1 = fallback.
_POOL_FIELDS = ("URL", "Port", "User", "Password")


class PatchError(Exception):
    """The firmware rejects the PATCH (v2.11+: ``400 Wrong API input``)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# v2.11+ rest table (devices.md §1.4): key -> validator. Pool keys are handled apart.
_STRICT_SETTINGS: dict[str, Callable[[Any], bool]] = {
    "ssid": lambda v: isinstance(v, str) and 1 <= len(v) <= 32,
    "wifiPass": lambda v: isinstance(v, str) and len(v) <= 63,
    "hostname": lambda v: isinstance(v, str) and 1 <= len(v) <= 32,
    "frequency": lambda v: _is_number(v) and 1 <= v <= 65535,
    "coreVoltage": lambda v: _is_number(v) and 1 <= v <= 65535,
    "overclockEnabled": lambda v: _is_number(v) and v in (0, 1),
    "display": lambda v: isinstance(v, str),
    "rotation": lambda v: _is_number(v) and v in (0, 90, 180, 270),
    "invertscreen": lambda v: _is_number(v) and v in (0, 1),
    "displayTimeout": lambda v: _is_number(v) and -1 <= v <= 65535,
    "autofanspeed": lambda v: _is_number(v) and v in (0, 1),
    "manualFanSpeed": lambda v: _is_number(v) and 0 <= v <= 100,
    "minFanSpeed": lambda v: _is_number(v) and 0 <= v <= 99,
    "temptarget": lambda v: _is_number(v) and 35 <= v <= 66,
    "overheat_mode": lambda v: _is_number(v) and v == 0,
    "statsFrequency": lambda v: _is_number(v) and 0 <= v <= 65535,
}
_STRICT_POOL: dict[str, Callable[[Any], bool]] = {
    "URL": lambda v: isinstance(v, str) and len(v) <= 128,
    "Port": lambda v: _is_number(v) and 1 <= v <= 65535,
    "User": lambda v: isinstance(v, str) and len(v) <= 128,
    "Password": lambda v: isinstance(v, str) and len(v) <= 64,
}
_LEGACY_SETTINGS = [
    "ssid",
    "wifiPass",
    "hostname",
    "coreVoltage",
    "frequency",
    "overheat_mode",
    "display",
    "rotation",
    "invertscreen",
    "displayTimeout",
    "autofanspeed",
    "fanspeed",
    "temptarget",
    "statsFrequency",
    "overclockEnabled",
    "minFanSpeed",
    "flipscreen",
]
# NerdQAxe v1.0.37.1 PATCH keys (devices.md §2.3), pool keys apart.
_NERD_SETTINGS = [
    "ssid",
    "wifiPass",
    "hostname",
    "coreVoltage",
    "frequency",
    "jobInterval",
    "stratumDifficulty",
    "flipscreen",
    "overheat_temp",
    "invertscreen",
    "invertfanpolarity",
    "autofanspeed",
    "manualFanSpeed",
    "autoscreenoff",
    "stratum_keep",
    "pidTargetTemp",
    "pidP",
    "pidI",
    "pidD",
    "vrFrequency",
    "poolMode",
]


def new_pool(url: str, port: int, user: str, password: str = "x") -> dict[str, Any]:  # noqa: S107
    """One pool slot as stored in NVS."""
    return {"URL": url, "Port": port, "User": user, "Password": password}


class AxeOSDevice:
    """Settings (NVS), the running configuration, counters and physics."""

    def __init__(self, profile: AxeOSProfile, rng: random.Random) -> None:
        """Factory state as in the fixtures of devices.md §1.9 / §2.4."""
        self.profile = profile
        self.rng = rng
        self.frequency: float = profile.default_frequency
        self.core_voltage: int = profile.default_voltage
        tag = "nqpp" if profile.nerdqaxe else profile.hostname
        self.pools: dict[int, dict[str, Any]] = {
            0: new_pool("public-pool.io", 21496, f"bc1qsimwallet.{tag}", "x"),
            1: new_pool("solo.ckpool.org", 3333, f"bc1qsimwallet.{tag}", "x"),
        }
        self.primary = 0
        self.secondary = 1
        self.settings: dict[str, Any] = {
            "ssid": "HomeWiFi",
            "hostname": profile.hostname,
            "autofanspeed": 2 if profile.nerdqaxe else 1,
            "fanspeed": 58,
            "manualFanSpeed": 100 if profile.nerdqaxe else 70,
            "temptarget": 60,
            "overclockEnabled": 0,
            "display": "SSD1306 (128x32)",
            "rotation": 0,
            "invertscreen": 0,
            "displayTimeout": -1,
            "overheat_mode": 0,
            "statsFrequency": 0,
            "minFanSpeed": 25,
        }
        self.counters = MiningCounters(
            rng=rng,
            uptime_offset=604800 if profile.nerdqaxe else 262144,
            accepted=48210 if profile.nerdqaxe else 15432,
            rejected=37 if profile.nerdqaxe else 21,
            best_session=91827364.0 if profile.nerdqaxe else 36071194.0,
            best_ever=2718281828.0 if profile.nerdqaxe else 4291826174.0,
            pool_difficulty=16384.0 if profile.nerdqaxe else 4096.0,
        )
        self.active_pool = self._configured_primary()
        self.hashrate = 0.0
        self.tick()

    # -- physics -----------------------------------------------------------

    @property
    def expected_hashrate(self) -> float:
        """GH/s = frequency x small cores x ASICs / 1000 (firmware formula)."""
        p = self.profile
        return self.frequency * p.small_core_count * p.asic_count / 1000.0

    @property
    def power(self) -> float:
        """Dynamic power scales with f·V²."""
        p = self.profile
        return round(
            p.power_at_default
            * (self.frequency / p.default_frequency)
            * (self.core_voltage / p.default_voltage) ** 2,
            2,
        )

    @property
    def temperature(self) -> float:
        """Chip temperature rises with power above a 25 °C ambient."""
        p = self.profile
        return round(
            25.0 + (p.temp_at_default - 25.0) * self.power / p.power_at_default, 1
        )

    @property
    def fan_percent(self) -> int:
        """Auto fan follows temperature; manual uses the set-point."""
        if self.settings["autofanspeed"]:
            return int(min(100, max(20, 40 + (self.temperature - 50) * 2)))
        key = self.profile.fan_key
        return int(self.settings.get(key, 100))

    def tick(self) -> None:
        """One status read: new hashrate sample, counters advance."""
        self.hashrate = round(self.expected_hashrate * self.rng.uniform(0.98, 1.03), 2)
        self.counters.tick(self.hashrate)

    # -- pools -------------------------------------------------------------

    def _configured_primary(self) -> tuple[str, int, str]:
        slot = self.pools[self.primary]
        return (slot["URL"], int(slot["Port"]), slot["User"])

    @property
    def active_pool_address(self) -> str:
        """``host:port`` the device is mining on right now."""
        return f"{self.active_pool[0]}:{self.active_pool[1]}"

    def boot(self) -> None:
        """Reboot: the pool settings in NVS become the running ones."""
        self.active_pool = self._configured_primary()
        self.counters.reboot()
        self.tick()

    # -- PATCH -------------------------------------------------------------

    def patch(self, body: Any) -> None:
        """Apply a PATCH ``/api/system`` body the way this firmware does."""
        if not isinstance(body, dict):
            raise PatchError
        p = self.profile
        if p.nerdqaxe:
            self._patch_nerd(body)
        elif p.strict_patch:
            self._patch_strict(body)
        else:
            self._patch_legacy(body)

    def _apply_setting(self, key: str, value: Any) -> None:
        if key == "frequency":
            self.frequency = (
                float(value) if self.profile.release >= (2, 10) else int(value)
            )
        elif key == "coreVoltage":
            self.core_voltage = int(value)
        else:
            self.settings[key] = value

    def _apply_unchecked(self, body: dict[str, Any], keys: Iterable[str]) -> None:
        # Firmware without a validation table: only frequency/voltage > 0 is checked.
        for key in keys:
            if key not in body:
                continue
            value = body[key]
            if key in ("frequency", "coreVoltage") and not (
                _is_number(value) and value > 0
            ):
                continue
            self._apply_setting(key, value)

    def _patch_legacy(self, body: dict[str, Any]) -> None:
        # <= v2.10: a hand-written key list, no validation beyond frequency/voltage > 0.
        self._apply_unchecked(body, _LEGACY_SETTINGS)
        for slot, prefix in ((0, "stratum"), (1, "fallbackStratum")):
            for field in _POOL_FIELDS:
                if f"{prefix}{field}" in body:
                    self.pools[slot][field] = body[f"{prefix}{field}"]

    def _patch_strict(self, body: dict[str, Any]) -> None:
        # v2.11+: validate everything first; any invalid known key rejects the request.
        for key, check in _STRICT_SETTINGS.items():
            if key in body and not check(body[key]):
                raise PatchError
        flat_pools = not self.profile.multi_pool
        if flat_pools:
            for prefix in ("stratum", "fallbackStratum"):
                for field, check in _STRICT_POOL.items():
                    key = f"{prefix}{field}"
                    if key in body and not check(body[key]):
                        raise PatchError
        else:
            self._validate_multi_pool(body)
        for key in _STRICT_SETTINGS:
            if key in body:
                self._apply_setting(key, body[key])
        if flat_pools:
            for slot, prefix in ((0, "stratum"), (1, "fallbackStratum")):
                for field in _POOL_FIELDS:
                    if f"{prefix}{field}" in body:
                        self.pools[slot][field] = body[f"{prefix}{field}"]
        else:
            # v2.15: flat stratum keys are gone from the rest table (silently ignored).
            for entry in body.get("pools", []):
                self.put_pool(int(entry["id"]), entry)
            for key in ("primaryPoolIndex", "secondaryPoolIndex"):
                if key in body:
                    setattr(self, key.removesuffix("PoolIndex"), int(body[key]))

    def _validate_multi_pool(self, body: dict[str, Any]) -> None:
        pools = body.get("pools", [])
        if not isinstance(pools, list):
            raise PatchError
        for entry in pools:
            if not isinstance(entry, dict) or not self.valid_pool(entry):
                raise PatchError
            if not (_is_number(entry.get("id")) and 0 <= entry["id"] <= 7):
                raise PatchError
        for key in ("primaryPoolIndex", "secondaryPoolIndex"):
            if key in body and not (_is_number(body[key]) and 0 <= body[key] <= 7):
                raise PatchError

    @staticmethod
    def valid_pool(entry: dict[str, Any]) -> bool:
        """``validate_pool_json``: URL, port and user required and non-empty."""
        url, port, user = (
            entry.get(k) for k in ("stratumURL", "stratumPort", "stratumUser")
        )
        return (
            isinstance(url, str)
            and bool(url)
            and isinstance(port, int | float)
            and not isinstance(port, bool)
            and 1 <= port <= 65535
            and isinstance(user, str)
            and bool(user)
            and isinstance(entry.get("stratumPassword", "x"), str)
        )

    def put_pool(self, slot: int, entry: dict[str, Any]) -> None:
        """Store one v2.15 pool slot (``*****`` keeps the stored password)."""
        old = self.pools.get(slot, {})
        password = entry.get("stratumPassword", "x")
        if password == "*****":  # noqa: S105 (the firmware's mask)
            password = old.get("Password", "x")
        self.pools[slot] = new_pool(
            entry["stratumURL"],
            int(entry["stratumPort"]),
            entry["stratumUser"],
            password,
        )

    def _patch_nerd(self, body: dict[str, Any]) -> None:
        # NerdQAxe applies every key live, the stratum manager reconnects at once.
        self._apply_unchecked(body, _NERD_SETTINGS)
        changed = False
        for slot, prefix in ((0, "stratum"), (1, "fallbackStratum")):
            for field in _POOL_FIELDS:
                if f"{prefix}{field}" in body:
                    self.pools[slot][field] = body[f"{prefix}{field}"]
                    changed = True
        if changed:
            self.active_pool = self._configured_primary()
