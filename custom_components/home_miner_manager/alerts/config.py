"""Alert types, their default settings and the AlertConfig rows to seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import math
from typing import TYPE_CHECKING, Any, TypeGuard

from ..devices.types import MinerType

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class AlertType(StrEnum):
    """The alert types (``AlertConfig.alert_type``)."""

    MINER_OFFLINE = "miner_offline"
    HIGH_TEMPERATURE = "high_temperature"
    HIGH_REJECT_RATE = "high_reject_rate"
    LOW_HASHRATE = "low_hashrate"
    POOL_FAILURE = "pool_failure"
    BLOCK_FOUND = "block_found"
    STRATEGY_ERROR = "strategy_error"


# Channel names; "ha_notify" is Home Assistant's notify service (HA glue).
CHANNELS: tuple[str, ...] = ("telegram", "discord", "ha_notify")
DEFAULT_COOLDOWN_MINUTES = 60.0
OTHER_TYPES = "default"  # key of the threshold for every unlisted miner type

# Per-type parameters. Every row also accepts "cooldown_minutes" and "channels".
DEFAULT_PARAMS: dict[AlertType, dict[str, Any]] = {
    AlertType.MINER_OFFLINE: {"timeout_minutes": 5},
    AlertType.HIGH_TEMPERATURE: {
        "threshold_celsius": {
            MinerType.BITAXE.value: 70,
            MinerType.NERDQAXE.value: 75,
            MinerType.AVALON_NANO.value: 95,
            OTHER_TYPES: 75,
        },
        # Cleared only this far under the limit, so a miner hovering at its
        # limit does not flap.
        "clear_margin_celsius": 2,
    },
    AlertType.HIGH_REJECT_RATE: {
        "threshold_percent": 5,
        "window_minutes": 60,
        # A solo miner finds few shares an hour; 1 of 3 rejected is noise.
        "min_shares": 20,
    },
    AlertType.LOW_HASHRATE: {
        "drop_percent": 30,
        "window_minutes": 60,
        # "Now" is the mean of this many recent minutes, not one reading.
        "recent_minutes": 5,
        "mode_change_grace_minutes": 20,
        "min_samples": 5,
    },
    AlertType.POOL_FAILURE: {},
    AlertType.BLOCK_FOUND: {},
    AlertType.STRATEGY_ERROR: {"max_failures": 3},
}


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Effective settings of one alert type (defaults merged with its row)."""

    alert_type: AlertType
    enabled: bool = True
    cooldown_minutes: float = DEFAULT_COOLDOWN_MINUTES
    channels: tuple[str, ...] = CHANNELS
    params: dict[str, Any] = field(default_factory=dict)
    # Resolved once: the evaluator reads these for every miner.
    _numbers: dict[str, float] = field(init=False, repr=False, compare=False)
    _limits: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Resolve numeric parameters and temperature limits, defaults for invalid."""
        defaults = DEFAULT_PARAMS[self.alert_type]
        numbers = {
            key: float(self.params[key] if _is_number(self.params.get(key)) else value)
            for key, value in defaults.items()
            if _is_number(value)
        }
        limits: dict[str, float] = {}
        if self.alert_type is AlertType.HIGH_TEMPERATURE:
            limits = {k: float(v) for k, v in defaults["threshold_celsius"].items()}
            configured = self.params.get("threshold_celsius")
            if isinstance(configured, dict):
                limits.update(
                    {str(k): float(v) for k, v in configured.items() if _is_number(v)}
                )
            elif _is_number(configured):
                limits[OTHER_TYPES] = float(configured)
        object.__setattr__(self, "_numbers", numbers)
        object.__setattr__(self, "_limits", limits)

    @property
    def cooldown_s(self) -> float:
        """Cooldown in seconds."""
        return self.cooldown_minutes * 60.0

    def number(self, key: str) -> float:
        """Return a numeric parameter (its default if the configured one is invalid)."""
        return self._numbers[key]

    def temperature_limit(self, miner_type: str) -> float:
        """Return the high-temperature limit for a miner type.

        ``threshold_celsius`` is a {miner type: °C} dict ("default" for the
        others). A plain number (upstream's seeded ``{"threshold_celsius": 75}``)
        sets "default" only: upstream's single figure made every Avalon, which
        runs at 80-90 °C, alert all the time.
        """
        limits = self._limits
        return limits.get(str(miner_type), limits[OTHER_TYPES])


def _is_number(value: object) -> TypeGuard[int | float]:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def default_settings(alert_type: AlertType | str) -> AlertSettings:
    """Return the defaults of one alert type."""
    kind = AlertType(alert_type)
    return AlertSettings(kind, params=dict(DEFAULT_PARAMS[kind]))


def default_alert_config_rows() -> list[dict[str, Any]]:
    """Rows to seed ``alert_config`` with: one per type, all enabled."""
    return [
        {
            "alert_type": kind.value,
            "enabled": True,
            "config": {
                **_copy(DEFAULT_PARAMS[kind]),
                "cooldown_minutes": DEFAULT_COOLDOWN_MINUTES,
                "channels": list(CHANNELS),
            },
        }
        for kind in AlertType
    ]


def _copy(params: dict[str, Any]) -> dict[str, Any]:
    return {k: dict(v) if isinstance(v, dict) else v for k, v in params.items()}


def settings_from_rows(
    rows: Iterable[Mapping[str, Any]],
) -> dict[AlertType, AlertSettings]:
    """Build settings for every type from ``AlertConfig``-like mappings.

    Each row: ``alert_type``, ``enabled``, ``config`` (dict or None). Unknown
    types are ignored, missing types get their defaults, and an invalid value
    falls back to its default instead of failing: these rows are user data.
    """
    result = {kind: default_settings(kind) for kind in AlertType}
    for row in rows:
        try:
            kind = AlertType(str(row.get("alert_type")))
        except ValueError:
            continue
        config = row.get("config")
        config = dict(config) if isinstance(config, dict) else {}
        cooldown = config.pop("cooldown_minutes", DEFAULT_COOLDOWN_MINUTES)
        if not _is_number(cooldown) or cooldown < 0:
            cooldown = DEFAULT_COOLDOWN_MINUTES
        channels = config.pop("channels", CHANNELS)
        if not isinstance(channels, list | tuple) or not all(
            isinstance(c, str) for c in channels
        ):
            channels = CHANNELS
        result[kind] = AlertSettings(
            kind,
            enabled=bool(row.get("enabled", True)),
            cooldown_minutes=float(cooldown),
            channels=tuple(channels),
            params={**DEFAULT_PARAMS[kind], **config},
        )
    return result
