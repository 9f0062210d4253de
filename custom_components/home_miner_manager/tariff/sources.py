"""Prices from a dynamic tariff the user already has in Home Assistant.

Nord Pool and Tibber publish a day through an action (called with
``return_response``); Amber, ENTSO-e and generic sensors publish it in
attributes (read on every state change). Either way the parsers of
:mod:`.prices` turn it into slots in the minor unit of Home Assistant's
currency; this feed keeps the slots it saw (an action answers one day, a
forecast drops the slot in progress) and reports each read to the hub's
:class:`.coordinator.PriceCoordinator`, which wakes it every 5 minutes.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT, STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..prices import amber, entsoe, generic, nordpool, tibber
from ..prices.reading import PriceReading
from ..prices.slots import merge_slots
from ..prices.tariff_items import ParsedPrices
from ..prices.tariff_kind import STORE_KEYS, SourceKind, detect_source
from ..prices.units import PriceUnit, factor_for

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..prices.slots import PriceSlot

KEEP_SEEN: Final = timedelta(days=2)
# An action is asked again this often while tomorrow is missing (published
# around 13:00 CET), and at least this often anyway.
RETRY_TOMORROW: Final = timedelta(hours=1)
REFRESH_ANYWAY: Final = timedelta(hours=6)
ACTION_TIMEOUT: Final = 30.0
MAJOR: Final = PriceUnit(None)  # a source that states no unit: major per kWh
# 5-minute steps cover 15-, 30- and 60-minute slots (and Amber's 5).
FEED_STEP: Final = timedelta(minutes=5)


def detect_price_source(hass: HomeAssistant, entity_id: str) -> SourceKind | None:
    """Return the kind of source ``entity_id`` is (registry platform, attributes)."""
    entry = er.async_get(hass).async_get(entity_id)
    state = hass.states.get(entity_id)
    return detect_source(
        entity_id,
        entry.platform if entry is not None else None,
        state.attributes if state is not None else None,
    )


class TariffFeed:
    """Read one non-Octopus tariff entity, keep what was seen, report each read."""

    step: Final = FEED_STEP

    def __init__(
        self,
        hass: HomeAssistant,
        entity_id: str,
        kind: SourceKind,
        report: Callable[[PriceReading], None],
    ) -> None:
        """Nothing is read before :meth:`async_read`."""
        self.hass = hass
        self.entity_id = entity_id
        self.kind = kind
        self.region = STORE_KEYS[kind]  # its rows' one-letter key
        self._report = report
        self.currency = str(hass.config.currency).upper()
        self.seen: list[PriceSlot] = []
        self._last_call: datetime | None = None
        self._unsubs: list[CALLBACK_TYPE] = []
        self._running = False
        self._stopped = False
        self._failure = ""  # the last action error, for the repair issue

    @callback
    def follow(self) -> None:
        """Watch the entities whose attributes hold the prices (not actions')."""
        if self.kind not in {SourceKind.NORDPOOL, SourceKind.TIBBER}:
            self._unsubs.append(
                async_track_state_change_event(
                    self.hass, self._watched(), self._changed
                )
            )

    @callback
    def stop(self) -> None:
        """Stop watching."""
        self._stopped = True  # a read still in flight reports nothing
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    @callback
    def _changed(self, _event: Event[Any]) -> None:
        self.hass.async_create_task(self.async_read(), eager_start=True)

    @callback
    def tick(self) -> None:
        """Every 5 minutes: read again (an action only when due)."""
        self.hass.async_create_task(self.async_read(), eager_start=True)

    async def async_read(self) -> None:
        """Read the source now (an action only when due) and report."""
        if self._running or self._stopped:
            return
        self._running = True
        try:
            now = dt_util.utcnow()
            if self.kind in {SourceKind.NORDPOOL, SourceKind.TIBBER}:
                if not self._due(now):
                    self._report(self._result(ParsedPrices(), now, fresh=False))
                    return
                self._last_call = now
                parsed = await self._async_call_action(now)
            else:
                parsed = self._read_attributes()
            if not self._stopped:
                self._report(self._result(parsed, now))
        finally:
            self._running = False

    def _due(self, now: datetime) -> bool:
        """Call the action at start, without a price ahead, or for tomorrow."""
        if self._last_call is None or now - self._last_call >= REFRESH_ANYWAY:
            return True
        if not any(s.start <= now < s.end for s in self.seen):
            return True
        tomorrow = self._local_midnight(now, 2)
        has_tomorrow = any(s.end >= tomorrow for s in self.seen)
        return not has_tomorrow and now - self._last_call >= RETRY_TOMORROW

    def _local_midnight(self, now: datetime, days: int) -> datetime:
        day = dt_util.as_local(now).date() + timedelta(days=days)
        return dt_util.as_utc(
            datetime.combine(day, time(0), tzinfo=dt_util.get_default_time_zone())
        )

    def _result(
        self, parsed: ParsedPrices, now: datetime, *, fresh: bool = True
    ) -> PriceReading:
        if parsed.problem is not None:
            self.seen = []  # a refused source's earlier slots are no price either
            detail = self._failure or self.kind.value
            if parsed.problem == "currency_mismatch":
                detail = self.currency
            return PriceReading([], parsed.skipped, parsed.problem, detail)
        kept = [s for s in self.seen if s.end > now - KEEP_SEEN]
        self.seen = merge_slots(parsed.slots, kept)
        error = None
        if fresh and not parsed.slots and parsed.skipped:
            error = "malformed_rates"
        tariff = f"{self.kind.value} {self.currency}"  # shown in the attributes
        return PriceReading(self.seen, parsed.skipped, error, "", tariff)

    # -- entities --------------------------------------------------------------

    def _registry_entry(self) -> er.RegistryEntry | None:
        return er.async_get(self.hass).async_get(self.entity_id)

    def _sibling(self, unique_id: str) -> str | None:
        return er.async_get(self.hass).async_get_entity_id(
            "sensor", self.kind.value, unique_id
        )

    def _watched(self) -> list[str]:
        """Return the entities whose attributes hold the prices."""
        entry = self._registry_entry()
        if self.kind is SourceKind.AMBER and entry is not None:
            found = amber.site_channel(entry.unique_id)
            if found is not None:
                site, channel = found
                ids = (
                    self._sibling(f"{site}-forecasts-{channel}"),
                    self._sibling(f"{site}-current-{channel}"),
                )
                return [i for i in ids if i] or [self.entity_id]
        if self.kind is SourceKind.ENTSOE and entry is not None:
            if entsoe.is_average(entry.unique_id):
                return [self.entity_id]
            registry = er.async_get(self.hass)
            for other in er.async_entries_for_config_entry(
                registry, entry.config_entry_id or ""
            ):
                if entsoe.is_average(other.unique_id):
                    return [other.entity_id]
        return [self.entity_id]

    def _attributes(self, entity_id: str) -> Mapping[str, Any] | None:
        state = self.hass.states.get(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            return None
        return state.attributes

    def _factor(self, attributes: Mapping[str, Any] | None) -> float | None:
        attrs = attributes or {}
        unit = attrs.get(ATTR_UNIT_OF_MEASUREMENT) or attrs.get("unit")
        return factor_for(unit, self.currency, MAJOR)

    def _read_attributes(self) -> ParsedPrices:
        watched = self._watched()
        states = {entity_id: self._attributes(entity_id) for entity_id in watched}
        if all(attrs is None for attrs in states.values()):
            return ParsedPrices(problem="entity_unavailable")
        first = next(attrs for attrs in states.values() if attrs is not None)
        factor = self._factor(first)
        if factor is None:
            return ParsedPrices(problem="currency_mismatch")
        if self.kind is SourceKind.AMBER:
            forecast = next(
                (a for a in states.values() if a and "forecasts" in a), None
            )
            current = next((a for a in states.values() if a and "per_kwh" in a), None)
            return amber.parse_attributes(forecast, current, factor)
        if self.kind is SourceKind.ENTSOE:
            return entsoe.parse_attributes(first, factor)
        return generic.parse_attributes(first, factor)

    # -- actions ---------------------------------------------------------------

    async def _async_call_action(self, now: datetime) -> ParsedPrices:
        try:
            async with asyncio.timeout(ACTION_TIMEOUT):
                if self.kind is SourceKind.NORDPOOL:
                    return await self._async_nordpool(now)
                return await self._async_tibber(now)
        except (HomeAssistantError, TimeoutError) as err:
            LOGGER.info("%s prices not fetched: %s", self.kind.value, err)
            self._failure = str(err) or type(err).__name__
            # What was seen stays usable; a failed call is no malformed list.
            return ParsedPrices(problem=None if self.seen else "action_error")

    async def _async_nordpool(self, now: datetime) -> ParsedPrices:
        entry = self._registry_entry()
        if entry is None or entry.config_entry_id is None:
            return ParsedPrices(problem="entity_missing")
        area = nordpool.area_of(entry.unique_id)
        if area is None:
            return ParsedPrices(problem="unsupported")
        if self.currency not in nordpool.CURRENCIES:
            return ParsedPrices(problem="currency_mismatch")
        parsed = []
        for days in (0, 1):
            day = dt_util.as_local(now).date() + timedelta(days=days)
            response = await self.hass.services.async_call(
                nordpool.DOMAIN,
                nordpool.SERVICE,
                {
                    "config_entry": entry.config_entry_id,
                    "date": day.isoformat(),
                    "areas": [area],
                    "currency": self.currency,
                },
                blocking=True,
                return_response=True,
            )
            result = nordpool.parse_response(
                response, area, self.currency, self.currency
            )
            parsed.append(result)
        return ParsedPrices(
            merge_slots(*(p.slots for p in parsed)), sum(p.skipped for p in parsed)
        )

    async def _async_tibber(self, now: datetime) -> ParsedPrices:
        state = self.hass.states.get(self.entity_id)
        factor = self._factor(state.attributes if state is not None else None)
        if factor is None:
            return ParsedPrices(problem="currency_mismatch")
        start = self._local_midnight(now, 0)
        response = await self.hass.services.async_call(
            tibber.DOMAIN,
            tibber.SERVICE,
            {
                "start": dt_util.as_local(start).isoformat(),
                "end": dt_util.as_local(start + timedelta(days=2)).isoformat(),
            },
            blocking=True,
            return_response=True,
        )
        hint = str(state.attributes.get("friendly_name", "")) if state else ""
        home = tibber.pick_home(tibber.homes(response), hint)
        if home is None:
            return ParsedPrices(skipped=1)
        return tibber.parse_response(response, home, factor)
