"""Hourly health scores per miner: telemetry of the last 24 h in, a row and a state out.

The scoring itself is the pure ``health`` package; this module reads the
samples off the loop (``Database.async_run``), writes ``health_scores`` rows
and keeps each miner's latest score for its "health" sensor. At start-up the
sensors show the newest stored score; without one from the last hour, the
miners are scored a few minutes after start-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..db.base import to_naive_utc
from ..db.exceptions import DatabaseError
from ..db.health_rows import (
    insert_score,
    latest_scores,
    miner_created,
    strategy_off_intervals,
    telemetry_samples,
)
from ..health import WINDOW, score
from ..miner.runtime import scan_interval

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigEntry
    from sqlalchemy.orm import Session

    from ..db.database import Database
    from ..miner.coordinator import MinerCoordinator

HEALTH_INTERVAL = timedelta(hours=1)
# After a start without a score of the last hour, score once the first polls
# are in instead of waiting a whole interval.
FIRST_SCORE_AFTER = timedelta(minutes=5)
# A miner added minutes ago has too little history to judge.
MIN_WINDOW = timedelta(minutes=15)

# miner_id -> HealthScore column values (plus "timestamp").
type HealthScores = dict[int, dict[str, Any]]


class HealthCoordinator(DataUpdateCoordinator[HealthScores]):
    """Scores every miner of the hub once an hour; data: the latest scores.

    It keeps its own hourly timer and pushes each round's scores
    (``update_interval`` is None): a coordinator polls only while something
    listens, and the scores are rows in the database whether or not any
    health sensor is enabled.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        database: Database,
        coordinators: Mapping[str, MinerCoordinator],
    ) -> None:
        """Keep what it scores from; call :meth:`async_start` next."""
        super().__init__(
            hass, LOGGER, config_entry=entry, name=f"{DOMAIN} health scores"
        )
        self.data = {}
        self._database = database
        self._coordinators = coordinators
        self._unsub: CALLBACK_TYPE | None = None
        self._unsub_first: CALLBACK_TYPE | None = None

    @property
    def scores(self) -> HealthScores:
        """Return the latest score of each miner (by miner id)."""
        return self.data

    async def async_start(self) -> None:
        """Restore the newest stored scores, then score every hour."""
        try:
            self.data = await self._database.async_run(latest_scores)
        except DatabaseError as err:
            LOGGER.warning("Could not read the stored health scores: %s", err)
        self._unsub = async_track_time_interval(
            self.hass, self._async_tick, HEALTH_INTERVAL, name=f"{DOMAIN} health"
        )
        newest = max((s["timestamp"] for s in self.data.values()), default=None)
        if newest is None or to_naive_utc(dt_util.utcnow()) - newest > HEALTH_INTERVAL:
            self._unsub_first = async_call_later(
                self.hass, FIRST_SCORE_AFTER, self._async_first
            )

    async def _async_first(self, _now: datetime) -> None:
        self._unsub_first = None
        await self.async_score_all()

    @callback
    def async_stop(self) -> None:
        """Stop the hourly run (before the database closes)."""
        for unsub in (self._unsub, self._unsub_first):
            if unsub is not None:
                unsub()
        self._unsub = self._unsub_first = None

    async def async_shutdown(self) -> None:
        """Stop the hourly run with the coordinator."""
        self.async_stop()
        await super().async_shutdown()

    async def _async_tick(self, _now: datetime) -> None:
        await self.async_score_all()

    async def async_score_all(self) -> None:
        """Score every miner now (one database job per miner, off the loop)."""
        end = to_naive_utc(dt_util.utcnow())
        scores = self.data
        for coordinator in list(self._coordinators.values()):
            if not coordinator.polling_enabled:
                continue  # not polled on purpose: no rows, nothing to judge
            try:
                result = await self._database.async_run(
                    partial(_score_miner, coordinator=coordinator, end=end)
                )
            except DatabaseError as err:
                LOGGER.warning("Health score of %s failed: %s", coordinator.name, err)
                continue
            if result is not None:
                scores[coordinator.miner_id] = {"timestamp": end, **result}
        self.async_set_updated_data(scores)


def _score_miner(
    session: Session, *, coordinator: MinerCoordinator, end: datetime
) -> dict[str, Any] | None:
    """Score one miner over the last 24 h and add its row (BLOCKING)."""
    start = end - WINDOW
    created = miner_created(session, coordinator.miner_id)
    if created is not None and created > start:
        start = created
    if end - start < MIN_WINDOW:
        return None
    result = score(
        telemetry_samples(session, coordinator.miner_id, start, end),
        start,
        end,
        coordinator.miner_type.value,
        scan_interval(coordinator.applied_data).total_seconds(),
        strategy_off_intervals=strategy_off_intervals(
            session, coordinator.miner_id, start, end
        ),
    )
    row = result.as_row()
    insert_score(session, coordinator.miner_id, end, row)
    return row
