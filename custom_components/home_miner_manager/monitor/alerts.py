"""Alerts of the hub: plain miner state from the coordinators, evaluated every minute.

The rules are the pure ``alerts`` package. This module builds a
``MinerState`` per polled miner from the last hour of its polls (kept in
memory by ``recent_polls``: no database read per evaluation), and for every
alert fired or cleared writes
an ``events`` row, fires ``home_miner_manager_alert`` and hands it to the
notifier. Cooldowns and open episodes live in an HA Store, so a restart
neither repeats nor forgets an alert.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

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
from ..failure_log import FailureLog
from ..pool.best_shares import EVENT_BLOCK_FOUND
from .recent_polls import RecentPolls, TrackedMiner, naive_utcnow

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from ..db.database import Database
    from ..miner.coordinator import MinerCoordinator
    from ..miner.fleet import FleetCoordinator
    from .notify_channels import Notifier
    from .watched import Watched

EVENT_ALERT: Final = "home_miner_manager_alert"
EVALUATE_EVERY: Final = timedelta(minutes=1)
STORE_VERSION: Final = 1
SAVE_DELAY_S: Final = 10
# The latest state per hub entry, kept across a reload: the Store's delayed
# write of the old coordinator may not have reached the disk yet.
_STATE_CACHE: Final = f"{DOMAIN}_alert_state"


class AlertCoordinator(DataUpdateCoordinator[AlertState]):
    """Evaluates every alert of every polled miner once a minute.

    Data: the alert state (open episodes, cooldowns), pushed after each
    evaluation that changed it. It keeps its own minute timer rather than
    polling: a coordinator polls only while something listens, and alerts
    go out whether or not any entity does.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        database: Database,
        notifier: Notifier,
        watched: Watched,
        fleet: FleetCoordinator[MinerCoordinator],
    ) -> None:
        """Keep what it evaluates from; call :meth:`async_start` next.

        ``fleet`` tells of miners being polled, added or removed.
        """
        super().__init__(hass, LOGGER, config_entry=entry, name=f"{DOMAIN} alerts")
        self.data = {}
        self.notifier = notifier
        self.settings: dict[AlertType, AlertSettings] = {}
        self._entry_id = entry.entry_id
        self._database = database
        self._coordinators = watched.coordinators
        self._pools = watched.pools
        self._strategy = watched.strategy
        self._fleet = fleet
        self._polls = RecentPolls(database, fleet)
        self._store: Store[AlertState] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.alerts.{entry.entry_id}"
        )
        self._unsubs: list[CALLBACK_TYPE] = []
        self._failures = FailureLog()

    async def async_start(self) -> None:
        """Seed and read alert_config, restore cooldowns, start following."""
        await self.async_reload_settings()
        cache: dict[str, AlertState] = self.hass.data.setdefault(_STATE_CACHE, {})
        cached = cache.get(self._entry_id)
        self.data = (
            cached if cached is not None else await self._store.async_load() or {}
        )
        self._unsubs += [
            self._fleet.async_add_listener(self._polls.async_follow),
            async_track_time_interval(
                self.hass,
                self._async_tick,
                EVALUATE_EVERY,
                name=f"{DOMAIN} alerts",
            ),
            self.hass.bus.async_listen(EVENT_BLOCK_FOUND, self._async_block),
        ]
        self._polls.async_follow()

    async def async_reload_settings(self) -> None:
        """Read alert_config (adding the default row of any missing type)."""
        try:
            rows = await self._database.async_run(
                partial(seed_alert_config, defaults=default_alert_config_rows())
            )
        except DatabaseError as err:
            LOGGER.warning("Could not read the alert settings: %s", err)
            rows = []
        self.settings = settings_from_rows(rows)

    @callback
    def async_stop(self) -> None:
        """Stop evaluating and following miners (before the database closes)."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        self._polls.async_stop()

    async def async_shutdown(self) -> None:
        """Stop with the coordinator."""
        self.async_stop()
        await super().async_shutdown()

    def _miner_state(
        self,
        coordinator: MinerCoordinator,
        tracked: TrackedMiner,
        pools_down: set[str],
    ) -> MinerState:
        snapshot = coordinator.data if coordinator.available else None
        run = self._strategy.miner_state(coordinator)
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
        return self._polls.last_seen(coordinator)

    # -- evaluating ---------------------------------------------------------------

    async def _async_tick(self, _now: datetime) -> None:
        self.async_evaluate()

    @callback
    def async_evaluate(self) -> None:
        """Evaluate every polled miner now and publish what changed."""
        pools_down = {
            miner.subentry.subentry_id
            for pool in self._pools.values()
            if pool.data is not None and not pool.data.reachable
            for miner in pool.miners()
        }
        strategy = self._strategy
        miners: list[MinerState] = []
        for subentry_id, tracked in self._polls.tracked.items():
            coordinator = self._coordinators.get(subentry_id)
            if coordinator is None or not coordinator.polling_enabled:
                continue  # paused on purpose: not offline
            what = f"Alerts of {coordinator.name}"
            try:
                run = strategy.miner_state(coordinator)
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
        result = evaluate(miners, self.settings, self.data, naive_utcnow())
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
        if result.state != self.data:
            self.hass.data[_STATE_CACHE][self._entry_id] = result.state
            self._store.async_delay_save(lambda: self.data, SAVE_DELAY_S)
            self.async_set_updated_data(result.state)
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
        coordinator = next(
            (c for c in self._coordinators.values() if c.name == data.get("miner")),
            None,
        )
        tracked = (
            self._polls.tracked.get(coordinator.subentry.subentry_id)
            if coordinator
            else None
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
        now = naive_utcnow()
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
            self._database,
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
        for coordinator in self._coordinators.values():
            if str(coordinator.miner_id) == miner_key:
                device = device_by_identifier(
                    dr.async_get(self.hass),
                    (DOMAIN, coordinator.device_identifier),
                    self._entry_id,
                )
                return device.id if device is not None else None
        return None
