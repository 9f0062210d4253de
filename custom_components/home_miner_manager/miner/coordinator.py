"""One DataUpdateCoordinator per miner subentry: it fetches, nothing more.

Recording a poll (``recorder.py``), audited commands (``commands.py``),
repair issues (``issues.py``) and what it is built from (``runtime.py``)
live beside it; the coordinator calls them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .. import const
from ..compat import async_apply_update_interval
from ..const import (
    CONF_ENABLED,
    CONF_HOST,
    CONF_MANUAL_POWER_WATTS,
    CONF_MINER_TYPE,
    CONF_NMMINER_BROADCAST,
    DOMAIN,
    LOGGER,
    NMMINER_STALE_AFTER,
)
from ..devices.exceptions import MinerAuthError, MinerError
from ..devices.types import MinerType
from ..errors import error_key
from .issues import async_clear_refused, async_raise_refused, async_set_otp_enabled
from .recorder import MinerRecorder
from .restart_watch import RestartWatch
from .runtime import (
    AvailabilityLogger,
    MinerServices,
    MinerStatus,
    build_driver,
    scan_interval,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime, timedelta

    from homeassistant.config_entries import ConfigEntry, ConfigSubentry

    from ..devices.snapshot import MinerSnapshot
    from .pool_switch import PoolSwitchWatch


class MinerCoordinator(DataUpdateCoordinator["MinerSnapshot"]):
    """Polls one miner, or follows its UDP broadcasts."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        subentry: ConfigSubentry,
        *,
        services: MinerServices,
        miner_id: int,
    ) -> None:
        """Set up from the subentry; call :meth:`async_start` afterwards."""
        # Before the first poll can log: the strategy may switch it off.
        self.expected_offline = False
        super().__init__(
            hass,
            AvailabilityLogger(lambda: self.expected_offline),
            config_entry=entry,
            name=subentry.title,
            update_interval=None,
            always_update=True,
        )
        self.services = services
        self.subentry = subentry
        self.driver = build_driver(services, subentry.data)
        self.miner_id = miner_id
        self.miner_type = MinerType(subentry.data[CONF_MINER_TYPE])
        self.device_identifier = subentry.unique_id or subentry.subentry_id
        self.recorder = MinerRecorder(hass, entry, services, miner_id, subentry.title)
        self.manual_power_watts: int | None = None
        # Subentry data this coordinator reflects; the update listener compares
        # against it to find real reconfigurations.
        self.applied_data: dict[str, Any] = {}
        # From applied_data, kept as attributes: every entity reads them on
        # every poll (``available``), ~20 reads per miner per poll.
        self.polling_enabled = True  # Miner.enabled: this miner is polled
        self.broadcast = False  # an NMMiner followed through its UDP broadcasts
        self._unsub_broadcast: CALLBACK_TYPE | None = None
        self._unsub_watchdog: CALLBACK_TYPE | None = None
        self.restart_watch: RestartWatch | None = None
        self._last_datagram: datetime | None = None
        self._refused = False
        # Following a pool switch until the polls show it (pool_switch.py).
        self.pool_watch: PoolSwitchWatch | None = None
        # Whether the "OTP enabled" issue is raised (None: not known yet).
        self._otp_issue: bool | None = None
        self._apply(subentry.data)

    # -- configuration -------------------------------------------------------

    def _apply(self, data: Mapping[str, Any]) -> None:
        self.applied_data = dict(data)
        self.polling_enabled = bool(data.get(CONF_ENABLED, True))
        self.broadcast = bool(data.get(CONF_NMMINER_BROADCAST))
        self.name = self.subentry.title
        self.recorder.miner_name = self.name
        self._otp_issue = None  # re-raised with the current name and host
        self.manual_power_watts = data.get(CONF_MANUAL_POWER_WATTS)
        self.recorder.configure(
            interval=scan_interval(data),
            throttle=self.broadcast,
            manual_power_watts=self.manual_power_watts,
        )
        self.update_interval = (
            self._poll_interval(data)
            if self.polling_enabled and not self.broadcast
            else None
        )

    def _poll_interval(self, data: Mapping[str, Any]) -> timedelta:
        # Off at its plug on purpose: check now and then, not every interval.
        if self.expected_offline:
            return max(const.STRATEGY_OFF_SCAN_INTERVAL, scan_interval(data))
        return scan_interval(data)

    @callback
    def async_set_expected_offline(self, off: bool) -> None:
        """Mark the miner switched off by the strategy (True), or back on.

        While off it is polled every few minutes, logs nothing above DEBUG
        and its status says "off by strategy" instead of unreachable.
        """
        if off == self.expected_offline:
            return
        self.expected_offline = off
        self._apply(self.applied_data)
        async_apply_update_interval(self)
        self.async_update_listeners()

    @property
    def available(self) -> bool:
        """Return whether the miner's values are current (its entities' state)."""
        return (
            self.polling_enabled and self.last_update_success and self.data is not None
        )

    @property
    def power_watts(self) -> float | None:
        """Return device-reported power, else the user's manual estimate."""
        if self.data is not None and self.data.power_watts is not None:
            return self.data.power_watts
        if self.manual_power_watts is not None:
            return float(self.manual_power_watts)
        return None

    @property
    def status(self) -> MinerStatus:
        """Return what the miner is doing now."""
        if not self.polling_enabled:
            return MinerStatus.POLLING_PAUSED
        if not self.last_update_success:
            if self.expected_offline:
                return MinerStatus.OFF_BY_STRATEGY
            return MinerStatus.REFUSED if self._refused else MinerStatus.UNREACHABLE
        # None until the first answer (HA types ``data`` as always set).
        snapshot: MinerSnapshot | None = self.data
        if snapshot is None:
            if self.expected_offline:
                return MinerStatus.OFF_BY_STRATEGY
            return MinerStatus.CONNECTING
        if snapshot.extras.get("calibrating"):
            return MinerStatus.CALIBRATING
        return MinerStatus.MINING if snapshot.hashrate_ghs else MinerStatus.IDLE

    @property
    def status_reason(self) -> str | None:
        """Return the translation key of why the miner is not answering."""
        if not self.polling_enabled or self.last_update_success:
            return None
        err = self.last_exception
        cause = err.__cause__ if err is not None else None
        if isinstance(cause, MinerError):
            return error_key(cause)
        return "no_broadcast" if self.broadcast else None

    def async_start(self) -> None:
        """Start polling (the first poll in the background) or listening.

        Set-up never waits for a miner: one switched off at its plug would
        hold start-up for its whole timeout (unavailable until it answers).
        """
        if not self.polling_enabled:
            return
        if self.broadcast:
            self._start_broadcast()
            return
        self.config_entry.async_create_background_task(
            self.hass, self.async_refresh(), f"{DOMAIN} first poll {self.name}"
        )

    async def async_reconfigure(self, subentry: ConfigSubentry) -> None:
        """Apply a reconfigured subentry without rebuilding entities."""
        self._stop_broadcast()
        self.update_interval = None  # cancels the next poll; _apply sets it again
        async_apply_update_interval(self)
        self.subentry = subentry
        old_driver = self.driver
        self.driver = build_driver(self.services, subentry.data)
        await old_driver.close()  # its kept-alive connection
        self._apply(subentry.data)
        self.async_start()
        self.async_update_listeners()

    @callback
    def async_set_polling(self, enabled: bool) -> None:
        """Start or stop polling; persist it in the subentry.

        ``last_update_success`` is left as it was: a paused miner is not a
        failed one, so resuming logs no "recovered" line.
        """
        new_data = {**self.subentry.data, CONF_ENABLED: enabled}
        self._stop_broadcast()
        self.update_interval = None  # cancels the next poll; _apply sets it again
        async_apply_update_interval(self)
        self._apply(new_data)  # first, so the update listener sees no change
        self.hass.config_entries.async_update_subentry(
            self.config_entry, self.subentry, data=new_data
        )
        self.async_start()
        self.async_update_listeners()

    async def async_shutdown(self) -> None:
        """Stop polling and listening."""
        self._stop_broadcast()
        self._stop_restart_watch()
        if self.pool_watch is not None:
            self.pool_watch.cancel()
            self.pool_watch = None
        await super().async_shutdown()
        await self.driver.close()

    # -- polling -------------------------------------------------------------

    async def _async_update_data(self) -> MinerSnapshot:
        if self.broadcast:
            snapshot = self._latest_broadcast()
            if snapshot is None:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="no_broadcast",
                    translation_placeholders={"name": self.name},
                )
            return snapshot
        try:
            snapshot = await self._async_fetch()
        except MinerAuthError as err:
            self._refused = True
            async_raise_refused(
                self.hass, self.subentry.subentry_id, err, self._issue_placeholders()
            )
            raise self._failed(err) from err
        except MinerError as err:
            self._refused = False
            raise self._failed(err) from err
        if self._refused:
            self._refused = False
            async_clear_refused(self.hass, self.subentry.subentry_id)
        otp = bool(snapshot.extras.get("otp_enabled"))
        if otp != self._otp_issue:
            self._otp_issue = otp
            async_set_otp_enabled(
                self.hass, self.subentry.subentry_id, otp, self._issue_placeholders()
            )
        self.recorder.record(snapshot)
        return snapshot

    def _failed(self, err: MinerError) -> UpdateFailed:
        key = "auth_failed" if isinstance(err, MinerAuthError) else "update_failed"
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"name": self.name, "error": str(err)},
        )

    async def _async_fetch(self) -> MinerSnapshot:
        """Fetch in turn with the hub's other miners.

        Many miners due at once, their requests started and their answers
        turned into states back to back, stalled the loop (~110 ms with 200
        miners): the pacer spreads both over loop iterations; the semaphore
        bounds requests in flight (sockets, home Wi-Fi). A silent miner holds
        its slot for the driver timeout, hence a generous bound.
        """
        pacer = self.services.poll_pacer
        await pacer.wait_turn()
        try:
            async with self.services.poll_slots:
                self._raise_if_stopped()
                snapshot = await self.driver.fetch()
        except MinerError:
            # Failures write states too (unavailable), and time-outs of
            # miners polled together all expire at once.
            await pacer.wait_turn()
            raise
        # The slot is free again (another request goes out) while this
        # answer waits for its turn to be turned into states.
        await pacer.wait_turn()
        self._raise_if_stopped()
        return snapshot

    def _raise_if_stopped(self) -> None:
        """Give up a poll that waited past a stop (polling off, removal, unload).

        Its database may be closed, its entities gone, or polling switched off.
        """
        if self._shutdown_requested or not self.polling_enabled:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="polling_stopped",
                translation_placeholders={"name": self.name},
            )

    def _issue_placeholders(self) -> dict[str, str]:
        host = str(self.applied_data.get(CONF_HOST))
        return {"name": self.subentry.title, "host": host}

    # -- after a restart -------------------------------------------------------

    @callback
    def async_watch_restart(self) -> None:
        """Poll often after a restart command until the miner is back."""
        self._stop_restart_watch()
        if not self.broadcast and self.polling_enabled:
            self.restart_watch = RestartWatch(self)

    def _stop_restart_watch(self) -> None:
        if self.restart_watch is not None:
            self.restart_watch.cancel()
            self.restart_watch = None

    # -- NMMiner broadcasts ----------------------------------------------------

    def _latest_broadcast(self) -> MinerSnapshot | None:
        listener = self.services.nmminer_listener
        if listener is None:
            return None
        latest = listener.latest(self.applied_data[CONF_HOST])
        return None if latest is None else latest[0]

    def _start_broadcast(self) -> None:
        listener = self.services.nmminer_listener
        if listener is None:
            self.last_update_success = False
            return
        self._unsub_broadcast = listener.subscribe(
            self.applied_data[CONF_HOST], self._on_datagram
        )
        self._unsub_watchdog = async_track_time_interval(
            self.hass, self._check_stale, NMMINER_STALE_AFTER / 4
        )
        if (snapshot := self._latest_broadcast()) is not None:
            self._on_datagram(snapshot)

    def _stop_broadcast(self) -> None:
        for unsub in (self._unsub_broadcast, self._unsub_watchdog):
            if unsub is not None:
                unsub()
        self._unsub_broadcast = self._unsub_watchdog = None

    @callback
    def _on_datagram(self, snapshot: MinerSnapshot) -> None:
        self._last_datagram = dt_util.utcnow()
        if not self.last_update_success and self.data is not None:
            LOGGER.info("Broadcasts from %s resumed", self.name)
        self.recorder.record(snapshot)
        self.async_set_updated_data(snapshot)

    @callback
    def _check_stale(self, now: datetime) -> None:
        """Mark a silent broadcast miner unavailable (logged once)."""
        if not self.last_update_success or self.data is None:
            return
        if (
            self._last_datagram is None
            or now - self._last_datagram > NMMINER_STALE_AFTER
        ):
            LOGGER.info(
                "No broadcast from %s for %s; marking it unavailable",
                self.name,
                NMMINER_STALE_AFTER,
            )
            self.last_update_success = False
            self.async_update_listeners()
