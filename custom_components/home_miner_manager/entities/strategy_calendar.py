"""The strategy's plan as a calendar entity on the hub (``strategy_plan``).

One event per band period for today and tomorrow (Home Assistant's time
zone): the known prices replayed through the strategy's own decision
(:func:`.strategy.outlook.plan_periods`, hysteresis included) and described
by :func:`.strategy.calendar_plan.plan_events`. Recomputed whenever the
strategy runner notifies (prices, a slot boundary, bands, enrolment,
options, switched on or off). The period in effect starts when its band took
effect (today at the earliest); earlier periods of today are kept as they
were planned, in memory only (after a restart today starts with the band in
effect).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.components.calendar import (
    CalendarEntity,
    CalendarEntityDescription,
    CalendarEvent,
)
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..agile.miner_plan import miner_view
from ..agile.pools import pool_for_coin
from ..agile.why import hysteresis
from ..const import CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN
from ..strategy.calendar_plan import PlanEvent, PlannedMiner, plan_events
from ..strategy.outlook import PlannedPeriod, plan_periods
from .strategy import StrategyHubEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..agile.runner import StrategyRunner
    from ..data import HMMConfigEntry

STRATEGY_OFF_NOTE = "The strategy is off: this is what it would do."
STRATEGY_PLAN = CalendarEntityDescription(
    key="strategy_plan", translation_key="strategy_plan"
)


def day_start(moment: datetime) -> datetime:
    """Midnight of ``moment``'s day in Home Assistant's zone."""
    return dt_util.start_of_local_day(dt_util.as_local(moment))


class StrategyPlanCalendar(StrategyHubEntity, CalendarEntity):
    """What the strategy will do today and tomorrow, period by period."""

    def __init__(self, entry: HMMConfigEntry, runner: StrategyRunner) -> None:
        """Follow ``runner``."""
        self.entity_description = STRATEGY_PLAN
        self._setup(entry, runner, STRATEGY_PLAN.key)
        self.entry = entry
        self.events: list[PlanEvent] = []
        self._power: dict[int, float] = {}  # last power seen per miner

    async def async_added_to_hass(self) -> None:
        """Plan now and whenever the runner notifies."""
        self.async_on_remove(self.runner.async_add_listener(self._changed))
        self._recompute()

    @callback
    def _changed(self) -> None:
        self._recompute()
        self.async_write_ha_state()

    @callback
    def _recompute(self) -> None:
        now = dt_util.utcnow()
        today = day_start(now)
        prices = self.runner.prices
        periods = plan_periods(
            prices.slots,
            self.runner.bands,
            self.runner.state,
            now,
            hysteresis_slots=hysteresis(self.entry),
            when_price_unknown=str(
                self.entry.options.get(
                    CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN
                )
            ),
            until=day_start(today + timedelta(days=2, hours=3)),
        )
        if periods:
            periods[0] = self._since(periods[0], today)
        new = plan_events(
            periods,
            self._miners(),
            self._pools(),
            self.runner.champion,
            prices.price_unit,
            note=None if self.runner.enabled else STRATEGY_OFF_NOTE,
        )
        first = new[0].start if new else now
        kept = [e for e in self.events if e.end <= first and e.end > today]
        self.events = kept + new

    def _since(self, period: PlannedPeriod, today: datetime) -> PlannedPeriod:
        """Start the period in effect when its band took effect (today at most)."""
        state = self.runner.state
        band = period.band
        if state.since is None or state.band_id != (band.id if band else None):
            return period
        start = max(state.since, today)
        if start >= period.start:
            return period
        earlier = tuple(
            s.price_pence
            for s in self.runner.prices.slots
            if s.start >= start and s.end <= period.start
        )
        return PlannedPeriod(start, period.end, band, earlier + period.prices)

    def _miners(self) -> list[PlannedMiner]:
        hub = self.entry.runtime_data
        miners = []
        for coordinator in hub.coordinators.values():
            if coordinator.miner_id not in self.runner.enrolled:
                continue
            power = coordinator.power_watts if coordinator.available else None
            if power:
                self._power[coordinator.miner_id] = power
            miners.append(
                PlannedMiner(
                    miner_view(self.hass, self.entry, coordinator, enrolled=True),
                    coordinator.name,
                    self._power.get(coordinator.miner_id),
                )
            )
        return sorted(miners, key=lambda m: m.name.casefold())

    def _pools(self) -> dict[str, str]:
        coins = {band.target_coin for band in self.runner.bands if not band.is_off}
        return {
            coin: pool.title
            for coin in coins
            if (pool := pool_for_coin(self.entry, coin)) is not None
        }

    @property
    def event(self) -> CalendarEvent | None:
        """The event in progress, else the next one."""
        now = dt_util.utcnow()
        for event in self.events:
            if event.end > now:
                return _calendar_event(event)
        return None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Events overlapping ``start_date`` to ``end_date``."""
        return [
            _calendar_event(event)
            for event in self.events
            if event.start < end_date and event.end > start_date
        ]


def _calendar_event(event: PlanEvent) -> CalendarEvent:
    start, end = dt_util.as_local(event.start), dt_util.as_local(event.end)
    if end.replace(tzinfo=None) < start.replace(tzinfo=None):
        # Home Assistant checks the duration on wall times (same zone): a
        # period inside the hour repeated when clocks go back ends "before"
        # it starts and is refused. It ends at the same wall time instead.
        end = start.replace(fold=1)
    return CalendarEvent(
        start=start,
        end=end,
        summary=event.summary,
        description=event.description,
        uid=f"{event.start.isoformat()}_{event.band_id}",
    )


def strategy_calendars(entry: HMMConfigEntry) -> list[StrategyPlanCalendar]:
    """Return the hub's plan calendar (none until prices are set)."""
    runner = entry.runtime_data.strategy
    return [] if runner is None else [StrategyPlanCalendar(entry, runner)]
