"""The strategy's plan as a calendar entity on the hub (``strategy_plan``).

One event per band period for today and tomorrow (Home Assistant's time
zone): the known prices replayed through the strategy's own decision
(:func:`.strategy.outlook.plan_periods`, hysteresis included) and described
by :func:`.strategy.calendar_plan.plan_events`. Recomputed whenever the
strategy coordinator updates (prices, a slot boundary, bands, enrolment,
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

from ..agile.coordinator import StrategyCoordinator
from ..agile.pools import pool_for_coin
from ..agile.why import hysteresis
from ..entity import HubEntity
from ..strategy.calendar_plan import PlanEvent, PlannedMiner, plan_events
from ..strategy.outlook import PlannedPeriod, plan_periods

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..data import HMMConfigEntry

STRATEGY_OFF_NOTE = "The strategy is off: this is what it would do."
STRATEGY_PLAN = CalendarEntityDescription(
    key="strategy_plan", translation_key="strategy_plan"
)


def day_start(moment: datetime) -> datetime:
    """Midnight of ``moment``'s day in Home Assistant's zone."""
    return dt_util.start_of_local_day(dt_util.as_local(moment))


class StrategyPlanCalendar(HubEntity[StrategyCoordinator], CalendarEntity):
    """What the strategy will do today and tomorrow, period by period."""

    def __init__(self, strategy: StrategyCoordinator) -> None:
        """Follow ``strategy``."""
        super().__init__(strategy, STRATEGY_PLAN)
        self.entry = strategy.entry
        self.events: list[PlanEvent] = []
        self._power: dict[int, float] = {}  # last power seen per miner

    async def async_added_to_hass(self) -> None:
        """Plan now and at every update of the strategy."""
        await super().async_added_to_hass()
        self._recompute()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._recompute()
        self.async_write_ha_state()

    @callback
    def _recompute(self) -> None:
        now = dt_util.utcnow()
        today = day_start(now)
        strategy = self.coordinator
        prices = strategy.prices
        periods = plan_periods(
            prices.slots,
            strategy.bands,
            strategy.state,
            now,
            hysteresis_slots=hysteresis(self.entry),
            when_price_unknown=strategy.when_price_unknown,
            until=day_start(today + timedelta(days=2, hours=3)),
        )
        if periods:
            periods[0] = self._since(periods[0], today)
        new = plan_events(
            periods,
            self._miners(),
            self._pools(),
            strategy.champion,
            prices.price_unit,
            note=None if strategy.data.enabled else STRATEGY_OFF_NOTE,
        )
        first = new[0].start if new else now
        kept = [e for e in self.events if e.end <= first and e.end > today]
        self.events = kept + new

    def _since(self, period: PlannedPeriod, today: datetime) -> PlannedPeriod:
        """Start the period in effect when its band took effect (today at most)."""
        state = self.coordinator.state
        band = period.band
        if state.since is None or state.band_id != (band.id if band else None):
            return period
        start = max(state.since, today)
        if start >= period.start:
            return period
        earlier = tuple(
            s.price_pence
            for s in self.coordinator.prices.slots
            if s.start >= start and s.end <= period.start
        )
        return PlannedPeriod(start, period.end, band, earlier + period.prices)

    def _miners(self) -> list[PlannedMiner]:
        strategy = self.coordinator
        miners = []
        for coordinator in strategy.coordinators.values():
            if coordinator.miner_id not in strategy.enrolled:
                continue
            power = coordinator.power_watts if coordinator.available else None
            if power:
                self._power[coordinator.miner_id] = power
            miners.append(
                PlannedMiner(
                    strategy.views.view(coordinator),
                    coordinator.name,
                    self._power.get(coordinator.miner_id),
                )
            )
        return sorted(miners, key=lambda m: m.name.casefold())

    def _pools(self) -> dict[str, str]:
        coins = {band.target_coin for band in self.coordinator.bands if not band.is_off}
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
    hub = entry.runtime_data
    return [StrategyPlanCalendar(hub.strategy)] if hub.prices.configured else []
