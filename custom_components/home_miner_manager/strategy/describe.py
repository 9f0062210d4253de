"""Commands as people read them: "switch on, mode eco, DGB pool".

The stored form (``set_pool:DGB, set_mode:eco``) stays as it is in
``state_data`` and the audit log; entities and the logbook show this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .plan import Action

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .bands import Band
    from .plan import Command


def command_text(action: str, value: str | None) -> str:
    """Return one command in words (an unknown action as it is)."""
    if action == Action.POWER_ON:
        return "switch on"
    if action == Action.POWER_OFF:
        return "switch off"
    if action == Action.SET_MODE:
        return f"mode {value}"
    if action == Action.SET_POOL:
        return f"{value} pool"
    return f"{action} {value}" if value else action


def commands_text(commands: Iterable[Command]) -> str:
    """Return commands in words, in the order given."""
    return ", ".join(command_text(c.action.value, c.value) for c in commands)


def stored_text(stored: str | None) -> str | None:
    """Return a stored ``action:value, ...`` list in words (None stays None)."""
    if not stored:
        return None
    parts = []
    for item in stored.split(","):
        action, _, value = item.strip().partition(":")
        parts.append(command_text(action, value or None))
    return ", ".join(parts)


def band_name(band: Band | None, price_unit: str) -> str | None:
    """Return a short name for a band in the prices' minor unit.

    ``price_unit`` is the hub's (``p/kWh``, ``c/kWh``, ``öre/kWh``), never
    assumed: ``DGB 12-20p``, ``OFF >=20p``, ``BTC <4p`` on a GBP hub;
    ``DGB 12-20c`` on a euro one; ``DGB 120-200 öre`` where the unit is a word.
    """
    if band is None:
        return None
    minor = price_unit.removesuffix("/kWh")
    unit = minor if len(minor) == 1 else f" {minor}"
    if band.min_price is None and band.max_price is None:
        return f"{band.target_coin} any"
    if band.min_price is None:
        return f"{band.target_coin} <{band.max_price:g}{unit}"
    if band.max_price is None:
        return f"{band.target_coin} >={band.min_price:g}{unit}"
    return f"{band.target_coin} {band.min_price:g}-{band.max_price:g}{unit}"
