"""The Agile Solo strategy at run time: from a price change to a miner's command.

1. The price coordinator tells its listeners (:meth:`_prices_changed`).
2. :meth:`StrategyCoordinator.async_evaluate` decides the band
   (``strategy.decide``), stores it in ``agile_strategy.state_data`` (a
   restart continues where it was, mid-hysteresis included) and pushes it to
   the entities (``async_set_updated_data``).
3. When the strategy is on, :class:`~.fleet.FleetExecutor` runs the plan on
   every enrolled miner at once (one task each), through
   :func:`~.miner_plan.async_apply` to the miner's commands. Refusals are
   retried after a minute and at every reconcile.

Decisions: at slot boundaries and price changes (from the price coordinator),
band changes and when switched on. Reconcile (every 5 minutes) re-runs the
stored decision, never a fresh price read (upstream's fought its hysteresis).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .. import const
from ..audit import Actor, async_actor
from ..const import (
    CONF_HYSTERESIS_SLOTS,
    CONF_WHEN_PRICE_UNKNOWN,
    DEFAULT_HYSTERESIS_SLOTS,
    DEFAULT_WHEN_PRICE_UNKNOWN,
    DOMAIN,
    LOGGER,
)
from ..db.exceptions import DatabaseError
from ..db.strategy_rows import (
    load_or_create_strategy,
    reset_bands,
    save_bands,
    save_strategy_state,
    set_enrolled,
    set_strategy_enabled,
)
from ..strategy.decide import Decision, Reason, StrategyState, decide
from ..strategy.state_data import pack_state_data, unpack_state_data
from .events import fire_band_changed
from .executor import FleetExecutor
from .issues import ISSUE_MISSING_POOL, MissingPoolIssue, show_price_unknown
from .miner_plan import MinerRunState, power_switch, set_expected_offline
from .pools import missing_pool_coins
from .records import StrategyRecords
from .views import MinerViews

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry

    from ..db.database import Database
    from ..miner.coordinator import MinerCoordinator
    from ..strategy.bands import Band
    from ..strategy.champion import ChampionState
    from .events import CommandContext
    from .price_source import PriceSource


@dataclass(frozen=True, slots=True)
class StrategyData:
    """What the strategy's entities show, as of the last decision or run."""

    enabled: bool
    decision: Decision | None


class StrategyCoordinator(DataUpdateCoordinator[StrategyData]):
    """Decides the band for one hub entry and has the executor carry it out."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        prices: PriceSource,
        database: Database,
        coordinators: Mapping[str, MinerCoordinator],
    ) -> None:
        """Nothing is loaded until :meth:`async_start`."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} strategy",
            update_interval=None,  # pushed at each decision and run
        )
        self.entry = entry
        self.prices = prices
        self.database = database
        self.coordinators = coordinators
        self.enabled = False
        self.bands: list[Band] = []
        self.enrolled: set[int] = set()
        self.state = StrategyState()
        self.decision: Decision | None = None
        self.records = StrategyRecords(database)
        self.views = MinerViews(hass, entry)
        self.executor = FleetExecutor(
            hass,
            entry,
            coordinators=coordinators,
            database=database,
            records=self.records,
            views=self.views,
            decided=self,
        )
        self.pool_issue = MissingPoolIssue(hass)
        self._lock = asyncio.Lock()
        self._unsubs: list[CALLBACK_TYPE] = []
        self._stopped = False

    @property
    def strategy_id(self) -> int:
        """The ``agile_strategy`` row."""
        return self.records.strategy_id

    @property
    def miners(self) -> dict[int, MinerRunState]:
        """What the strategy remembers per miner (by miner id)."""
        return self.executor.miners

    @property
    def champion(self) -> ChampionState:
        """The champion of the champion band in effect."""
        return self.executor.champion

    # -- lifecycle -------------------------------------------------------------

    async def async_start(self) -> None:
        """Load (or create) the strategy row and bands, then follow prices."""
        record = await self.database.async_run(load_or_create_strategy)
        self.records.strategy_id = record.strategy_id
        self.enabled = record.enabled
        self.bands = record.bands
        self.enrolled = record.enrolled
        stored = unpack_state_data(record.state_data)
        self.state = stored.state
        self.executor.champion = stored.champion
        if stored.decision is not None:
            self.decision = Decision.from_dict(stored.decision, self.bands)
        raw = record.state_data.get("miners") if record.state_data else None
        if isinstance(raw, dict):
            self.executor.miners = {
                int(k): MinerRunState.from_dict(v)
                for k, v in raw.items()
                if str(k).isdigit()
            }
        for coordinator in self.coordinators.values():
            run = self.miners.get(coordinator.miner_id)
            if run is None or not run.off_by_strategy:
                continue
            if self.enabled:
                set_expected_offline(coordinator, True)  # still off after a restart
            else:
                run.off_by_strategy = False  # switched off since: not ours now
        self.async_set_updated_data(self._snapshot())
        self._unsubs.append(self.prices.async_add_listener(self._prices_changed))
        self._unsubs.append(
            async_track_time_interval(
                self.hass, self._reconcile, const.STRATEGY_RECONCILE_INTERVAL
            )
        )
        self._schedule_evaluate("start")

    @callback
    def async_stop(self) -> None:
        """Stop timers; a running execution ends with the entry's tasks."""
        self._stopped = True
        while self._unsubs:
            self._unsubs.pop()()
        self.executor.stop()

    async def _async_update_data(self) -> StrategyData:
        """Return what is decided now (a refresh was asked for)."""
        return self._snapshot()

    def _snapshot(self) -> StrategyData:
        return StrategyData(self.enabled, self.decision)

    @callback
    def push(self) -> None:
        """Show the entities the strategy's state now."""
        self.async_set_updated_data(self._snapshot())

    @callback
    def _prices_changed(self) -> None:
        self._schedule_evaluate("prices")

    @callback
    def _reconcile(self, _now: datetime) -> None:
        self.executor.start("reconcile")

    @callback
    def _schedule_evaluate(self, trigger: str) -> None:
        if self._stopped:
            return
        self.entry.async_create_background_task(
            self.hass, self.async_evaluate(trigger), f"{DOMAIN} strategy {trigger}"
        )

    # -- decision ---------------------------------------------------------------

    async def async_evaluate(self, trigger: str) -> None:
        """Decide the band now; store it; execute when the strategy is on."""
        async with self._lock:
            if self._stopped:
                return  # the entry is unloading; its database closes
            now = dt_util.utcnow()
            self.pool_issue.check(self.missing_pool_coins(), self.enabled)
            if self.prices.current(now) is None and self.prices.in_grace:
                return  # the price source may still be starting up
            options = self.entry.options
            decision = decide(
                self.prices.slots,
                self.bands,
                self.state,
                now,
                hysteresis_slots=int(
                    options.get(CONF_HYSTERESIS_SLOTS, DEFAULT_HYSTERESIS_SLOTS)
                ),
                when_price_unknown=self.when_price_unknown,
            )
            previous = self.decision
            self.decision, self.state = decision, decision.state
            show_price_unknown(
                self.hass,
                self.prices,
                decision.reason is Reason.PRICE_UNKNOWN,
                self.when_price_unknown,
            )
            if decision.changed:
                self._band_changed(previous, decision, trigger)
            if self.enabled:
                # Miners first: entities and the row follow while they are
                # being commanded. A new band replaces a run still going.
                self.executor.start(trigger, supersede=decision.changed)
                # One pass of the loop: every miner's command goes out before
                # the entities' updates (hundreds of state writes) run.
                await asyncio.sleep(0)
            self.push()
            await self._async_persist(now if decision.changed else None)

    @property
    def when_price_unknown(self) -> str:
        """What to do without a price (option)."""
        return str(
            self.entry.options.get(CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN)
        )

    def missing_pool_coins(self) -> list[str]:
        """Coins of the bands that have no enabled pool."""
        return missing_pool_coins(self.entry, self.bands)

    def _band_changed(
        self, previous: Decision | None, decision: Decision, trigger: str
    ) -> None:
        data = fire_band_changed(
            self.hass, previous, decision, trigger, self.prices.price_unit
        )
        self.records.event(
            "strategy_band_changed",
            f"Band {data['from_band']} -> {data['to_band']}",
            data,
        )
        self.records.audit(Actor(), "agile_strategy_band_changed", changes=data)

    async def async_executed(self) -> None:
        """Store the miners' state and show it (a fleet run ended)."""
        await self._async_persist(None)
        self.push()

    async def _async_persist(self, action_time: datetime | None) -> None:
        decision = self.decision
        if decision is None:
            return
        state_data = pack_state_data(decision, self.champion, self.bands)
        state_data["miners"] = {str(k): v.to_dict() for k, v in self.miners.items()}
        band = decision.band
        try:
            await self.database.async_run(
                lambda s: save_strategy_state(
                    s,
                    self.strategy_id,
                    enabled=self.enabled,
                    band_label=band.target_coin if band is not None else "OFF",
                    hysteresis_counter=decision.hysteresis_counter,
                    price_pence=decision.price_pence,
                    action_time=action_time,
                    state_data=state_data,
                )
            )
        except DatabaseError as err:
            LOGGER.warning("Could not store the strategy decision: %s", err)

    # -- settings -----------------------------------------------------------------

    async def async_set_enabled(self, enabled: bool, user_id: str | None) -> None:
        """Switch the strategy on (pools checked first) or off."""
        actor = await async_actor(self.hass, user_id)
        if enabled and (missing := self.missing_pool_coins()):
            self.pool_issue.raise_for(missing)
            self.records.audit(
                actor,
                "agile_strategy_enabled",
                status="failure",
                error=f"no enabled pool for {', '.join(missing)}",
            )
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=ISSUE_MISSING_POOL,
                translation_placeholders={"coins": ", ".join(missing)},
            )
        self.enabled = enabled
        await self.database.async_run(
            lambda s: set_strategy_enabled(s, self.strategy_id, enabled)
        )
        self.records.audit(
            actor,
            "agile_strategy_enabled" if enabled else "agile_strategy_disabled",
            changes={"enabled": {"old": not enabled, "new": enabled}},
        )
        if not enabled:
            self.executor.stop_commanding()
            await self._async_persist(None)  # a restart must not mark them again
        self.push()
        if enabled:
            await self.async_evaluate("switch_on")

    async def async_set_enrolled(
        self, coordinator: MinerCoordinator, enrolled: bool, user_id: str | None
    ) -> None:
        """Enrol a miner (or take it out); store its ``miner_strategy`` row."""
        await self.database.async_run(
            lambda s: set_enrolled(s, coordinator.miner_id, enrolled)
        )
        (self.enrolled.add if enrolled else self.enrolled.discard)(coordinator.miner_id)
        self.records.audit(
            await async_actor(self.hass, user_id),
            "agile_strategy_enrolled" if enrolled else "agile_strategy_unenrolled",
            miner=coordinator,
            changes={"enrolled": {"old": not enrolled, "new": enrolled}},
        )
        if not enrolled:
            self.executor.release(coordinator)
            await self._async_persist(None)
        self.push()
        if enrolled and self.enabled:
            self.executor.start("enrolled")

    async def async_save_bands(self, bands: list[Band], user_id: str | None) -> None:
        """Store edited bands (validated by the caller) and decide again."""
        self.bands = await self.database.async_run(
            lambda s: save_bands(s, self.strategy_id, bands)
        )
        await self._async_bands_changed(user_id, "agile_strategy_bands_changed")

    async def async_reset_bands(self, user_id: str | None) -> None:
        """Put the default bands back."""
        self.bands = await self.database.async_run(
            lambda s: reset_bands(s, self.strategy_id)
        )
        await self._async_bands_changed(user_id, "agile_strategy_bands_reset")

    async def _async_bands_changed(self, user_id: str | None, action: str) -> None:
        self.records.audit(
            await async_actor(self.hass, user_id),
            action,
            changes={"bands": [band.to_dict() for band in self.bands]},
        )
        # A deleted band may be the one in effect: decide from its price again.
        ids = {band.id for band in self.bands}
        if self.state.band_id is not None and self.state.band_id not in ids:
            self.state = StrategyState()
        await self.async_evaluate("bands")

    # -- for entities ------------------------------------------------------------------

    def miner_state(self, coordinator: MinerCoordinator) -> MinerRunState | None:
        """Return what the strategy remembers about this miner."""
        return self.miners.get(coordinator.miner_id)

    def has_power_switch(self, coordinator: MinerCoordinator) -> bool:
        """Return True when the miner hangs on a switch the strategy can use."""
        return power_switch(coordinator) is not None

    def command_context(self, miner_id: int) -> CommandContext | None:
        """Return the context of the miner's latest commands (for its selects)."""
        return self.executor.contexts.get(miner_id)
