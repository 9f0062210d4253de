"""The Agile Solo strategy at run time: decide, store, execute, reconcile.

* Decide (``strategy.decide``) at every slot boundary, price change, band
  change and when switched on; the decision and the per-miner memory are
  stored in ``agile_strategy.state_data`` so a restart continues where it was
  (mid-hysteresis included).
* Execute the decision on every enrolled miner at once (one task each);
  refusals are retried after a minute and at every reconcile.
* Reconcile every 5 minutes against the stored decision, never a fresh price
  read (upstream's reconcile fought its own hysteresis).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .. import const
from ..audit import Actor, async_actor
from ..const import (
    CONF_HYSTERESIS_SLOTS,
    CONF_WHEN_PRICE_UNKNOWN,
    DEFAULT_HYSTERESIS_SLOTS,
    DEFAULT_WHEN_PRICE_UNKNOWN,
    DOMAIN,
    EVENT_BAND_CHANGED,
    LOGGER,
)
from ..db.exceptions import DatabaseError
from ..db.models import Event, utcnow
from ..db.strategy_rows import (
    load_or_create_strategy,
    reset_bands,
    save_bands,
    save_strategy_state,
    set_enrolled,
    set_strategy_enabled,
)
from ..strategy.champion import ChampionState
from ..strategy.decide import Decision, Reason, StrategyState, decide
from ..strategy.state_data import pack_state_data, unpack_state_data
from ..tariff.coordinator import ISSUE_PRICE_UNKNOWN
from .fleet import SOURCE, FleetExecutor, band_name
from .miner_plan import (
    MinerRunState,
    set_expected_offline,
)
from .pools import missing_pool_coins

if TYPE_CHECKING:
    from datetime import datetime

    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator
    from ..strategy.bands import Band
    from ..strategy.commanded import Commanded
    from ..strategy.plan import MinerView
    from ..tariff.coordinator import PriceManager
    from .events import CommandContext

ISSUE_MISSING_POOL: Final = "strategy_missing_pool"


class StrategyRunner(FleetExecutor):
    """Owns the strategy's state for one hub entry."""

    def __init__(
        self, hass: HomeAssistant, entry: HMMConfigEntry, prices: PriceManager
    ) -> None:
        """Nothing is loaded until :meth:`async_start`."""
        self.hass = hass
        self.entry = entry
        self.prices = prices
        self.strategy_id = 0
        self.enabled = False
        self.bands: list[Band] = []
        self.enrolled: set[int] = set()
        self.state = StrategyState()
        self.decision: Decision | None = None
        self.champion = ChampionState()
        self.miners: dict[int, MinerRunState] = {}
        self._lock = asyncio.Lock()
        self._listeners: list[CALLBACK_TYPE] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._unsub_retry: CALLBACK_TYPE | None = None
        self._retry_at: datetime | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: str | None = None
        self.commanded: dict[int, Commanded] = {}
        self._seen: dict[int, object] = {}
        self._failing_since: dict[int, datetime] = {}
        self._readings: dict[int, MinerView] = {}
        self.contexts: dict[int, CommandContext] = {}
        self._missing_pool_raised = False
        self._stopped = False

    # -- lifecycle -------------------------------------------------------------

    async def async_start(self) -> None:
        """Load (or create) the strategy row and bands, then follow prices."""
        record = await self.database.async_run(load_or_create_strategy)
        self.strategy_id = record.strategy_id
        self.enabled = record.enabled
        self.bands = record.bands
        self.enrolled = record.enrolled
        stored = unpack_state_data(record.state_data)
        self.state = stored.state
        self.champion = stored.champion
        if stored.decision is not None:
            self.decision = Decision.from_dict(stored.decision, self.bands)
        raw = record.state_data.get("miners") if record.state_data else None
        if isinstance(raw, dict):
            self.miners = {
                int(k): MinerRunState.from_dict(v)
                for k, v in raw.items()
                if str(k).isdigit()
            }
        for coordinator in self.entry.runtime_data.coordinators.values():
            run = self.miners.get(coordinator.miner_id)
            if run is None or not run.off_by_strategy:
                continue
            if self.enabled:
                set_expected_offline(coordinator, True)  # still off after a restart
            else:
                run.off_by_strategy = False  # switched off since: not ours now
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
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._unsub_retry is not None:
            self._unsub_retry()
            self._unsub_retry = None

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` when the decision or settings change."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    @callback
    def _prices_changed(self) -> None:
        self._schedule_evaluate("prices")

    @callback
    def _reconcile(self, _now: datetime) -> None:
        self._start_execution("reconcile")

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
            self._check_pools()
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
                when_price_unknown=str(
                    options.get(CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN)
                ),
            )
            previous = self.decision
            self.decision, self.state = decision, decision.state
            self._price_issue(decision)
            if decision.changed:
                self._band_changed(previous, decision, trigger)
            if self.enabled:
                # Miners first: entities and the row follow while they are
                # being commanded. A new band replaces a run still going.
                self._start_execution(trigger, supersede=decision.changed)
            self._notify()
            await self._async_persist(now if decision.changed else None)

    def _price_issue(self, decision: Decision) -> None:
        cause = (
            self.prices.unknown_cause()
            if decision.reason is Reason.PRICE_UNKNOWN
            else None
        )
        if cause is None:
            ir.async_delete_issue(self.hass, DOMAIN, ISSUE_PRICE_UNKNOWN)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            ISSUE_PRICE_UNKNOWN,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=f"price_unknown_{cause}",
            translation_placeholders={
                "entity_id": self.prices.entity_id or "-",
                "region": self.prices.region,
                "error": self.prices.error_detail or "-",
                "action": str(
                    self.entry.options.get(
                        CONF_WHEN_PRICE_UNKNOWN, DEFAULT_WHEN_PRICE_UNKNOWN
                    )
                ),
            },
        )

    def _band_changed(
        self, previous: Decision | None, decision: Decision, trigger: str
    ) -> None:
        old = previous.band if previous is not None else None
        data = {
            "from_band": band_name(old),
            "to_band": band_name(decision.band),
            "from_band_id": old.id if old is not None else None,
            "to_band_id": decision.band_id,
            "coin": decision.band.target_coin if decision.band else None,
            "price_pence": decision.price_pence,
            "reason": decision.reason.value,
            "trigger": trigger,
        }
        LOGGER.info("Strategy band %s -> %s", data["from_band"], data["to_band"])
        self.hass.bus.async_fire(EVENT_BAND_CHANGED, data)
        self.database.queue_insert(
            Event,
            timestamp=utcnow(),
            event_type="strategy_band_changed",
            source=SOURCE,
            message=f"Band {data['from_band']} -> {data['to_band']}"[:500],
            data=data,
        )
        self._audit(Actor(), "agile_strategy_band_changed", changes=data)

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

    def _check_pools(self) -> list[str]:
        missing = missing_pool_coins(self.entry, self.bands)
        if missing and (self.enabled or self._missing_pool_raised):
            self._raise_missing_pool(missing)
        elif not missing:
            self._missing_pool_raised = False
            ir.async_delete_issue(self.hass, DOMAIN, ISSUE_MISSING_POOL)
        return missing

    def _raise_missing_pool(self, missing: list[str]) -> None:
        self._missing_pool_raised = True
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            ISSUE_MISSING_POOL,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_MISSING_POOL,
            translation_placeholders={"coins": ", ".join(missing)},
        )

    async def async_set_enabled(self, enabled: bool, user_id: str | None) -> None:
        """Switch the strategy on (pools checked first) or off."""
        actor = await async_actor(self.hass, user_id)
        if enabled and (missing := missing_pool_coins(self.entry, self.bands)):
            self._raise_missing_pool(missing)
            self._audit(
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
        self._audit(
            actor,
            "agile_strategy_enabled" if enabled else "agile_strategy_disabled",
            changes={"enabled": {"old": not enabled, "new": enabled}},
        )
        if not enabled:
            self._stop_commanding()  # a run waiting for a miner sends nothing more
            self._release_all()
            self.commanded.clear()
            await self._async_persist(None)  # a restart must not mark them again
        self._notify()
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
        self._audit(
            await async_actor(self.hass, user_id),
            "agile_strategy_enrolled" if enrolled else "agile_strategy_unenrolled",
            miner=coordinator,
            changes={"enrolled": {"old": not enrolled, "new": enrolled}},
        )
        if not enrolled:
            self._release(coordinator)
            await self._async_persist(None)
        self._notify()
        if enrolled and self.enabled:
            self._start_execution("enrolled")

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
        self._audit(
            await async_actor(self.hass, user_id),
            action,
            changes={"bands": [band.to_dict() for band in self.bands]},
        )
        # A deleted band may be the one in effect: decide from its price again.
        ids = {band.id for band in self.bands}
        if self.state.band_id is not None and self.state.band_id not in ids:
            self.state = StrategyState()
        await self.async_evaluate("bands")
