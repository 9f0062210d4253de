"""Commanded values and retries of the strategy's fleet runs.

What was commanded overlays each miner's last poll (``strategy.commanded``)
until a poll shows it; failures are tried again within one poll interval,
switching off within seconds, and commanded values are checked once a poll
could show them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from ..miner.runtime import scan_interval
from ..strategy.commanded import Commanded, due, overlay, record
from ..strategy.plan import PlanReason

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from ..miner.coordinator import MinerCoordinator
    from ..strategy.plan import Command, MinerPlan
    from ..strategy.view import MinerView
    from .views import MinerViews

# A check of commanded values waits this long past one poll interval.
CHECK_MARGIN: Final = timedelta(seconds=2)
# Switching off that failed (a miner rebooting) is tried again this soon,
# for this long; then at the poll interval.
OFF_RETRY: Final = timedelta(seconds=5)
FAST_RETRY_FOR: Final = timedelta(minutes=5)  # an Avalon reboots in 1-2 min
# Commanded values no poll has shown are checked this long (then at the
# 5-minute reconcile only).
CHECK_FOR: Final = timedelta(minutes=5)


class CommandChecks:
    """What was commanded, laid over the polls; when to run the plan again."""

    def __init__(
        self,
        hass: HomeAssistant,
        views: MinerViews,
        run_again: Callable[[str], None],
    ) -> None:
        """Read miners through ``views``; ``run_again("retry")`` when due."""
        self.hass = hass
        self._views = views
        self._run_again = run_again
        self.stopped = False
        self._unsub_retry: CALLBACK_TYPE | None = None
        self._retry_at: datetime | None = None
        # Commanded values not yet seen in a poll, and the poll seen when sent.
        self.commanded: dict[int, Commanded] = {}
        self._seen: dict[int, object] = {}
        # What each miner reported when the current plan was made.
        self._readings: dict[int, MinerView] = {}
        # Since when each miner's commands fail (absent: they do not).
        self._failing_since: dict[int, datetime] = {}

    def views(
        self, coordinators: Mapping[int, MinerCoordinator], now: datetime
    ) -> list[MinerView]:
        """Return each miner's view: its readings, overlaid with what is pending."""
        views = []
        self._readings = {}
        for miner_id, coordinator in coordinators.items():
            reading = self._views.view(coordinator)
            self._readings[miner_id] = reading
            view, pending = overlay(
                reading,
                self.commanded.get(miner_id),
                now,
                answered=coordinator.available,
                fresh=coordinator.data is not self._seen.get(miner_id),
                settle=scan_interval(coordinator.subentry.data),
            )
            if pending:
                self.commanded[miner_id] = pending
            else:
                self.commanded.pop(miner_id, None)
            views.append(view)
        return views

    def schedule(
        self,
        coordinators: Mapping[int, MinerCoordinator],
        plans: list[MinerPlan],
        results: list[bool],
    ) -> None:
        """Try failures again within a poll interval (OFF within seconds).

        Commanded values are checked once a poll could show them.
        """
        now = dt_util.utcnow()
        moments = []
        for plan, ok in zip(plans, results, strict=True):
            interval = scan_interval(coordinators[plan.miner_id].subentry.data)
            since = self._failing_since.setdefault(plan.miner_id, now)
            if ok:
                del self._failing_since[plan.miner_id]
            else:
                off = plan.reason in (PlanReason.OFF, PlanReason.BENCHED)
                # Fast while it may be a reboot; a miner gone for good is
                # not asked every few seconds.
                fast = off and now - since < FAST_RETRY_FOR
                moments.append(now + (OFF_RETRY if fast else interval))
            pending = self.commanded.get(plan.miner_id)
            at = due(pending, interval) if pending else None
            if at is not None and at > now:
                moments.append(at + CHECK_MARGIN)  # a poll can show it by then
            elif at is not None and now - at < CHECK_FOR:
                moments.append(now + interval)  # no poll yet (rebooting?)
        if moments:
            self._schedule_retry(min(moments))

    def record(self, coordinator: MinerCoordinator, done: list[Command]) -> None:
        """Remember what went through, until a poll shows it."""
        if not done:
            return
        miner_id = coordinator.miner_id
        self.commanded[miner_id] = record(
            self.commanded.get(miner_id),
            done,
            dt_util.utcnow(),
            self._readings.get(miner_id),
        )
        self._seen[miner_id] = coordinator.data

    @callback
    def _schedule_retry(self, when: datetime) -> None:
        """Run again at ``when`` (an earlier moment replaces a later one)."""
        if self.stopped:
            return
        if self._unsub_retry is not None:
            if self._retry_at is not None and self._retry_at <= when:
                return
            self._unsub_retry()

        @callback
        def _retry(_now: datetime) -> None:
            self._unsub_retry = self._retry_at = None
            self._run_again("retry")

        self._retry_at = when
        self._unsub_retry = async_track_point_in_utc_time(self.hass, _retry, when)

    @callback
    def cancel_retry(self) -> None:
        """Drop the next retry (the strategy is off or stops)."""
        if self._unsub_retry is not None:
            self._unsub_retry()
            self._unsub_retry = self._retry_at = None

    def clear(self) -> None:
        """Forget what was commanded (the strategy was switched off)."""
        self.commanded.clear()
