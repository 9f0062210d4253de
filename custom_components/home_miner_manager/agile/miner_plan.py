"""Carry out one miner's strategy plan: power switch, pool, mode.

Each command goes through the same audited commands a user's change uses
(``commands.py``), so the audit trail shows the strategy (user ``system``)
beside manual changes. Errors come back as translated HomeAssistantErrors.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .. import const
from ..const import CONF_POWER_SWITCH, DOMAIN
from ..miner import commands
from ..strategy.plan import Action
from .pools import pool_for_coin

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from ..miner.coordinator import MinerCoordinator
    from ..strategy.plan import Command

_ORDER = {
    Action.POWER_OFF: 0,
    Action.POWER_ON: 0,
    Action.SET_MODE: 1,
    Action.SET_POOL: 2,
}
HISTORY_KEEP = 12  # executed plans remembered per miner (the limit looks back 1 h)


@dataclass(slots=True)
class MinerRunState:
    """What the strategy remembers about one miner (state_data["miners"])."""

    history: list[datetime] = field(default_factory=list)
    last_command: str | None = None
    last_command_at: datetime | None = None
    last_error: str | None = None
    off_by_strategy: bool = False
    # The band whose settings this miner was last brought to (0: off).
    applied_band_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "history": [moment.isoformat() for moment in self.history[-HISTORY_KEEP:]],
            "last_command": self.last_command,
            "last_command_at": self.last_command_at.isoformat()
            if self.last_command_at
            else None,
            "last_error": self.last_error,
            "off_by_strategy": self.off_by_strategy,
            "applied_band_id": self.applied_band_id,
        }

    @classmethod
    def from_dict(cls, data: object) -> MinerRunState:
        """Rebuild; anything unreadable gives defaults."""
        if not isinstance(data, dict):
            return cls()
        history = [
            moment
            for raw in data.get("history") or []
            if isinstance(raw, str) and (moment := dt_util.parse_datetime(raw))
        ]
        raw_at = data.get("last_command_at")
        last_at = dt_util.parse_datetime(raw_at) if isinstance(raw_at, str) else None
        command = data.get("last_command")
        error = data.get("last_error")
        applied = data.get("applied_band_id")
        return cls(
            history=history,
            last_command=command if isinstance(command, str) else None,
            last_command_at=last_at,
            last_error=error if isinstance(error, str) else None,
            off_by_strategy=data.get("off_by_strategy") is True,
            applied_band_id=applied if isinstance(applied, int) else None,
        )


def power_switch(coordinator: MinerCoordinator) -> str | None:
    """Return the miner's power switch entity id, if it has one."""
    value = coordinator.subentry.data.get(CONF_POWER_SWITCH)
    return str(value) if value else None


def _error(key: str, coordinator: MinerCoordinator, **extra: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"name": coordinator.subentry.title, **extra},
    )


async def _async_power(
    hass: HomeAssistant, coordinator: MinerCoordinator, on: bool
) -> None:
    switch_id = power_switch(coordinator)
    if switch_id is None or hass.states.get(switch_id) is None:
        raise _error("power_switch_missing", coordinator, entity_id=str(switch_id))
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": switch_id},
        blocking=True,
    )


async def async_wait_for_miner(coordinator: MinerCoordinator, wait: bool) -> None:
    """Poll until the miner answers (``wait``: for up to POWER_ON_WAIT)."""
    deadline = dt_util.utcnow() + const.POWER_ON_WAIT
    while True:
        await coordinator.async_refresh()
        if coordinator.available:
            return
        if not wait or dt_util.utcnow() >= deadline:
            raise _error("miner_not_answering", coordinator)
        await asyncio.sleep(const.POWER_ON_POLL_EVERY_S)


def set_expected_offline(coordinator: MinerCoordinator, off: bool) -> None:
    """Mark a miner the strategy switched off (slow, quiet polling) or back on."""
    coordinator.async_set_expected_offline(off)


async def async_apply(
    hass: HomeAssistant,
    entry: ConfigEntry,
    coordinator: MinerCoordinator,
    planned: tuple[Command, ...],
    done: list[Command] | None = None,
) -> None:
    """Run the commands; stop at the first failure (raised).

    Power first, then the mode, then the pool: most firmware reboots to
    apply a pool, and a mode sent during that reboot would be refused.
    Each command that went through is appended to ``done``.
    """
    done = [] if done is None else done
    powered_on = False
    for command in sorted(planned, key=lambda c: _ORDER[c.action]):
        if command.action is Action.POWER_OFF:
            await _async_power(hass, coordinator, False)
            set_expected_offline(coordinator, True)
        elif command.action is Action.POWER_ON:
            await _async_power(hass, coordinator, True)
            set_expected_offline(coordinator, False)
            powered_on = True
        else:
            if not coordinator.available or powered_on:
                # Just switched on (or off by strategy before): wait for it.
                await async_wait_for_miner(coordinator, wait=powered_on)
                powered_on = False
            if command.action is Action.SET_POOL:
                await _async_set_pool(entry, coordinator, str(command.value))
            elif command.action is Action.SET_MODE:
                await commands.async_set_mode(coordinator, str(command.value))
        done.append(command)


async def _async_set_pool(
    entry: ConfigEntry, coordinator: MinerCoordinator, coin: str
) -> None:
    pool = pool_for_coin(entry, coin)
    if pool is None:
        raise _error("strategy_missing_pool", coordinator, coin=coin)
    await commands.async_switch_pool(coordinator, pool)
