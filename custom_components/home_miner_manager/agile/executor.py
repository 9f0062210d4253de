"""Carry out the strategy's decision on the whole fleet at once.

One task per enrolled miner (``asyncio.gather``): a slot change reaches 200
miners in about one device's latency, not 200 of them. Commands run as the
``system`` user; refusals are tried again within a poll interval (see
:mod:`.checks`) and at every reconcile; a miner already brought to the band
and changed since is recorded as drift. A new band cancels a run still
waiting for a miner. Each miner's commands fire a logbook event first
(:mod:`.events`).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ..audit import Actor
from ..compat import forget_client
from ..const import DOMAIN, LOGGER
from ..db.exceptions import DatabaseError
from ..db.strategy_rows import efficiency_since
from ..strategy.champion import ChampionState, record_champion_result
from ..strategy.describe import band_name
from ..strategy.plan import Action, PlanReason, plan_fleet
from .checks import CommandChecks
from .events import (
    KIND_CANNOT_TURN_OFF,
    KIND_DRIFT,
    KIND_FAILED,
    KIND_LOWEST_MODE,
    KIND_SET,
    CommandContext,
    command_context,
    fire_action,
)
from .miner_plan import MinerRunState, async_apply, set_expected_offline

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry

    from ..db.database import Database
    from ..miner.coordinator import MinerCoordinator
    from ..strategy.bands import Band
    from ..strategy.decide import Decision
    from ..strategy.plan import Command, MinerPlan
    from ..strategy.view import MinerView
    from .price_source import PriceSource
    from .records import StrategyRecords
    from .views import MinerViews

CHAMPION_WINDOW: Final = timedelta(hours=6)


def as_system() -> None:
    """Drop the user of the request that started us: the strategy acts alone."""
    forget_client()


class Decided(Protocol):
    """What the executor carries out: the strategy's state now."""

    @property
    def enabled(self) -> bool:
        """Whether the strategy runs."""

    @property
    def decision(self) -> Decision | None:
        """The band in effect."""

    @property
    def enrolled(self) -> set[int]:
        """Miner ids that follow the strategy."""

    @property
    def prices(self) -> PriceSource:
        """The prices decided on (band names are in their unit)."""

    async def async_executed(self) -> None:
        """Store the miners' state and show it (a run ended)."""


class FleetExecutor:
    """Runs the decided band's plan on every enrolled miner."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        coordinators: Mapping[str, MinerCoordinator],
        database: Database,
        records: StrategyRecords,
        views: MinerViews,
        decided: Decided,
    ) -> None:
        """Command the miners of ``coordinators`` as ``decided`` says."""
        self.hass = hass
        self.entry = entry
        self._coordinators = coordinators
        self._database = database
        self._records = records
        self._decided = decided
        self.checks = CommandChecks(hass, views, self.start)
        self.champion = ChampionState()
        self.miners: dict[int, MinerRunState] = {}
        self.contexts: dict[int, CommandContext] = {}
        self._task: asyncio.Task[None] | None = None
        self._pending: str | None = None
        self._stopped = False

    @callback
    def stop(self) -> None:
        """Send nothing more (the entry unloads)."""
        self._stopped = self.checks.stopped = True
        self.checks.cancel_retry()

    @callback
    def start(self, trigger: str, *, supersede: bool = False) -> None:
        """Execute the decision; ``supersede``: a new band, stop the old run."""
        if not self._decided.enabled or self._decided.decision is None:
            return
        if self._stopped:
            return
        running = (
            self._task if self._task is not None and not self._task.done() else None
        )
        if running is not None and not supersede:
            self._pending = trigger  # run once more when this one ends
            return
        if running is not None:
            # A run may wait minutes for a miner to boot; OFF must not wait.
            running.cancel()
        self._pending = None
        self._task = self.entry.async_create_background_task(
            self.hass,
            self._async_execute(trigger, running),
            f"{DOMAIN} strategy execute",
        )

    async def _async_execute(
        self, trigger: str, superseded: asyncio.Task[None] | None
    ) -> None:
        if superseded is not None:
            await asyncio.wait([superseded])  # let its commands unwind first
        as_system()
        await self._async_execute_once(trigger)
        if self._pending is not None and not self._stopped:
            pending, self._pending = self._pending, None
            self._task = None
            self.start(pending)

    async def _async_execute_once(self, trigger: str) -> None:
        decision = self._decided.decision
        if decision is None:
            return
        now = dt_util.utcnow()
        enrolled = self._decided.enrolled
        coordinators = {
            c.miner_id: c for c in self._coordinators.values() if c.miner_id in enrolled
        }
        views = self.checks.views(coordinators, now)
        histories = {
            miner_id: self.miners.get(miner_id, MinerRunState()).history
            for miner_id in coordinators
        }
        band = decision.band
        if band is not None and band.champion:
            views = await self._async_with_efficiency(views, now)
        fleet = plan_fleet(band, views, now, histories, self.champion)
        self.champion = fleet.champion
        has_switch = {v.miner_id: v.has_power_switch for v in views}
        results = await asyncio.gather(
            *(
                self._async_miner(
                    coordinators[plan.miner_id],
                    plan,
                    trigger,
                    band,
                    has_switch[plan.miner_id],
                )
                for plan in fleet.plans
            )
        )
        await self._decided.async_executed()
        self.checks.schedule(coordinators, fleet.plans, results)

    async def _async_with_efficiency(
        self, views: list[MinerView], now: datetime
    ) -> list[MinerView]:
        """Champion bands rank miners by J/TH over the last 6 hours."""
        ids = [view.miner_id for view in views]
        try:
            measured = await self._database.async_run(
                lambda s: efficiency_since(s, ids, now - CHAMPION_WINDOW)
            )
        except DatabaseError as err:
            LOGGER.warning("Could not read miner efficiency: %s", err)
            return views
        return [
            replace(
                view, efficiency_j_th=measured.get(view.miner_id, view.efficiency_j_th)
            )
            for view in views
        ]

    async def _async_miner(
        self,
        coordinator: MinerCoordinator,
        plan: MinerPlan,
        trigger: str,
        band: Band | None,
        has_switch: bool,
    ) -> bool:
        """Run one miner's plan; False when it must be tried again."""
        run = self.miners.setdefault(coordinator.miner_id, MinerRunState())
        off = plan.reason in (PlanReason.OFF, PlanReason.BENCHED)
        band_key = 0 if off or band is None else band.id
        if plan.reason is PlanReason.RATE_LIMITED:
            return False
        if not plan.commands:
            self._in_place(coordinator, run, plan, band_key, has_switch)
            return True
        names = [
            f"{c.action.value}:{c.value}" if c.value else c.action.value
            for c in plan.commands
        ]
        band_text = band_name(band, self._decided.prices.price_unit)
        changes = {"commands": names, "band": band_text, "trigger": trigger}
        # Already brought to this band before: someone changed it since.
        drift = run.applied_band_id == band_key
        kind = KIND_DRIFT if drift else KIND_SET
        if off and not has_switch:
            kind = KIND_LOWEST_MODE
        sent = command_context(plan.commands)
        self.contexts[coordinator.miner_id] = sent
        # First: the selects' changes are told apart by this event's context.
        fire_action(
            self.hass,
            coordinator,
            kind,
            commands=plan.commands,
            band=band_text,
            context=sent.context,
            reason=plan.reason.value,
        )
        done: list[Command] = []
        try:
            await async_apply(self.hass, self.entry, coordinator, plan.commands, done)
        except HomeAssistantError as err:
            self.checks.record(coordinator, done)
            self._failed(coordinator, run, plan, sent, err)
            self._records.audit(
                Actor(),
                "agile_strategy_executed",
                miner=coordinator,
                changes=changes,
                status="failure",
                error=str(err),
            )
            return False
        self.checks.record(coordinator, done)
        now = dt_util.utcnow()
        run.history = [*run.history, now][-12:]
        run.last_command, run.last_command_at, run.last_error = (
            ", ".join(names),
            now,
            None,
        )
        run.off_by_strategy = off and any(
            c.action is Action.POWER_OFF for c in plan.commands
        )
        if plan.reason is PlanReason.CHAMPION:
            self.champion = record_champion_result(self.champion, ok=True)
        run.applied_band_id = band_key
        self._records.event(
            "strategy_drift_corrected" if drift else "strategy_action",
            f"{coordinator.subentry.title}: {', '.join(names)}",
            {"miner_id": coordinator.miner_id, **changes},
        )
        self._records.audit(
            Actor(), "agile_strategy_executed", miner=coordinator, changes=changes
        )
        return True

    def _failed(
        self,
        coordinator: MinerCoordinator,
        run: MinerRunState,
        plan: MinerPlan,
        sent: CommandContext,
        err: HomeAssistantError,
    ) -> None:
        """Tell the logbook once (not at every retry); count a champion's failure."""
        if run.last_error != str(err):
            fire_action(
                self.hass,
                coordinator,
                KIND_FAILED,
                commands=plan.commands,
                error=str(err),
                context=sent.context,
            )
        run.last_error = str(err)
        if plan.reason is PlanReason.CHAMPION:
            self.champion = record_champion_result(self.champion, ok=False)
        LOGGER.debug("Strategy command for %s refused: %s", coordinator.name, err)

    def _in_place(
        self,
        coordinator: MinerCoordinator,
        run: MinerRunState,
        plan: MinerPlan,
        band_key: int,
        has_switch: bool,
    ) -> None:
        """Nothing to send: remember the band; say why a miner still mines."""
        off = plan.reason in (PlanReason.OFF, PlanReason.BENCHED)
        if plan.reason is PlanReason.CANNOT_TURN_OFF:
            off, band_key = True, 0
        if off and not has_switch and run.applied_band_id != band_key:
            kind = (
                KIND_CANNOT_TURN_OFF
                if plan.reason is PlanReason.CANNOT_TURN_OFF
                else KIND_LOWEST_MODE
            )
            fire_action(self.hass, coordinator, kind)
        if plan.reason in (
            PlanReason.IN_PLACE,
            PlanReason.OFF,
            PlanReason.CHAMPION,
            PlanReason.CANNOT_TURN_OFF,
        ):
            run.applied_band_id = band_key
        if off and has_switch and not run.off_by_strategy:
            run.off_by_strategy = True
            set_expected_offline(coordinator, True)

    def stop_commanding(self) -> None:
        """Cancel a run in progress and the next retry; release the miners.

        The strategy is off: a run waiting for a miner sends nothing more, and
        miners it switched off are no longer expected offline.
        """
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = self._pending = None
        self.checks.cancel_retry()
        for coordinator in self._coordinators.values():
            self.release(coordinator)
        self.checks.clear()

    def release(self, coordinator: MinerCoordinator) -> None:
        """Stop keeping this miner off (taken out, or the strategy is off)."""
        run = self.miners.get(coordinator.miner_id)
        if run is not None and run.off_by_strategy:
            run.off_by_strategy = False
            set_expected_offline(coordinator, False)
