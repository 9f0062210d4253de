"""What the strategy does to a miner, told to the logbook and the entities.

Each command run fires ``home_miner_manager_strategy_action`` in a context of
its own, before the commands go out: the miner's mode and pool selects write
their new state in that context, so the logbook reads "Mode changed to eco
triggered by Agile strategy ..." instead of an unexplained change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import Context
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from ..compat import device_by_identifier
from ..const import DOMAIN, EVENT_BAND_CHANGED, LOGGER
from ..strategy.describe import band_name, commands_text
from ..strategy.plan import Action, PlanReason

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from ..miner.coordinator import MinerCoordinator
    from ..strategy.decide import Decision
    from ..strategy.plan import Command

EVENT_STRATEGY_ACTION: Final = "home_miner_manager_strategy_action"
# A pool switch reboots the miner: its selects change a minute or two later.
CONTEXT_KEPT: Final = timedelta(minutes=3)

KIND_SET: Final = "set"  # commands sent
KIND_DRIFT: Final = "drift"  # changed by someone since: put back
KIND_FAILED: Final = "failed"
KIND_LOWEST_MODE: Final = "lowest_mode"  # OFF band, no power switch
KIND_CANNOT_TURN_OFF: Final = "cannot_turn_off"  # OFF band, no switch, no modes


@dataclass(frozen=True, slots=True)
class CommandContext:
    """The context a miner's commands were sent in, and what they set."""

    context: Context
    at: datetime
    mode: str | None
    pool_coin: str | None

    def explains(self, *, mode: str | None = None, coin: str | None = None) -> bool:
        """Tell whether a new mode or pool reading is what was sent, lately."""
        if dt_util.utcnow() - self.at > CONTEXT_KEPT:
            return False
        if mode is not None:
            return mode == self.mode
        return coin is not None and coin.upper() == (self.pool_coin or "")


def command_context(commands: Sequence[Command]) -> CommandContext:
    """Return a new context for these commands."""
    mode = next((c.value for c in commands if c.action is Action.SET_MODE), None)
    coin = next((c.value for c in commands if c.action is Action.SET_POOL), None)
    return CommandContext(
        Context(), dt_util.utcnow(), mode, coin.upper() if coin else None
    )


def _device_id(hass: HomeAssistant, coordinator: MinerCoordinator) -> str | None:
    device = device_by_identifier(
        dr.async_get(hass),
        (DOMAIN, coordinator.device_identifier),
        coordinator.config_entry.entry_id,
    )
    return device.id if device is not None else None


def fire_action(
    hass: HomeAssistant,
    coordinator: MinerCoordinator,
    kind: str,
    *,
    commands: Sequence[Command] = (),
    band: str | None = None,
    error: str | None = None,
    context: Context | None = None,
    reason: str | None = None,
) -> None:
    """Fire the event the logbook shows on the miner's device page."""
    hass.bus.async_fire(
        EVENT_STRATEGY_ACTION,
        {
            "kind": kind,
            "miner": coordinator.subentry.title,
            "device_id": _device_id(hass, coordinator),
            "commands": [
                f"{c.action.value}:{c.value}" if c.value else c.action.value
                for c in commands
            ],
            "text": commands_text(commands),
            "band": band,
            "error": error,
            "reason": reason,  # PlanReason value: why, for the logbook
        },
        context=context,
    )


def fire_band_changed(
    hass: HomeAssistant,
    previous: Decision | None,
    decision: Decision,
    trigger: str,
    price_unit: str,
) -> dict[str, Any]:
    """Fire the band change event; return its data (also stored and audited)."""
    old = previous.band if previous is not None else None
    data = {
        "from_band": band_name(old, price_unit),
        "to_band": band_name(decision.band, price_unit),
        "from_band_id": old.id if old is not None else None,
        "to_band_id": decision.band_id,
        "coin": decision.band.target_coin if decision.band else None,
        "price_pence": decision.price_pence,
        "reason": decision.reason.value,
        "trigger": trigger,
    }
    LOGGER.info("Strategy band %s -> %s", data["from_band"], data["to_band"])
    hass.bus.async_fire(EVENT_BAND_CHANGED, data)
    return data


def action_message(data: dict[str, object]) -> str:
    """Return the logbook message of a strategy action event."""
    miner = data.get("miner") or "a miner"
    text = data.get("text") or ""
    kind = data.get("kind")
    if kind == KIND_DRIFT:
        return f"put {miner} back: {text}{_why(data)}"
    if kind == KIND_FAILED:
        return f"could not set {miner} ({text}): {data.get('error') or '?'}"
    if kind == KIND_LOWEST_MODE:
        return (
            f"has no power switch for {miner}: it keeps mining at its lowest "
            f"mode while the band is OFF ({text or 'already there'})"
        )
    if kind == KIND_CANNOT_TURN_OFF:
        return (
            f"cannot stop {miner}: it has no power switch and no modes, so it "
            "keeps mining while the band is OFF"
        )
    return f"set {miner}: {text}{_why(data)}"


def _why(data: dict[str, object]) -> str:
    """Return why the strategy sent the commands, as a suffix (or nothing)."""
    band = data.get("band")
    reason = data.get("reason")
    if reason in (PlanReason.APPLY, PlanReason.IN_PLACE):
        return f", mining in band {band}" if band else ""
    if reason == PlanReason.OFF:
        return (
            f", off because the price is in band {band}"
            if band
            else (", off: no band (or no price) for now")
        )
    if reason == PlanReason.BENCHED:
        return f", benched: only the champion mines in band {band}"
    if reason == PlanReason.CHAMPION:
        return f", the champion of band {band} (its lowest mode)"
    return ""
