"""The last hour of each miner's polls, kept in memory for the alerts.

Attached to every miner coordinator, it keeps each miner's recent samples,
when it last answered and its mode (a mode change seen in the polls is an
``events`` row, whoever made it), so an evaluation reads no database.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.util import dt as dt_util

from ..audit import queue_event
from ..db.base import to_naive_utc
from ..health import Sample

if TYPE_CHECKING:
    from ..db.database import Database
    from ..miner.coordinator import MinerCoordinator
    from ..miner.fleet import FleetCoordinator

SAMPLES_KEPT: Final = timedelta(minutes=65)


def naive_utcnow() -> datetime:
    """Now in the alerts package's convention (naive UTC)."""
    return to_naive_utc(dt_util.utcnow())


@dataclass(slots=True)
class TrackedMiner:
    """What is remembered of one miner between evaluations."""

    since: datetime  # when it started following the miner (offline grace)
    samples: deque[Sample] = field(default_factory=deque)
    last_seen: datetime | None = None
    last_data: object = None
    mode: str | None = None
    last_mode_change: datetime | None = None
    # Evaluations in a row the strategy reported a refused command.
    refusals: int = 0
    unsub: CALLBACK_TYPE | None = None


class RecentPolls:
    """Follows the polls of every miner of the hub (subentry id -> its record)."""

    def __init__(
        self,
        database: Database,
        fleet: FleetCoordinator[MinerCoordinator],
    ) -> None:
        """Follow nothing yet; :meth:`async_follow` attaches to the fleet's miners."""
        self._database = database
        self._fleet = fleet
        self._coordinators = fleet.data  # the fleet's members, by subentry id
        self._followed_version: int | None = None
        self.tracked: dict[str, TrackedMiner] = {}

    @callback
    def async_follow(self) -> None:
        """Attach to miners added since; forget removed ones."""
        # Called on every miner's poll: walking all miners each time made a
        # poll cycle quadratic in the fleet size (~35 ms CPU at 500 miners).
        version = self._fleet.members_version  # changes on add and remove only
        if version == self._followed_version:
            return
        self._followed_version = version
        coordinators = self._coordinators
        for subentry_id in self.tracked.keys() - coordinators.keys():
            tracked = self.tracked.pop(subentry_id)
            if tracked.unsub is not None:
                tracked.unsub()
        now = naive_utcnow()
        for subentry_id, coordinator in coordinators.items():
            if subentry_id in self.tracked:
                continue
            tracked = self.tracked[subentry_id] = TrackedMiner(since=now)
            tracked.unsub = coordinator.async_add_listener(
                partial(self._async_polled, coordinator, tracked)
            )
            self._async_polled(coordinator, tracked)

    @callback
    def async_stop(self) -> None:
        """Detach from every miner."""
        for tracked in self.tracked.values():
            if tracked.unsub is not None:
                tracked.unsub()
        self.tracked.clear()
        self._followed_version = None

    def last_seen(self, coordinator: MinerCoordinator) -> datetime | None:
        """Return when a miner last answered (aware UTC; start-up if never)."""
        tracked = self.tracked.get(coordinator.subentry.subentry_id)
        if tracked is None:
            return None
        return (tracked.last_seen or tracked.since).replace(tzinfo=UTC)

    @callback
    def _async_polled(
        self, coordinator: MinerCoordinator, tracked: TrackedMiner
    ) -> None:
        snapshot = coordinator.data
        if (
            snapshot is None
            or snapshot is tracked.last_data
            or not coordinator.available
        ):
            return
        now = naive_utcnow()
        tracked.last_data = snapshot
        tracked.last_seen = now
        if snapshot.mode and snapshot.mode != tracked.mode:
            if tracked.mode is not None:
                tracked.last_mode_change = now
                # Seen in the polls, whoever changed it (user, strategy, device).
                queue_event(
                    self._database,
                    event_type="mode_changed",
                    source=f"miner:{coordinator.name}",
                    message=f"{coordinator.name}: mode {tracked.mode} -> {snapshot.mode}",
                    data={
                        "miner_id": coordinator.miner_id,
                        "from": tracked.mode,
                        "to": snapshot.mode,
                    },
                )
            tracked.mode = snapshot.mode
        samples = tracked.samples
        if samples and samples[-1].timestamp > now:
            # The clock was set back: the kept samples lie "in the future",
            # out of order with the new ones (the evaluator bisects them).
            samples.clear()
            if tracked.last_mode_change and tracked.last_mode_change > now:
                tracked.last_mode_change = now
        samples.append(
            Sample(
                timestamp=now,
                hashrate=snapshot.hashrate_ghs,
                temperature=snapshot.temperature,
                shares_accepted=snapshot.shares_accepted,
                shares_rejected=snapshot.shares_rejected,
                mode=snapshot.mode,
            )
        )
        while samples and now - samples[0].timestamp > SAMPLES_KEPT:
            samples.popleft()
