"""Fetch Agile rates from the Octopus public API.

Every 30 minutes, and from 16:00 UK time until tomorrow appears (see
:func:`.prices.octopus_api.next_refresh_at`); a failed fetch is retried
after :data:`.const.PRICE_API_RETRY` and keeps the slots known so far.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util

from .. import const
from ..const import LOGGER
from ..prices.octopus_api import (
    OctopusAgileClient,
    OctopusError,
    OctopusStaleError,
    covers_tomorrow,
    next_refresh_at,
)
from ..prices.reading import PriceReading
from ..prices.slots import merge_slots
from .octopus_events import HALF_HOUR

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from aiohttp import ClientSession

    from ..prices.slots import PriceSlot
    from ..prices.tariff_kind import SourceKind


class OctopusApiFeed:
    """Fetch one region's Agile rates on the API's publishing schedule."""

    kind: SourceKind | None = None  # Octopus: no other tariff's store key
    currency: Final = "GBP"
    step: Final = HALF_HOUR

    def __init__(
        self,
        hass: HomeAssistant,
        session: ClientSession,
        region: str,
        known: Callable[[], list[PriceSlot]],
        report: Callable[[PriceReading], None],
    ) -> None:
        """Nothing is fetched before :meth:`async_read`."""
        self.hass = hass
        self.region = region
        self._known = known  # the slots kept so far (fetched ones merge in)
        self._report = report
        self._client = OctopusAgileClient(session, const.OCTOPUS_API_URL)
        self._product: str | None = None
        self._last = PriceReading()  # the last fetch's (its error stays till the next)
        self._unsub_refresh: CALLBACK_TYPE | None = None
        self._stopped = False

    @callback
    def follow(self) -> None:
        """Nothing to watch: the API is asked on a schedule."""

    async def async_read(self) -> None:
        """Fetch now."""
        await self._async_refresh()

    @callback
    def tick(self) -> None:
        """Report what is known as a slot begins (the schedule fetches)."""
        self._report(replace(self._last, slots=self._known()))

    @callback
    def stop(self) -> None:
        """Stop refreshing; a fetch in flight reports nothing."""
        self._stopped = True
        if self._unsub_refresh is not None:
            self._unsub_refresh()
            self._unsub_refresh = None

    async def _async_refresh(self, _now: datetime | None = None) -> None:
        self._unsub_refresh = None
        now = dt_util.utcnow()
        try:
            rates = await self._client.async_unit_rates(self.region, now, self._product)
        except OctopusError as err:
            if self._stopped:
                return
            stale = isinstance(err, OctopusStaleError)
            LOGGER.info("Octopus prices not refreshed: %s", err)
            self._schedule(now + const.PRICE_API_RETRY)
            error = "api_stale" if stale else "api_error"
            self._last = replace(self._last, error=error, detail=str(err))
            self.tick()
            return
        if self._stopped:
            return
        self._product = rates.product
        tariff = f"E-1R-{rates.product}-{rates.region}"
        self._last = PriceReading([], rates.skipped, None, "", tariff)
        self._report(replace(self._last, slots=merge_slots(rates.slots, self._known())))
        has_tomorrow = covers_tomorrow(self._known(), now)
        self._schedule(next_refresh_at(now, now, has_tomorrow))

    def _schedule(self, when: datetime) -> None:
        if self._unsub_refresh is not None:
            self._unsub_refresh()
        self._unsub_refresh = async_track_point_in_utc_time(
            self.hass, self._async_refresh, when
        )
