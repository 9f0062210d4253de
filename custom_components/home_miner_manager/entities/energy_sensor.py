"""The energy sensor of a miner: power integrated over time, kept across restarts."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from decimal import Decimal
import math

from homeassistant.components.sensor import RestoreSensor, SensorExtraStoredData
from homeassistant.core import callback
from homeassistant.util import dt as dt_util

from ..entity import MinerEntity

# A reading further apart than this from the previous one is not integrated:
# the miner's consumption in between is unknown.
ENERGY_MAX_GAP = timedelta(minutes=10)


class MinerEnergySensor(MinerEntity, RestoreSensor):
    """Energy used, integrated from power over the time between polls.

    Trapezoidal rule between consecutive successful readings, using the
    device's power or the user's manual estimate. Time the miner was
    unreachable (or a gap over ``ENERGY_MAX_GAP``) is not counted. The total
    survives restarts, so the miner can sit in the Energy dashboard.
    """

    _energy_kwh: float | None = None  # unknown until the first power reading
    _last_sample: tuple[datetime, float] | None = None

    async def async_added_to_hass(self) -> None:
        """Restore the total and start integrating from the current reading."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_sensor_data()) is not None:
            restored = last.native_value
            if isinstance(restored, int | float | str | Decimal):
                with contextlib.suppress(ValueError):
                    if math.isfinite(total := float(restored)) and total >= 0:
                        self._energy_kwh = total
        self._integrate()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._integrate()
        super()._handle_coordinator_update()

    def _integrate(self) -> None:
        watts = self.coordinator.power_watts if self.snapshot else None
        if not self.coordinator.available or watts is None:
            self._last_sample = None
            return
        now = dt_util.utcnow()
        if self._energy_kwh is None:
            self._energy_kwh = 0.0
        elif self._last_sample is not None:
            then, then_watts = self._last_sample
            elapsed = now - then
            if timedelta(0) < elapsed <= ENERGY_MAX_GAP:
                hours = elapsed.total_seconds() / 3600
                self._energy_kwh += (then_watts + watts) / 2 * hours / 1000
        self._last_sample = (now, float(watts))

    @property
    def native_value(self) -> float | None:
        """Return the total in kWh, to the watt-hour it is shown with.

        Finer digits changed the state at every poll (a few mWh each), a
        recorder row and a state object each time, without telling anyone
        anything; the exact total is what is restored (below).
        """
        return None if self._energy_kwh is None else round(self._energy_kwh, 3)

    @property
    def extra_restore_state_data(self) -> SensorExtraStoredData:
        """Keep the unrounded total, so restarts lose no fraction of a Wh."""
        return SensorExtraStoredData(self._energy_kwh, self.native_unit_of_measurement)
