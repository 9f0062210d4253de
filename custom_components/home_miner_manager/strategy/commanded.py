"""What the strategy commanded a miner, laid over what its last poll said.

A poll can be up to one interval old, and a miner rebooting after a pool
switch answers none. Planning from the poll alone sent nothing when the band
went OFF right after a switch to ``oc`` (the poll still said the lowest mode)
and the miner ran at ``oc`` for 293 s. So each commanded value is kept until a
poll confirms it (same value) or contradicts it (a poll at least ``settle``
after the command shows another value, or any newer poll a value that is
neither the commanded one nor the one it replaced); the plan then sees the
commanded value, and a contradicted one is sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

from .plan import Action

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import datetime, timedelta

    from .plan import Command
    from .view import MinerView

FIELDS: Final = ("powered", "mode", "pool_coin")
_FIELD_OF: Final = {
    Action.POWER_ON: ("powered", True),
    Action.POWER_OFF: ("powered", False),
}


@dataclass(frozen=True, slots=True)
class Pending:
    """One commanded value, when it was sent, and the reading it replaced."""

    value: str | bool
    at: datetime
    previous: str | bool | None = None


@dataclass(frozen=True, slots=True)
class Commanded:
    """A miner's commanded values not yet confirmed by a poll (by field name)."""

    values: Mapping[str, Pending] = field(default_factory=dict)

    def __bool__(self) -> bool:
        """Tell whether anything is pending."""
        return bool(self.values)


def record(
    commanded: Commanded | None,
    commands: Iterable[Command],
    now: datetime,
    before: MinerView | None = None,
) -> Commanded:
    """Return ``commanded`` plus the values these (sent) commands set.

    ``before``: the readings the plan saw (what a command not yet applied
    still shows).
    """
    values = dict(commanded.values) if commanded is not None else {}
    for command in commands:
        value: str | bool
        if command.action in _FIELD_OF:
            name, value = _FIELD_OF[command.action]
        elif command.action is Action.SET_MODE and command.value is not None:
            name, value = "mode", command.value
        elif command.action is Action.SET_POOL and command.value is not None:
            name, value = "pool_coin", command.value.upper()
        else:
            continue
        previous = getattr(before, name) if before is not None else None
        values[name] = Pending(value, now, previous)
    return Commanded(values)


def overlay(
    view: MinerView,
    commanded: Commanded | None,
    now: datetime,
    *,
    answered: bool,
    fresh: bool,
    settle: timedelta,
) -> tuple[MinerView, Commanded]:
    """Return the view the plan should use, and what stays pending.

    ``answered``: the miner's latest poll succeeded (its mode and pool are
    readings); ``fresh``: that poll came after the last command. The power
    switch's state is always a reading.
    """
    if not commanded:
        return view, Commanded()
    kept: dict[str, Pending] = {}
    changes: dict[str, str | bool] = {}
    for name, pending in commanded.values.items():
        reported = getattr(view, name)
        reading = view.has_power_switch and reported is not None
        if name != "powered":
            reading = answered
        if reading and reported == pending.value:
            continue  # confirmed
        # Contradicted (the plan sees the reading and sends again): by a poll
        # one interval on, or at once by a third value (changed since).
        settled = now >= pending.at + settle or reported != pending.previous
        if reading and (fresh or name == "powered") and settled:
            continue
        kept[name] = pending
        changes[name] = pending.value
    return replace(view, **changes), Commanded(kept)  # type: ignore[arg-type]


def due(commanded: Commanded, settle: timedelta) -> datetime | None:
    """Return when the oldest pending value should be checked again."""
    if not commanded:
        return None
    return min(pending.at for pending in commanded.values.values()) + settle
