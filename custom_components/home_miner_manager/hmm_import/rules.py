"""Upstream automation rules mapped onto our ``rule`` subentries (plain data).

Upstream's JSON names one miner (``miner_id``, or ``"type:<miner_type>"`` for
``apply_mode``) and one pool (``pool_id``) by its own ids; ours name subentries
(pools by title, as the rule flow stores them). A rule that cannot mean the
same here is skipped with a reason (:data:`SKIP_REASONS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import math
from typing import Any, Final

from ..devices.types import (
    AVALON_MODES,
    AXEOS_MODES,
    MinerType,
)
from .normalize import number

UNIQUE_ID_PREFIX: Final = "hmm_rule_"
# Upstream's defaults where its JSON leaves a value out.
_DEFAULT_MESSAGES: Final = {
    "send_alert": "Automation alert triggered",
    "log_event": "Automation event logged",
}
# Upstream's action names → ours.
_ACTIONS: Final = {
    "apply_mode": "apply_mode",
    "switch_pool": "switch_pool",
    "send_alert": "alert",
    "log_event": "log_event",
}
_MODES: Final[dict[str, tuple[str, ...]]] = {
    MinerType.BITAXE: AXEOS_MODES,
    MinerType.NERDQAXE: AXEOS_MODES,
    MinerType.AVALON_NANO: AVALON_MODES,
    MinerType.NMMINER: (),
}
# The rule flow's limits (a value outside them could not be saved there).
_PRICE_LIMITS: Final = (-10000.0, 100000.0)
_MINUTES_LIMITS: Final = (0.0, 10080.0)
_CELSIUS_LIMITS: Final = (0.0, 150.0)
_PRIORITY_LIMITS: Final = (-1000, 10000)

SKIP_REASONS: Final = (
    "unknown_trigger_type",  # not one of upstream's five triggers
    "unknown_action_type",  # not one of upstream's five actions
    "pool_failure_not_equivalent",  # upstream's: a miner without a pool; ours: a pool down
    "ha_device_not_carried",  # upstream's HA devices are not imported
    "no_miner",  # upstream never ran it (no miner named)
    "miner_not_imported",
    "pool_not_imported",
    "mode_not_supported",  # not a mode of a named miner's type (e.g. "Eco")
    "invalid_trigger",
    "invalid_action",
)


class RuleSkipped(Exception):  # noqa: N818  (a verdict, not a failure)
    """A rule that has no equivalent here; ``reason`` is one of SKIP_REASONS."""

    def __init__(self, reason: str) -> None:
        """Keep the reason."""
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SourceRule:
    """One ``automation_rules`` row (JSON columns decoded; None if unreadable)."""

    source_id: int
    name: str
    enabled: bool
    priority: int
    trigger_type: str
    trigger_config: dict[str, Any]
    action_type: str
    action_config: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RuleMiner:
    """A source miner; ``subentry_id`` is None if it was not imported."""

    raw_type: str
    enabled: bool
    subentry_id: str | None = None
    miner_type: str | None = None  # ours


@dataclass(slots=True)
class RuleTargets:
    """What upstream's ids mean here: every source miner, imported pools' titles."""

    miners: dict[int, RuleMiner] = field(default_factory=dict)
    pools: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MappedRule:
    """A rule subentry to create (``data`` as the rule flow stores it)."""

    unique_id: str
    title: str
    data: dict[str, Any]


def rule_unique_id(source_id: int) -> str:
    """Return the imported rule's subentry unique id (a second run finds it)."""
    return f"{UNIQUE_ID_PREFIX}{source_id}"


def map_rule(rule: SourceRule, targets: RuleTargets) -> MappedRule:
    """Return our rule for an upstream one; raise :class:`RuleSkipped` if none."""
    trigger_config = _trigger(rule.trigger_type, rule.trigger_config, targets)
    action_type, action_config = _action(rule.action_type, rule.action_config, targets)
    name = rule.name.strip()[:100] or f"HMM rule {rule.source_id}"
    low, high = _PRIORITY_LIMITS
    return MappedRule(
        unique_id=rule_unique_id(rule.source_id),
        title=name,
        data={
            "name": name,
            # Upstream runs the lowest priority first, ours the highest.
            "priority": min(max(-rule.priority, low), high),
            "enabled": rule.enabled,
            "trigger_type": rule.trigger_type,
            "trigger_config": trigger_config,
            "action_type": action_type,
            "action_config": action_config,
        },
    )


def _bounded(raw: object, limits: tuple[float, float], reason: str) -> float:
    value = number(raw)
    if value is None or not math.isfinite(value):
        raise RuleSkipped(reason)
    if not limits[0] <= value <= limits[1]:
        raise RuleSkipped(reason)
    return value


def _trigger(kind: str, config: dict[str, Any], targets: RuleTargets) -> dict[str, Any]:
    invalid = "invalid_trigger"
    if kind == "price_threshold":
        condition = config.get("condition", "below")
        if condition in ("below", "above"):
            price = _bounded(config.get("threshold", 0), _PRICE_LIMITS, invalid)
            return {"condition": condition, "threshold": price}
        if condition in ("between", "outside"):
            low = _bounded(config.get("threshold_min", 0), _PRICE_LIMITS, invalid)
            high = _bounded(config.get("threshold_max", 999), _PRICE_LIMITS, invalid)
            if high <= low:
                raise RuleSkipped(invalid)
            return {"condition": condition, "threshold": low, "threshold_high": high}
        raise RuleSkipped(invalid)
    if kind == "time_window":
        return {
            "start": _clock(config.get("start", "00:00")),
            "end": _clock(config.get("end", "23:59")),
        }
    if kind == "miner_offline":
        minutes = _bounded(config.get("timeout_minutes", 5), _MINUTES_LIMITS, invalid)
        return {"miners": _miner(config, targets, invalid), "minutes": minutes}
    if kind == "miner_overheat":
        limit = _bounded(config.get("threshold", 80), _CELSIUS_LIMITS, invalid)
        return {"miners": _miner(config, targets, invalid), "threshold_celsius": limit}
    if kind == "pool_failure":
        raise RuleSkipped("pool_failure_not_equivalent")
    raise RuleSkipped("unknown_trigger_type")


def _clock(raw: object) -> str:
    """Upstream's "HH:MM" as our time selector's "HH:MM:SS"."""
    try:
        parsed = datetime.strptime(str(raw), "%H:%M")  # noqa: DTZ007  (a clock time)
    except ValueError:
        raise RuleSkipped("invalid_trigger") from None
    return parsed.strftime("%H:%M:00")


def _miner(config: dict[str, Any], targets: RuleTargets, invalid: str) -> list[str]:
    """Return the one miner a trigger or switch_pool names, as a subentry id."""
    raw = config.get("miner_id")
    if raw is None or raw == "":
        raise RuleSkipped("no_miner")  # upstream skipped such a rule
    value = number(raw)
    if value is None or not value.is_integer():
        raise RuleSkipped(invalid)
    miner = targets.miners.get(int(value))
    if miner is None:
        raise RuleSkipped("no_miner")  # upstream found no such miner either
    if miner.subentry_id is None:
        raise RuleSkipped("miner_not_imported")
    return [miner.subentry_id]


def _miner_group(
    config: dict[str, Any], targets: RuleTargets
) -> list[tuple[str, str | None]]:
    """apply_mode's miners: one, or upstream's enabled miners of a type."""
    raw = config.get("miner_id")
    if not (isinstance(raw, str) and raw.startswith("type:")):
        subentry_id = _miner(config, targets, "invalid_action")[0]
        found = next(m for m in targets.miners.values() if m.subentry_id == subentry_id)
        return [(subentry_id, found.miner_type)]
    group = [m for m in targets.miners.values() if m.raw_type == raw[5:] and m.enabled]
    if not group:
        raise RuleSkipped("no_miner")
    if any(m.subentry_id is None for m in group):
        raise RuleSkipped("miner_not_imported")
    return [(str(m.subentry_id), m.miner_type) for m in group]


def _action(
    kind: str, config: dict[str, Any], targets: RuleTargets
) -> tuple[str, dict[str, Any]]:
    if kind == "control_ha_device":
        raise RuleSkipped("ha_device_not_carried")
    ours = _ACTIONS.get(kind)
    if ours is None:
        raise RuleSkipped("unknown_action_type")
    if kind in _DEFAULT_MESSAGES:
        message = str(config.get("message") or _DEFAULT_MESSAGES[kind]).strip()
        return ours, {"message": message or _DEFAULT_MESSAGES[kind]}
    if kind == "switch_pool":
        miners = _miner(config, targets, "invalid_action")
        pool_id = number(config.get("pool_id"))
        if pool_id is None or not pool_id.is_integer():
            raise RuleSkipped("invalid_action")
        title = targets.pools.get(int(pool_id))
        if title is None:
            raise RuleSkipped("pool_not_imported")
        return ours, {"miners": miners, "pool": title}
    mode = config.get("mode")
    if not isinstance(mode, str) or not mode:
        raise RuleSkipped("invalid_action")
    group = _miner_group(config, targets)
    # Upstream passed the text to the device as is: "Eco" never worked there.
    if any(mode not in _MODES.get(str(kind_), ()) for _sid, kind_ in group):
        raise RuleSkipped("mode_not_supported")
    return ours, {"miners": [sid for sid, _kind in group], "mode": mode}
