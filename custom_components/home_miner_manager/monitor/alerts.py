"""Alerts of the hub: plain miner state from the coordinators, evaluated every minute.

The rules are the pure ``alerts`` package. This module keeps the last hour
of each miner's polls in memory (no database read per evaluation), builds a
``MinerState`` per polled miner, and for every alert fired or cleared writes
an ``events`` row, fires ``home_miner_manager_alert`` and hands it to the
notifier. Cooldowns and open episodes live in an HA Store, so a restart
neither repeats nor forgets an alert.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..alerts import (
    AlertEvent,
    AlertSettings,
    AlertState,
    AlertType,
    BlockInfo,
    MinerState,
    block_found,
    default_alert_config_rows,
    evaluate,
    settings_from_rows,
)
from ..audit import queue_event
from ..compat import device_by_identifier
from ..const import DOMAIN, LOGGER
from ..db.alert_rows import seed_alert_config
from ..db.exceptions import DatabaseError
from ..db.models import to_naive_utc
from ..failure_log import FailureLog
from ..health import Sample
from ..pool.best_shares import EVENT_BLOCK_FOUND

if TYPE_CHECKING:
    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator
    from .notify_channels import Notifier

EVENT_ALERT: Final = "home_miner_manager_alert"
EVALUATE_EVERY: Final = timedelta(minutes=1)
SAMPLES_KEPT: Final = timedelta(minutes=65)
STORE_VERSION: Final = 1
SAVE_DELAY_S: Final = 10
# The latest state per hub entry, kept across a reload: the Store's delayed
# write of the old runner may not have reached the disk yet.
_STATE_CACHE: Final = f"{DOMAIN}_alert_state"


@dataclass(slots=True)
class _Tracked:
    """What the runner remembers of one miner between evaluations."""

    since: datetime  # when it started following the miner (offline grace)
    samples: deque[Sample] = field(default_factory=deque)
    last_seen: datetime | None = None
    last_data: object = None
    mode: str | None = None
    last_mode_change: datetime | None = None
    # Evaluations in a row the strategy reported a refused command.
    refusals: int = 0
    unsub: CALLBACK_TYPE | None = None


class AlertRunner:
    """Evaluates every alert of every polled miner once a minute."""

    def __init__(
        self, hass: HomeAssistant, entry: HMMConfigEntry, notifier: Notifier
    ) -> None:
        """Keep the hub; call :meth:`async_start` next."""
        self.hass = hass
        self.entry = entry
        self.notifier = notifier
        self.settings: dict[AlertType, AlertSettings] = {}
        self.state: AlertState = {}
        self._tracked: dict[str, _Tracked] = {}
        self._store: Store[AlertState] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.alerts.{entry.entry_id}"
        )
        self._unsubs: list[CALLBACK_TYPE] = []
        self._failures = FailureLog()

    async def async_start(self) -> None:
        """Seed and read alert_config, restore cooldowns, start following."""
        await self.async_reload_settings()
        cache: dict[str, AlertState] = self.hass.data.setdefault(_STATE_CACHE, {})
        cached = cache.get(self.entry.entry_id)
        self.state = (
            cached if cached is not None else await self._store.async_load() or {}
        )
        hub = self.entry.runtime_data
        self._unsubs += [
            hub.async_add_miner_listener(self._async_follow),
            async_track_time_interval(
                self.hass,
                self._async_tick,
                EVALUATE_EVERY,
                name=f"{DOMAIN} alerts",
            ),
            self.hass.bus.async_listen(EVENT_BLOCK_FOUND, self._async_block),
        ]
        self._async_follow()

    async def async_reload_settings(self) -> None:
        """Read alert_config (adding the default row of any missing type)."""
        try:
            rows = await self.entry.runtime_data.database.async_run(
                partial(seed_alert_config, defaults=default_alert_config_rows())
            )
        except DatabaseError as err:
            LOGGER.warning("Could not read the alert settings: %s", err)
            rows = []
        self.settings = settings_from_rows(rows)

    @callback
    def stop(self) -> None:
        """Stop following miners; write pending cooldowns."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        for tracked in self._tracked.values():
            if tracked.unsub is not None:
                tracked.unsub()
        self._tracked.clear()

    # -- following the miners -----------------------------------------------------

    @callback
    def _async_follow(self) -> None:
        """Attach to miners added since; forget removed ones."""
        coordinators = self.entry.runtime_data.coordinators
        for subentry_id in self._tracked.keys() - coordinators.keys():
            tracked = self._tracked.pop(subentry_id)
            if tracked.unsub is not None:
                tracked.unsub()
        now = _now()
        for subentry_id, coordinator in coordinators.items():
            if subentry_id in self._tracked:
                continue
            tracked = self._tracked[subentry_id] = _Tracked(since=now)
            tracked.unsub = coordinator.async_add_listener(
                partial(self._async_polled, coordinator, tracked)
            )
            self._async_polled(coordinator, tracked)

    @callback
    def _async_polled(self, coordinator: MinerCoordinator, tracked: _Tracked) -> None:
        snapshot = coordinator.data
        if (
            snapshot is None
            or snapshot is tracked.last_data
            or not coordinator.available
        ):
            return
        now = _now()
        tracked.last_data = snapshot
        tracked.last_seen = now
        if snapshot.mode and snapshot.mode != tracked.mode:
            if tracked.mode is not None:
                tracked.last_mode_change = now
                # Seen in the polls, whoever changed it (user, strategy, device).
                queue_event(
                    self.entry.runtime_data.database,
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

    def _miner_state(
        self,
        coordinator: MinerCoordinator,
        tracked: _Tracked,
        pools_down: set[str],
    ) -> MinerState:
        snapshot = coordinator.data if coordinator.available else None
        strategy = self.entry.runtime_data.strategy
        run = strategy.miner_state(coordinator) if strategy is not None else None
        pool_connected: bool | None = None
        if coordinator.subentry.subentry_id in pools_down:
            pool_connected = False
        elif snapshot is not None:
            pool_connected = bool(snapshot.pool_in_use)
        return MinerState(
            key=str(coordinator.miner_id),
            name=coordinator.name,
            miner_type=coordinator.miner_type.value,
            # Never seen since start-up: the timeout counts from then.
            last_seen=tracked.last_seen or tracked.since,
            temperature=snapshot.temperature if snapshot is not None else None,
            samples=list(tracked.samples),
            # The strategy's record, or the coordinator's own flag for it.
            strategy_off=bool(run and run.off_by_strategy)
            or coordinator.expected_offline,
            last_mode_change=tracked.last_mode_change,
            pool_connected=pool_connected,
            band_change_failures=tracked.refusals,
        )

    def last_seen(self, coordinator: MinerCoordinator) -> datetime | None:
        """Return when a miner last answered (aware UTC; start-up if never)."""
        tracked = self._tracked.get(coordinator.subentry.subentry_id)
        if tracked is None:
            return None
        return (tracked.last_seen or tracked.since).replace(tzinfo=UTC)

    # -- evaluating ---------------------------------------------------------------

    async def _async_tick(self, _now: datetime) -> None:
        self.async_evaluate()

    @callback
    def async_evaluate(self) -> None:
        """Evaluate every polled miner now and publish what changed."""
        hub = self.entry.runtime_data
        pools_down = {
            miner.subentry.subentry_id
            for pool in hub.pools.values()
            if pool.data is not None and not pool.data.reachable
            for miner in pool.miners()
        }
        strategy = hub.strategy
        miners: list[MinerState] = []
        for subentry_id, tracked in self._tracked.items():
            coordinator = hub.coordinators.get(subentry_id)
            if coordinator is None or not coordinator.polling_enabled:
                continue  # paused on purpose: not offline
            what = f"Alerts of {coordinator.name}"
            try:
                run = strategy.miner_state(coordinator) if strategy else None
                # The strategy retries every minute: refusals in a row are
                # counted once per evaluation while its error stands. Not
                # while the miner does not answer: commands fail then, which
                # is the offline alert's news, not a refusal.
                if coordinator.available:
                    refused = run is not None and run.last_error is not None
                    tracked.refusals = tracked.refusals + 1 if refused else 0
                miners.append(self._miner_state(coordinator, tracked, pools_down))
            except Exception as err:  # noqa: BLE001  (one miner must not stop the others)
                self._failures.failed(subentry_id, what, err, trace=True)
                continue
            self._failures.succeeded(subentry_id, what)
        result = evaluate(miners, self.settings, self.state, _now())
        failing = {(e.miner_key, e.alert_type) for e in result.errors}
        for error in result.errors:
            self._failures.failed(
                (error.miner_key, error.alert_type),
                f"The {error.alert_type} alert of {error.miner_name}",
                error.error,
                trace=True,
            )
        for miner in miners:
            for kind in AlertType:
                if (miner.key, kind) not in failing:
                    self._failures.succeeded(
                        (miner.key, kind), f"The {kind} alert of {miner.name}"
                    )
        if result.state != self.state:
            self.state = result.state
            self.hass.data[_STATE_CACHE][self.entry.entry_id] = self.state
            self._store.async_delay_save(lambda: self.state, SAVE_DELAY_S)
        for event in (*result.fired, *result.cleared):
            try:
                self._publish(event)
            except Exception as err:  # noqa: BLE001  (the other alerts still go out)
                self._failures.failed(
                    ("publish", event.miner_key, event.alert_type),
                    f"Publishing the {event.alert_type} alert of {event.miner_name}",
                    err,
                    trace=True,
                )

    @callback
    def _async_block(self, event: Event) -> None:
        """Alert at once for a block (the share tracker found it)."""
        settings = self.settings.get(AlertType.BLOCK_FOUND)
        if settings is None or not settings.enabled:
            return
        data = event.data
        hub = self.entry.runtime_data
        coordinator = next(
            (c for c in hub.coordinators.values() if c.name == data.get("miner")),
            None,
        )
        tracked = (
            self._tracked.get(coordinator.subentry.subentry_id) if coordinator else None
        )
        if coordinator is None or tracked is None:
            return
        difficulty = float(data.get("difficulty") or 0.0)
        block = BlockInfo(
            difficulty=difficulty,
            network_difficulty=float(data.get("network_difficulty") or difficulty),
            coin=data.get("coin"),
            pool=data.get("pool"),
        )
        now = _now()
        self._publish(
            block_found(
                self._miner_state(coordinator, tracked, set()), block, settings, now
            )
        )

    @callback
    def _publish(self, alert: AlertEvent) -> None:
        """Write an events row, fire the HA event and notify one alert."""
        data = alert.event_data()
        queue_event(
            self.entry.runtime_data.database,
            event_type="alert" if alert.kind == "fired" else "alert_cleared",
            source=f"miner:{alert.miner_name}",
            message=alert.message,
            data=data,
        )
        self.hass.bus.async_fire(
            EVENT_ALERT,
            {
                "type": alert.alert_type.value,
                "state": alert.kind,
                "miner": alert.miner_name,
                "title": alert.title,
                "message": alert.message,
                "device_id": self._device_id(alert.miner_key),
                "data": data,
            },
        )
        self.notifier.send_alert_in_background(alert)

    def _device_id(self, miner_key: str) -> str | None:
        for coordinator in self.entry.runtime_data.coordinators.values():
            if str(coordinator.miner_id) == miner_key:
                device = device_by_identifier(
                    dr.async_get(self.hass),
                    (DOMAIN, coordinator.device_identifier),
                    self.entry.entry_id,
                )
                return device.id if device is not None else None
        return None


def _now() -> datetime:
    """Now in the alerts package's convention (naive UTC)."""
    return to_naive_utc(dt_util.utcnow())
