"""Electricity prices for the hub: one source, known slots, stored rows.

The source is the Octopus integration's entities (read at start-up and on
every state change, never polled) or the public API (refreshed every 30
minutes, and from 16:00 UK time until tomorrow appears). Either way the rest
of the integration sees a sorted list of :class:`PriceSlot` and, when the
current slot has no price, a cause (a repair-issue translation key).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_time_change,
)
from homeassistant.util import dt as dt_util

from .. import const
from ..const import (
    CONF_PRICE_ENTITY,
    CONF_PRICE_SOURCE,
    CONF_REGION,
    DEFAULT_REGION,
    DOMAIN,
    LOGGER,
    PRICE_SOURCE_API,
    PRICE_SOURCE_ENTITY,
)
from ..db.exceptions import DatabaseError
from ..db.prices_rows import load_energy_prices, upsert_energy_prices
from ..prices.octopus_api import (
    OctopusAgileClient,
    OctopusError,
    OctopusStaleError,
    covers_tomorrow,
    next_refresh_at,
)
from ..prices.octopus_entity import OctopusEntitySource, region_from_tariff
from ..prices.slots import merge_slots, slot_at
from ..prices.stats import UK
from ..prices.tariff_kind import STORE_KEYS, SourceKind
from ..prices.units import price_unit_label
from .octopus_links import PROBLEM_UNSUPPORTED, PriceEntities, resolve_price_entity
from .sources import FeedResult, TariffFeed, detect_price_source

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import tzinfo

    from ..data import HMMConfigEntry
    from ..prices.slots import PriceSlot

KEEP_SLOTS_FOR: Final = timedelta(days=2)  # in memory; the database keeps more
ISSUE_PRICE_UNKNOWN: Final = "price_unknown"


def prices_configured(options: Mapping[str, Any]) -> bool:
    """Return True once the user chose a price source (entities appear then)."""
    if options.get(CONF_PRICE_SOURCE) == PRICE_SOURCE_API:
        return True
    return bool(options.get(CONF_PRICE_ENTITY))


class PriceManager:
    """Known price slots of the hub's source, and why the current one is missing."""

    def __init__(self, hass: HomeAssistant, entry: HMMConfigEntry) -> None:
        """Read the options; call :meth:`async_start` to begin."""
        self.hass = hass
        self.entry = entry
        options = entry.options
        self.source = str(options.get(CONF_PRICE_SOURCE, PRICE_SOURCE_ENTITY))
        self.region: str = str(options.get(CONF_REGION) or DEFAULT_REGION).upper()
        self.entity_id = str(options.get(CONF_PRICE_ENTITY) or "")
        self.slots: list[PriceSlot] = []
        self.tariff_code: str | None = None
        self.skipped = 0
        self.last_update: datetime | None = None
        self._error: str | None = None  # cause key of the last failed read
        self._error_detail = ""
        self._listeners: list[CALLBACK_TYPE] = []
        self._unsubs: list[CALLBACK_TYPE] = []
        self._unsub_refresh: CALLBACK_TYPE | None = None
        self._written: dict[datetime, float] = {}
        self._grace_until = dt_util.utcnow() + const.PRICE_GRACE
        self._client: OctopusAgileClient | None = None
        self._product: str | None = None
        self._last_refresh: datetime | None = None
        self._links: PriceEntities | None = None
        self._source: OctopusEntitySource | None = None
        self._unsub_track: CALLBACK_TYPE | None = None
        self.kind: SourceKind | None = None  # None: Octopus (entity or API)
        self._feed: TariffFeed | None = None
        kind = detect_price_source(hass, self.entity_id) if self.entity_id else None
        if self.source != PRICE_SOURCE_API and kind in STORE_KEYS:
            assert kind is not None
            # Another tariff: its rows are stored under its own one-letter key.
            self.kind, self.region = kind, STORE_KEYS[kind]
            self._feed = TariffFeed(hass, self.entity_id, kind, self._feed_report)

    # -- lifecycle ---------------------------------------------------------------

    async def async_start(self) -> None:
        """Load stored slots, subscribe to the source and read it once."""
        now = dt_util.utcnow()
        if self.source != PRICE_SOURCE_API and self._feed is None:
            self._resolve()  # the entities' region keys the stored rows
        database = self.entry.runtime_data.database
        try:
            stored = await database.async_run(
                lambda s: load_energy_prices(
                    s, self.region, now - KEEP_SLOTS_FOR, now + timedelta(days=3)
                )
            )
        except DatabaseError as err:
            LOGGER.warning("Could not read stored prices: %s", err)
            stored = []
        self._written = {slot.start: slot.price_pence for slot in stored}
        if self.source == PRICE_SOURCE_API:
            self.slots = stored  # until the first fetch answers
        if self.hass.state is not CoreState.running:
            # The grace period counts from Home Assistant's start, not ours.
            self._unsubs.append(
                self.hass.bus.async_listen_once(
                    EVENT_HOMEASSISTANT_STARTED, self._async_ha_started
                )
            )
        self._unsubs.append(
            async_call_later(self.hass, const.PRICE_GRACE, self._grace_over)
        )
        self._unsubs.append(
            async_track_time_change(
                self.hass, self._slot_boundary, minute=(0, 30), second=0
            )
        )
        if self.source == PRICE_SOURCE_API:
            self._client = OctopusAgileClient(
                self.entry.runtime_data.session, const.OCTOPUS_API_URL
            )
            await self._async_refresh()
            return
        if self._feed is not None:
            await self._feed.async_start()
            return
        self._read_entities()

    @callback
    def async_stop(self) -> None:
        """Stop listening and refreshing."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._unsub_track is not None:
            self._unsub_track()
            self._unsub_track = None
        if self._unsub_refresh is not None:
            self._unsub_refresh()
            self._unsub_refresh = None
        if self._feed is not None:
            self._feed.stop()
        ir.async_delete_issue(self.hass, DOMAIN, ISSUE_PRICE_UNKNOWN)

    async def async_restart(self) -> None:
        """Follow changed price options in place (an options save, no reload).

        The same object stays: the strategy and the price sensors hold it and
        keep their subscriptions; everything read from the options starts over.
        """
        self.async_stop()
        listeners = self._listeners
        self.__init__(self.hass, self.entry)  # type: ignore[misc]
        self._listeners = listeners
        await self.async_start()
        self._notify()

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` when prices change or a slot begins."""
        self._listeners.append(listener)

        @callback
        def _remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return _remove

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    @callback
    def _async_ha_started(self, event: Event) -> None:
        self._grace_until = dt_util.utcnow() + const.PRICE_GRACE
        self._unsubs.append(
            async_call_later(self.hass, const.PRICE_GRACE, self._grace_over)
        )

    @callback
    def _grace_over(self, _now: datetime) -> None:
        self._notify()

    @callback
    def _slot_boundary(self, _now: datetime) -> None:
        if self._feed is not None:
            return  # the feed reads (and so notifies) every 5 minutes
        if self.source == PRICE_SOURCE_API:
            self._notify()
        else:
            self._read_entities()  # notifies; finds day lists enabled since

    # -- what others read ------------------------------------------------------------

    @property
    def day_zone(self) -> tzinfo:
        """The zone of the tariff's day: the UK for Octopus, else Home Assistant's."""
        return UK if self._feed is None else dt_util.get_default_time_zone()

    @property
    def currency(self) -> str:
        """Return the prices' currency: GBP for Octopus, else Home Assistant's."""
        return "GBP" if self._feed is None else self._feed.currency

    @property
    def price_unit(self) -> str:
        """Return p/kWh for Octopus (GBP tariffs), else the currency's minor unit."""
        if self._feed is None:
            return "p/kWh"
        return price_unit_label(self._feed.currency)

    @property
    def in_grace(self) -> bool:
        """Return True while a missing price does not count as unknown yet."""
        return dt_util.utcnow() < self._grace_until

    def current(self, now: datetime | None = None) -> PriceSlot | None:
        """Return the slot in progress."""
        return slot_at(self.slots, now or dt_util.utcnow())

    def unknown_cause(self, now: datetime | None = None) -> str | None:
        """Return why the current slot has no price (None when it has one)."""
        if self.current(now) is not None:
            return None
        if self._error is not None:
            return self._error
        return "no_rate_for_now"

    @property
    def error_detail(self) -> str:
        """Return the last source error, for the repair issue (no secrets)."""
        return self._error_detail

    # -- Octopus entities ---------------------------------------------------------------

    @callback
    def _resolve(self) -> PriceEntities:
        """Find the day lists to read; watch them (and the picked entity)."""
        links = resolve_price_entity(self.hass, self.entity_id)
        before, self._links = self._links, links
        region = region_from_tariff(links.tariff)
        if region and not links.problem:
            self.region = region
        ids = (links.current_day, links.next_day)
        if before is not None and ids == (before.current_day, before.next_day):
            return links
        self._source = (
            OctopusEntitySource(self._read_state, links.current_day, links.next_day)
            if links.current_day is not None
            else None
        )
        if self._unsub_track is not None:
            self._unsub_track()
        # The picked entity (and the day list to pick) only while the day
        # lists are not found: a rate sensor's tick is no reason to read again.
        watched = [e for e in ids if e] or [
            e for e in (self.entity_id, links.suggestion) if e
        ]
        self._unsub_track = async_track_state_change_event(
            self.hass, watched, self._state_changed
        )
        return links

    @callback
    def _state_changed(self, event: Event[Any]) -> None:
        self._read_entities()

    def _read_state(self, entity_id: str) -> tuple[object, Mapping[str, Any]] | None:
        state = self.hass.states.get(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            return None
        return state.state, state.attributes

    @callback
    def _read_entities(self) -> None:
        # Resolved again each time: the integration may load after us, or the
        # user may enable or rename its entities.
        links = self._resolve()
        if links.problem == PROBLEM_UNSUPPORTED and self._became_tariff():
            return
        if links.problem is not None or self._source is None:
            self._error = links.problem or "entity_missing"
            self._error_detail = links.suggestion or (links.tariff or "")
            self.skipped = 0
            self.tariff_code = links.tariff
            self._set_slots([])
            return
        day = self.hass.states.get(links.current_day or "")
        if day is None or day.state == STATE_UNAVAILABLE:
            self._source.forget()  # nothing kept once the source went away
        parsed = self._source.read(dt_util.utcnow())
        if day is None:
            self._error, self._error_detail = "entity_missing", self.entity_id
        elif day.state == STATE_UNAVAILABLE:
            self._error, self._error_detail = "entity_unavailable", self.entity_id
        elif parsed.is_export:
            self._error, self._error_detail = "export_entity", parsed.tariff_code or ""
        elif not parsed.slots and parsed.skipped:
            self._error, self._error_detail = "malformed_rates", self.entity_id
        else:
            self._error, self._error_detail = None, ""
        if parsed.skipped:
            LOGGER.debug(
                "Skipped %s malformed rate items of %s", parsed.skipped, self.entity_id
            )
        self.skipped = parsed.skipped
        self.tariff_code = parsed.tariff_code
        if parsed.region and not parsed.is_export:
            self.region = parsed.region
        self._set_slots(parsed.slots)

    @callback
    def _became_tariff(self) -> bool:
        """Restart on another tariff's entity that appeared after our start."""
        if detect_price_source(self.hass, self.entity_id) not in STORE_KEYS:
            return False
        self.entry.async_create_background_task(
            self.hass, self.async_restart(), f"{DOMAIN} price source"
        )
        return True

    @callback
    def _feed_report(self, result: FeedResult) -> None:
        self._error = result.error
        self._error_detail = result.detail
        self.skipped = result.skipped
        self.tariff_code = result.tariff or None
        self._set_slots(result.slots)

    # -- Octopus public API ------------------------------------------------------------

    async def _async_refresh(self, _now: datetime | None = None) -> None:
        self._unsub_refresh = None
        now = dt_util.utcnow()
        assert self._client is not None
        try:
            rates = await self._client.async_unit_rates(self.region, now, self._product)
        except OctopusError as err:
            stale = isinstance(err, OctopusStaleError)
            self._error = "api_stale" if stale else "api_error"
            self._error_detail = str(err)
            LOGGER.info("Octopus prices not refreshed: %s", err)
            self._schedule(now + const.PRICE_API_RETRY)
            self._notify()
            return
        self._product = rates.product
        self._last_refresh = now
        self._error, self._error_detail = None, ""
        self.skipped = rates.skipped
        self.tariff_code = f"E-1R-{rates.product}-{rates.region}"
        self._set_slots(merge_slots(rates.slots, self.slots))
        has_tomorrow = covers_tomorrow(self.slots, now)
        self._schedule(next_refresh_at(now, now, has_tomorrow))

    def _schedule(self, when: datetime) -> None:
        if self._unsub_refresh is not None:
            self._unsub_refresh()
        self._unsub_refresh = async_track_point_in_utc_time(
            self.hass, self._async_refresh, when
        )

    # -- shared -------------------------------------------------------------------------

    @callback
    def _set_slots(self, slots: list[PriceSlot]) -> None:
        now = dt_util.utcnow()
        self.last_update = now
        self.slots = [s for s in merge_slots(slots) if s.end > now - KEEP_SLOTS_FOR]
        fresh = [s for s in self.slots if self._written.get(s.start) != s.price_pence]
        if fresh:
            for slot in fresh:
                self._written[slot.start] = slot.price_pence
            self._async_store(fresh)
        self._notify()

    @callback
    def _async_store(self, slots: list[PriceSlot]) -> None:
        region = self.region
        database = self.entry.runtime_data.database

        async def _store() -> None:
            try:
                await database.async_run(
                    lambda s: upsert_energy_prices(s, region, slots)
                )
            except DatabaseError as err:
                LOGGER.warning("Could not store prices: %s", err)
                for slot in slots:  # try again with the next read
                    self._written.pop(slot.start, None)

        self.entry.async_create_background_task(
            self.hass, _store(), f"{DOMAIN} store prices"
        )


type PriceListener = Callable[[], None]
