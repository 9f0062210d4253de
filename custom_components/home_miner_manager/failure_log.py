"""Log a recurring failure once, not at every run, and say when it is over.

Alerts and rules run every minute: a rule or a miner that fails each time
would otherwise write the same warning 1440 times a day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .const import LOGGER

if TYPE_CHECKING:
    from collections.abc import Hashable


class FailureLog:
    """Remembers which keys are failing; logs each failure episode once."""

    __slots__ = ("_failing",)

    def __init__(self) -> None:
        """Start with nothing failing."""
        self._failing: set[Hashable] = set()

    def __contains__(self, key: Hashable) -> bool:
        """Return whether ``key`` is failing now."""
        return key in self._failing

    def failed(
        self, key: Hashable, what: str, err: BaseException | str, *, trace: bool = False
    ) -> bool:
        """Record a failure; log a warning if it is a new one. Return that."""
        if key in self._failing:
            LOGGER.debug("%s still fails: %s", what, err)
            return False
        self._failing.add(key)
        LOGGER.warning(
            "%s failed: %s (logged once; it is retried and a recovery is logged)",
            what,
            err,
            exc_info=err if trace and isinstance(err, BaseException) else None,
        )
        return True

    def succeeded(self, key: Hashable, what: str) -> bool:
        """Record a success; log it if ``key`` was failing. Return that."""
        if key not in self._failing:
            return False
        self._failing.discard(key)
        LOGGER.info("%s works again", what)
        return True
