"""Electricity prices for the hub: one source, known slots, stored rows.

The source is the Octopus integration's entities (:mod:`.octopus_events`),
the Octopus public API (:mod:`.octopus_fetch`) or another tariff the user has
in Home Assistant (:mod:`.sources`). Each read is pushed here (no polling);
the coordinator also wakes at each slot boundary, so its listeners (the
strategy, rules, price sensors) see the slot in progress change. The rest of
the integration sees a sorted list of :class:`PriceSlot` and, when the
current slot has no price, a cause (a repair-issue translation key).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CALLBACK_TYPE, CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later, async_track_point_in_utc_time
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
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
from ..prices.reading import PriceReading
from ..prices.slots import merge_slots, slot_at
from ..prices.stats import UK
from ..prices.tariff_kind import STORE_KEYS
from ..prices.units import price_unit_label
from .octopus_events import OctopusEventFeed
from .octopus_fetch import OctopusApiFeed
from .sources import TariffFeed, detect_price_source

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import tzinfo

    from aiohttp import ClientSession
    from homeassistant.config_entries import ConfigEntry

    from ..db import Database
    from ..prices.slots import PriceSlot
    from ..prices.tariff_kind import SourceKind

KEEP_SLOTS_FOR: Final = timedelta(days=2)  # in memory; the database keeps more
ISSUE_PRICE_UNKNOWN: Final = "price_unknown"


def prices_configured(options: Mapping[str, Any]) -> bool:
    """Return True once the user chose a price source (entities appear then)."""
    if options.get(CONF_PRICE_SOURCE) == PRICE_SOURCE_API:
        return True
    return bool(options.get(CONF_PRICE_ENTITY))


def next_boundary(now: datetime, step: timedelta) -> datetime:
    """Return the first multiple of ``step`` (counted in UTC) after ``now``."""
    seconds = step.total_seconds()
    steps = now.timestamp() // seconds + 1
    return datetime.fromtimestamp(steps * seconds, UTC)


class PriceFeed(Protocol):
    """One kind of price source; each read is reported as a PriceReading."""

    @property
    def region(self) -> str:
        """The key of the source's stored rows (and its region attribute)."""

    @property
    def kind(self) -> SourceKind | None:
        """Another tariff's kind; None for Octopus."""

    @property
    def currency(self) -> str:
        """The prices' currency (they are kept in its minor unit per kWh)."""

    @property
    def step(self) -> timedelta:
        """How often :meth:`tick` runs (slot boundaries)."""

    def follow(self) -> None:
        """Start watching the source (before the stored rows are read)."""

    async def async_read(self) -> None:
        """Read the source once now."""

    def tick(self) -> None:
        """Read again, or report what is known (at each step boundary)."""

    def stop(self) -> None:
        """Stop watching; report nothing more."""


class PriceCoordinator(DataUpdateCoordinator[PriceReading]):
    """Known price slots of the hub's source, and why the current one is missing."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        database: Database,
        session: ClientSession,
    ) -> None:
        """Read the options; call :meth:`async_start` to begin."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} prices",
            update_interval=None,
        )
        self.database = database
        self.session = session
        self._unsubs: list[CALLBACK_TYPE] = []
        self._unsub_tick: CALLBACK_TYPE | None = None
        self._configure()

    def _configure(self) -> None:
        """Read the options: what to follow, and a fresh start (no slots yet)."""
        options = self.config_entry.options
        # No source chosen: nothing is followed, and no price entity exists.
        self.configured = prices_configured(options)
        self.source = str(options.get(CONF_PRICE_SOURCE, PRICE_SOURCE_ENTITY))
        region = str(options.get(CONF_REGION) or DEFAULT_REGION).upper()
        self.entity_id = str(options.get(CONF_PRICE_ENTITY) or "")
        self.data = PriceReading()
        self.last_update: datetime | None = None
        self._written: dict[datetime, float] = {}
        self._grace_until = dt_util.utcnow() + const.PRICE_GRACE
        kind = (
            detect_price_source(self.hass, self.entity_id) if self.entity_id else None
        )
        self._feed: PriceFeed
        if self.source == PRICE_SOURCE_API:
            self._feed = OctopusApiFeed(
                self.hass, self.session, region, lambda: self.slots, self._async_report
            )
        elif kind in STORE_KEYS:
            assert kind is not None
            self._feed = TariffFeed(self.hass, self.entity_id, kind, self._async_report)
        else:
            self._feed = OctopusEventFeed(
                self.hass,
                self.entity_id,
                region,
                self._async_report,
                self._async_other_tariff,
            )

    # -- lifecycle ---------------------------------------------------------------

    async def async_start(self) -> None:
        """Load stored slots, subscribe to the source and read it once."""
        if not self.configured:
            return
        now = dt_util.utcnow()
        self._feed.follow()  # the Octopus entities' region keys the stored rows
        region = self.region
        try:
            stored = await self.database.async_run(
                lambda s: load_energy_prices(
                    s, region, now - KEEP_SLOTS_FOR, now + timedelta(days=3)
                )
            )
        except DatabaseError as err:
            LOGGER.warning("Could not read stored prices: %s", err)
            stored = []
        self._written = {slot.start: slot.price_pence for slot in stored}
        if self.source == PRICE_SOURCE_API:
            self.data = PriceReading(stored)  # until the first fetch answers
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
        self._schedule_tick(now)
        await self._feed.async_read()

    @callback
    def async_stop(self) -> None:
        """Stop listening and refreshing."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()
        if self._unsub_tick is not None:
            self._unsub_tick()
            self._unsub_tick = None
        self._feed.stop()
        ir.async_delete_issue(self.hass, DOMAIN, ISSUE_PRICE_UNKNOWN)

    async def async_shutdown(self) -> None:
        """Stop following the source, then the coordinator itself."""
        self.async_stop()
        await super().async_shutdown()

    async def async_restart(self) -> None:
        """Follow changed price options in place (an options save, no reload).

        The same coordinator stays: the strategy and the price sensors keep
        their subscriptions; everything read from the options starts over.
        """
        self.async_stop()
        self._configure()
        await self.async_start()
        self.async_update_listeners()

    async def _async_update_data(self) -> PriceReading:
        # Pushed by the source: a refresh asked for has nothing new to fetch.
        return self.data

    @callback
    def _async_ha_started(self, event: Event) -> None:
        self._grace_until = dt_util.utcnow() + const.PRICE_GRACE
        self._unsubs.append(
            async_call_later(self.hass, const.PRICE_GRACE, self._grace_over)
        )

    @callback
    def _grace_over(self, _now: datetime) -> None:
        self.async_update_listeners()

    @callback
    def _schedule_tick(self, now: datetime) -> None:
        self._unsub_tick = async_track_point_in_utc_time(
            self.hass, self._async_tick, next_boundary(now, self._feed.step)
        )

    @callback
    def _async_tick(self, now: datetime) -> None:
        """Have the source read again (or report) as a slot begins: listeners run."""
        self._schedule_tick(now)
        self._feed.tick()

    @callback
    def _async_other_tariff(self) -> None:
        """Follow another tariff's entity: the picked one turned out to be that."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_restart(), f"{DOMAIN} price source"
        )

    # -- what others read ------------------------------------------------------------

    @property
    def slots(self) -> list[PriceSlot]:
        """Return the known slots, sorted (the last two days and ahead)."""
        return self.data.slots

    @property
    def skipped(self) -> int:
        """Return how many malformed items the last read skipped."""
        return self.data.skipped

    @property
    def tariff_code(self) -> str | None:
        """Return the tariff as the source names it (None before a read)."""
        return self.data.tariff_code

    @property
    def region(self) -> str:
        """Return the Octopus region, or another tariff's one-letter store key."""
        return self._feed.region

    @property
    def kind(self) -> SourceKind | None:
        """Return the other tariff's kind; None for Octopus (entities or API)."""
        return self._feed.kind

    @property
    def day_zone(self) -> tzinfo:
        """The zone of the tariff's day: the UK for Octopus, else Home Assistant's."""
        return UK if self.kind is None else dt_util.get_default_time_zone()

    @property
    def currency(self) -> str:
        """Return the prices' currency: GBP for Octopus, else Home Assistant's."""
        return self._feed.currency

    @property
    def price_unit(self) -> str:
        """Return p/kWh for Octopus (GBP tariffs), else the currency's minor unit."""
        if self.kind is None:
            return "p/kWh"
        return price_unit_label(self.currency)

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
        if self.data.error is not None:
            return self.data.error
        return "no_rate_for_now"

    @property
    def error_detail(self) -> str:
        """Return the last source error, for the repair issue (no secrets)."""
        return self.data.detail

    # -- a read arrives -------------------------------------------------------------

    @callback
    def _async_report(self, reading: PriceReading) -> None:
        """Keep a read (the last two days and ahead), store new prices, tell all."""
        now = dt_util.utcnow()
        self.last_update = now
        slots = [s for s in merge_slots(reading.slots) if s.end > now - KEEP_SLOTS_FOR]
        fresh = [s for s in slots if self._written.get(s.start) != s.price_pence]
        if fresh:
            for slot in fresh:
                self._written[slot.start] = slot.price_pence
            self._async_store(fresh)
        self.async_set_updated_data(replace(reading, slots=slots))

    @callback
    def _async_store(self, slots: list[PriceSlot]) -> None:
        region = self.region
        database = self.database

        async def _store() -> None:
            try:
                await database.async_run(
                    lambda s: upsert_energy_prices(s, region, slots)
                )
            except DatabaseError as err:
                LOGGER.warning("Could not store prices: %s", err)
                for slot in slots:  # try again with the next read
                    self._written.pop(slot.start, None)

        self.config_entry.async_create_background_task(
            self.hass, _store(), f"{DOMAIN} store prices"
        )
