"""What one successful poll leaves in the database.

A Telemetry row per poll (per scan interval for broadcasting NMMiners, which
send a datagram every few seconds), and the Miner row kept in step with the
firmware and mode the device reports.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import timedelta
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..const import DEFAULT_SCAN_INTERVAL, DOMAIN, LOGGER
from ..db.miner_rows import update_miners
from ..pools.pool_match import snapshot_user

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from ..db import Database
    from ..devices.snapshot import MinerSnapshot
    from .runtime import MinerServices

# Share counters kept per miner: an hour (the reject-rate window) and a margin
# for the baseline row before it.
COUNTERS_KEPT = timedelta(minutes=65)

# Keys a driver might put in ``extras`` that must never reach the database.
_SECRET_MARKERS = ("pass", "secret", "token", "cookie", "otp_code")


@lru_cache(maxsize=512)
def _storable_key(key: str) -> bool:
    # Drivers use a small set of keys: decide once per key, not per poll
    # (bounded, in case a device ever supplies key names of its own).
    return not any(marker in key.lower() for marker in _SECRET_MARKERS)


def telemetry_extras(snapshot: MinerSnapshot) -> dict[str, Any]:
    """Return the JSON ``data`` stored beside a Telemetry row (no secrets)."""
    extras: dict[str, Any] = {
        key: value
        for key, value in snapshot.extras.items()
        if isinstance(value, str | int | float | bool | None) and _storable_key(key)
    }
    extras.update(
        mode=snapshot.mode,
        best_difficulty=snapshot.best_difficulty,
        session_best_difficulty=snapshot.session_best_difficulty,
        uptime_seconds=snapshot.uptime_seconds,
        firmware_version=snapshot.firmware_version,
        model=snapshot.model,
        hashrate_ghs=snapshot.hashrate_ghs,
    )
    return extras


def queue_snapshot(
    database: Database,
    miner_id: int,
    snapshot: MinerSnapshot,
    *,
    when: datetime,
    manual_power_watts: int | None,
) -> None:
    """Queue one Telemetry row; power falls back to the user's estimate."""
    power = snapshot.power_watts
    if power is None and manual_power_watts is not None:
        power = float(manual_power_watts)
    database.queue_telemetry(
        miner_id,
        when,
        hashrate=snapshot.hashrate,
        hashrate_unit=snapshot.hashrate_unit,
        temperature=snapshot.temperature,
        power_watts=power,
        shares_accepted=snapshot.shares_accepted,
        shares_rejected=snapshot.shares_rejected,
        pool_in_use=snapshot.pool_in_use,
        data=telemetry_extras(snapshot),
    )


class MinerRecorder:
    """Records one miner's polls; the coordinator hands it every snapshot."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        services: MinerServices,
        miner_id: int,
        miner_name: str,
    ) -> None:
        """Record for the Miner row ``miner_id``."""
        self._hass = hass
        self._entry = entry
        self._services = services
        self._database = services.database
        self.miner_id = miner_id
        self.miner_name = miner_name
        self._interval = DEFAULT_SCAN_INTERVAL
        self._throttle = False
        self._manual_power_watts: int | None = None
        self._last_recorded: datetime | None = None
        # Firmware and mode last written to the Miner row.
        self._synced: dict[str, str] = {}

    def configure(
        self, *, interval: timedelta, throttle: bool, manual_power_watts: int | None
    ) -> None:
        """Apply the subentry's settings (``throttle``: one row per interval)."""
        self._interval = interval
        self._throttle = throttle
        self._manual_power_watts = manual_power_watts

    def mark_mode(self, mode: str) -> None:
        """Note a mode the Miner row already holds (set by a command)."""
        self._synced["current_mode"] = mode

    @callback
    def record(self, snapshot: MinerSnapshot) -> None:
        """Queue a Telemetry row and keep the Miner row in step."""
        now = dt_util.utcnow()
        if (
            self._throttle
            and self._last_recorded is not None
            and now - self._last_recorded < self._interval
        ):
            return
        self._last_recorded = now
        self._keep_counters(snapshot, now)
        self._services.share_tracker.observe(
            miner_id=self.miner_id,
            miner_name=self.miner_name,
            snapshot=snapshot,
            when=now,
        )
        queue_snapshot(
            self._database,
            self.miner_id,
            snapshot,
            when=now,
            manual_power_watts=self._manual_power_watts,
        )
        changed = {
            column: value
            for column, value in (
                ("firmware_version", snapshot.firmware_version),
                ("current_mode", snapshot.mode),
            )
            if value and self._synced.get(column) != value
        }
        if changed:
            self._synced.update(changed)
            self.async_update_row(**changed)

    @callback
    def async_update_row(self, **values: Any) -> None:
        """Write columns of the Miner row in the background (nobody waits).

        Queued with the other miners' changes: one transaction for many.
        """
        if self._services.miner_rows.add(self.miner_id, values):
            self._entry.async_create_background_task(
                self._hass, self._async_write_rows(), f"{DOMAIN} miner rows"
            )

    def _keep_counters(self, snapshot: MinerSnapshot, now: datetime) -> None:
        """Keep an hour of share counters for the pool's reject rate."""
        samples = self._services.counter_samples.get(self.miner_id)
        if samples is None:
            samples = self._services.counter_samples[self.miner_id] = deque()
        samples.append(
            (
                now,
                snapshot.shares_accepted,
                snapshot.shares_rejected,
                snapshot.pool_in_use,
                # The pool's own rate: several pools may share a host:port.
                snapshot_user(snapshot),
            )
        )
        while samples and now - samples[0][0] > COUNTERS_KEPT:
            samples.popleft()

    async def _async_write_rows(self) -> None:
        queue = self._services.miner_rows
        # One loop turn first: changes queued by the same callback (a fleet
        # commanded at once) join this write.
        await asyncio.sleep(0)
        while (batch := queue.take()) is not None:
            try:
                await self._database.async_run(partial(update_miners, updates=batch))
            except Exception:  # noqa: BLE001  (a DB hiccup must not break polling)
                LOGGER.warning(
                    "Could not update the database rows of miners %s", sorted(batch)
                )
