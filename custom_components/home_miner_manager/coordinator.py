"""One DataUpdateCoordinator per miner subentry."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ENABLED,
    CONF_HOST,
    CONF_MANUAL_POWER_WATTS,
    CONF_MINER_TYPE,
    CONF_NMMINER_BROADCAST,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
    CONF_WEB_PASSWORD,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    NMMINER_STALE_AFTER,
)
from .db.models import to_naive_utc
from .devices import create_driver
from .devices.exceptions import MinerAuthError, MinerError
from .devices.snapshot import MinerSnapshot
from .devices.types import MinerType
from .helpers import async_call_miner
from .issues import async_clear_refused, async_raise_refused, async_set_otp_enabled
from .records import async_actor, async_update_miner, queue_audit
from .telemetry import queue_snapshot

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.config_entries import ConfigSubentry

    from .data import HMMConfigEntry
    from .devices.base import MinerDriver


class _AvailabilityLogger(logging.Logger):
    """The coordinator's logger, with "went unavailable" lines at INFO.

    DataUpdateCoordinator logs a failed update once at ERROR; for a miner that
    was switched off or lost Wi-Fi that is routine, and the quality scale asks
    for one INFO line when it goes and one when it comes back. Unexpected
    errors (logged with a traceback) stay at ERROR.
    """

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        """Downgrade plain error lines; keep those carrying a traceback."""
        if kwargs.get("exc_info"):
            super().error(msg, *args, **kwargs)
        else:
            self.info(msg, *args, **kwargs)


COORDINATOR_LOGGER = _AvailabilityLogger(f"{LOGGER.name}.coordinator")
COORDINATOR_LOGGER.parent = LOGGER


def scan_interval(data: Mapping[str, Any]) -> timedelta:
    """Return the polling interval stored in a miner subentry."""
    seconds = data.get(CONF_SCAN_INTERVAL)
    return timedelta(seconds=seconds) if seconds else DEFAULT_SCAN_INTERVAL


def build_driver(
    hass: HomeAssistant, entry: HMMConfigEntry, data: Mapping[str, Any]
) -> MinerDriver:
    """Create the protocol driver for a miner subentry's data."""
    return create_driver(
        MinerType(data[CONF_MINER_TYPE]),
        data[CONF_HOST],
        data.get(CONF_PORT),
        session=async_get_clientsession(hass),
        web_password=data.get(CONF_WEB_PASSWORD),
        # Only broadcast-mode NMMiners read from the listener; others use HTTP.
        nmminer_listener=(
            entry.runtime_data.nmminer_listener
            if data.get(CONF_NMMINER_BROADCAST)
            else None
        ),
    )


class MinerCoordinator(DataUpdateCoordinator[MinerSnapshot]):
    """Polls one miner (or follows its UDP broadcasts) and records telemetry."""

    config_entry: HMMConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HMMConfigEntry,
        subentry: ConfigSubentry,
        *,
        driver: MinerDriver,
        miner_id: int,
    ) -> None:
        """Set up from the subentry; call :meth:`async_start` afterwards."""
        super().__init__(
            hass,
            COORDINATOR_LOGGER,
            config_entry=entry,
            name=subentry.title,
            update_interval=None,
            always_update=True,
        )
        self.subentry = subentry
        self.driver = driver
        self.miner_id = miner_id
        self.miner_type = MinerType(subentry.data[CONF_MINER_TYPE])
        self.device_identifier = subentry.unique_id or subentry.subentry_id
        self.manual_power_watts: int | None = None
        # Subentry data this coordinator reflects; the update listener compares
        # against it to find real reconfigurations.
        self.applied_data: dict[str, Any] = {}
        self._synced: dict[str, Any] = {}
        self._last_recorded: datetime | None = None
        self._unsub_broadcast: CALLBACK_TYPE | None = None
        self._unsub_watchdog: CALLBACK_TYPE | None = None
        self._last_datagram: datetime | None = None
        # Whether the "OTP enabled" issue is raised (None: not known yet).
        self._otp_issue: bool | None = None
        self._apply(subentry.data)

    # -- configuration -------------------------------------------------------

    def _apply(self, data: Mapping[str, Any]) -> None:
        self.applied_data = dict(data)
        self.name = self.subentry.title
        self._otp_issue = None  # re-raised with the current name and host
        self.manual_power_watts = data.get(CONF_MANUAL_POWER_WATTS)
        self._interval = scan_interval(data)
        self.update_interval = (
            self._interval if self.polling_enabled and not self.broadcast else None
        )

    @property
    def broadcast(self) -> bool:
        """Return True for an NMMiner followed through its UDP broadcasts."""
        return bool(self.applied_data.get(CONF_NMMINER_BROADCAST))

    @property
    def polling_enabled(self) -> bool:
        """Return whether this miner is being polled (Miner.enabled)."""
        return bool(self.applied_data.get(CONF_ENABLED, True))

    @property
    def power_watts(self) -> float | None:
        """Return device-reported power, else the user's manual estimate."""
        if self.data is not None and self.data.power_watts is not None:
            return self.data.power_watts
        if self.manual_power_watts is not None:
            return float(self.manual_power_watts)
        return None

    async def async_start(self) -> None:
        """Fetch once (never raising) and start polling or listening."""
        if not self.polling_enabled:
            self.last_update_success = False
            return
        if self.broadcast:
            self._start_broadcast()
            return
        await self.async_refresh()

    async def async_reconfigure(self, subentry: ConfigSubentry) -> None:
        """Apply a reconfigured subentry without rebuilding entities."""
        self._stop_broadcast()
        self._unschedule_refresh()
        self.subentry = subentry
        self.driver = build_driver(self.hass, self.config_entry, subentry.data)
        self._apply(subentry.data)
        await self.async_start()
        if not self.polling_enabled:
            self.async_update_listeners()

    async def async_shutdown(self) -> None:
        """Stop polling and listening."""
        self._stop_broadcast()
        await super().async_shutdown()

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
            async_raise_refused(
                self.hass, self.subentry.subentry_id, err, self._issue_placeholders()
            )
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="auth_failed",
                translation_placeholders={"name": self.name, "error": str(err)},
            ) from err
        except MinerError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"name": self.name, "error": str(err)},
            ) from err
        async_clear_refused(self.hass, self.subentry.subentry_id)
        otp = bool(snapshot.extras.get("otp_enabled"))
        if otp != self._otp_issue:
            self._otp_issue = otp
            async_set_otp_enabled(
                self.hass, self.subentry.subentry_id, otp, self._issue_placeholders()
            )
        self._record(snapshot)
        return snapshot

    async def _async_fetch(self) -> MinerSnapshot:
        """Fetch in turn with the hub's other miners.

        When many miners are due at once, starting every request and then
        turning every answer into states back to back stalled the event loop
        (~110 ms with 200 miners). The pacer spreads both over loop
        iterations; the semaphore bounds the requests in flight (sockets, and
        load on a home Wi-Fi). A miner that does not answer holds its slot for
        the driver timeout (10 s a request), hence a generous bound: dozens of
        silent miners still leave slots for the others.
        """
        hub = self.config_entry.runtime_data
        await hub.poll_pacer.wait_turn()
        try:
            async with hub.poll_slots:
                self._raise_if_stopped()
                snapshot = await self.driver.fetch()
        except MinerError:
            # Failures write states too (unavailable), and time-outs of
            # miners polled together all expire at once.
            await hub.poll_pacer.wait_turn()
            raise
        # The slot is free again (another request goes out) while this
        # answer waits for its turn to be turned into states.
        await hub.poll_pacer.wait_turn()
        self._raise_if_stopped()
        return snapshot

    def _raise_if_stopped(self) -> None:
        """Give up a poll that waited past a stop (polling off, removal, unload).

        By now its database may be closed and its entities gone, or polling
        switched off (the answer would show the miner available again).
        """
        if self._shutdown_requested or not self.polling_enabled:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="polling_stopped",
                translation_placeholders={"name": self.name},
            )

    def _issue_placeholders(self) -> dict[str, str]:
        return {
            "name": self.subentry.title,
            "host": str(self.applied_data.get(CONF_HOST)),
        }

    @callback
    def _record(self, snapshot: MinerSnapshot) -> None:
        """Queue a Telemetry row and keep the Miner row in step."""
        now = dt_util.utcnow()
        if (
            self.broadcast
            and self._last_recorded is not None
            and now - self._last_recorded < self._interval
        ):
            return
        self._last_recorded = now
        queue_snapshot(
            self.config_entry.runtime_data.database,
            self.miner_id,
            snapshot,
            when=now,
            manual_power_watts=self.manual_power_watts,
        )
        changed: dict[str, Any] = {}
        if (fw := snapshot.firmware_version) and self._synced.get("fw") != fw:
            changed["firmware_version"] = fw
            self._synced["fw"] = fw
        if (mode := snapshot.mode) and self._synced.get("mode") != mode:
            changed["current_mode"] = mode
            self._synced["mode"] = mode
        if changed:
            self.config_entry.async_create_background_task(
                self.hass,
                self._async_write_miner(changed),
                f"{DOMAIN} miner row {self.miner_id}",
            )

    async def _async_write_miner(self, values: dict[str, Any]) -> None:
        try:
            await async_update_miner(
                self.config_entry.runtime_data.database, self.miner_id, **values
            )
        except Exception:  # noqa: BLE001  (a DB hiccup must not break polling)
            LOGGER.warning("Could not update the database row of %s", self.name)

    # -- NMMiner broadcasts ----------------------------------------------------

    def _latest_broadcast(self) -> MinerSnapshot | None:
        listener = self.config_entry.runtime_data.nmminer_listener
        if listener is None:
            return None
        latest = listener.latest(self.applied_data[CONF_HOST])
        return None if latest is None else latest[0]

    def _start_broadcast(self) -> None:
        listener = self.config_entry.runtime_data.nmminer_listener
        if listener is None:
            self.last_update_success = False
            return
        self._unsub_broadcast = listener.subscribe(
            self.applied_data[CONF_HOST], self._on_datagram
        )
        self._unsub_watchdog = async_track_time_interval(
            self.hass, self._check_stale, NMMINER_STALE_AFTER / 4
        )
        self.last_update_success = False
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
        self._record(snapshot)
        self.async_set_updated_data(snapshot)

    @callback
    def _check_stale(self, now: datetime) -> None:
        """Mark a silent broadcast miner unavailable (logged once)."""
        if not self.last_update_success:
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

    # -- commands --------------------------------------------------------------

    async def async_set_polling_enabled(
        self, enabled: bool, *, user_id: str | None = None
    ) -> None:
        """Start or stop polling; persist it in the subentry and Miner row."""
        if enabled == self.polling_enabled:
            return
        new_data = {**self.subentry.data, CONF_ENABLED: enabled}
        self._stop_broadcast()
        self._unschedule_refresh()
        self._apply(new_data)  # first, so the update listener sees no change
        self.hass.config_entries.async_update_subentry(
            self.config_entry, self.subentry, data=new_data
        )
        database = self.config_entry.runtime_data.database
        queue_audit(
            database,
            actor=await async_actor(self.hass, user_id),
            action="miner_enabled" if enabled else "miner_disabled",
            miner_id=self.miner_id,
            miner_name=self.subentry.title,
            changes={CONF_ENABLED: {"old": not enabled, "new": enabled}},
        )
        await async_update_miner(database, self.miner_id, enabled=enabled)
        if enabled:
            await self.async_start()
        else:
            self.last_update_success = False
            self.async_update_listeners()

    async def async_set_mode(self, mode: str, *, user_id: str | None = None) -> None:
        """Apply a mode on the device and record it."""
        if mode not in self.driver.modes:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unsupported_mode",
                translation_placeholders={
                    "name": self.subentry.title,
                    "mode": mode,
                    "modes": ", ".join(self.driver.modes),
                },
            )
        await self._async_command(
            "mode_changed", self.driver.set_mode(mode), user_id, {"mode": mode}
        )
        self._synced["mode"] = mode
        await async_update_miner(
            self.config_entry.runtime_data.database,
            self.miner_id,
            current_mode=mode,
            last_mode_change=to_naive_utc(dt_util.utcnow()),
        )
        await self.async_request_refresh()

    async def async_restart(self, *, user_id: str | None = None) -> None:
        """Restart the miner."""
        await self._async_command("miner_restarted", self.driver.restart(), user_id)

    async def _async_command(
        self,
        action: str,
        command: Any,
        user_id: str | None,
        changes: Mapping[str, Any] | None = None,
    ) -> None:
        """Run a driver command, audit it (success or failure), translate errors."""
        actor = await async_actor(self.hass, user_id)
        # Bound to this command; a cancelled command is not audited.
        audit = partial(
            queue_audit,
            self.config_entry.runtime_data.database,
            actor=actor,
            action=action,
            miner_id=self.miner_id,
            miner_name=self.subentry.title,
            changes=changes,
        )
        try:
            await async_call_miner(self.subentry.title, command)
        except Exception as err:
            audit(status="failure", error_message=str(err.__cause__ or err))
            raise
        audit()
