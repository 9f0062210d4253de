"""Follow the Octopus Energy integration's day-list event entities.

Read at start, on every state change of the day lists and at each slot
boundary (never polled). The picked entity may be another entity of the
meter (:mod:`.octopus_links` finds the day lists); each read reports a
:class:`PriceReading` to the price coordinator.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from ..const import LOGGER
from ..prices.octopus_entity import OctopusEntitySource, region_from_tariff
from ..prices.reading import PriceReading
from ..prices.tariff_kind import STORE_KEYS
from .octopus_links import PROBLEM_UNSUPPORTED, PriceEntities, resolve_price_entity
from .sources import detect_price_source

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..prices.tariff_kind import SourceKind

HALF_HOUR: Final = timedelta(minutes=30)


class OctopusEventFeed:
    """Read a meter's ``*_current_day_rates`` / ``*_next_day_rates`` events."""

    kind: SourceKind | None = None  # Octopus: no other tariff's store key
    currency: Final = "GBP"
    step: Final = HALF_HOUR  # Agile slots; a read at each finds lists enabled since

    def __init__(
        self,
        hass: HomeAssistant,
        entity_id: str,
        region: str,
        report: Callable[[PriceReading], None],
        other_tariff: Callable[[], None],
    ) -> None:
        """Nothing is watched before :meth:`follow`."""
        self.hass = hass
        self.entity_id = entity_id
        self.region = region  # the options' until the entities name theirs
        self._report = report
        self._other_tariff = other_tariff
        self._links: PriceEntities | None = None
        self._source: OctopusEntitySource | None = None
        self._unsub_track: CALLBACK_TYPE | None = None

    @callback
    def follow(self) -> None:
        """Find and watch the day lists (their region keys the stored rows)."""
        self._resolve()

    async def async_read(self) -> None:
        """Read the entities now."""
        self.read()

    @callback
    def tick(self) -> None:
        """Read again as a slot begins."""
        self.read()

    @callback
    def stop(self) -> None:
        """Stop watching."""
        if self._unsub_track is not None:
            self._unsub_track()
            self._unsub_track = None

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
        self.stop()
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
        self.read()

    def _read_state(self, entity_id: str) -> tuple[object, Mapping[str, Any]] | None:
        state = self.hass.states.get(entity_id)
        if state is None or state.state == STATE_UNAVAILABLE:
            return None
        return state.state, state.attributes

    @callback
    def read(self) -> None:
        """Read the day lists and report what they hold (or why nothing)."""
        # Resolved again each time: the integration may load after us, or the
        # user may enable or rename its entities.
        links = self._resolve()
        if links.problem == PROBLEM_UNSUPPORTED and self._became_tariff():
            return
        if links.problem is not None or self._source is None:
            problem = links.problem or "entity_missing"
            suggestion = links.suggestion or (links.tariff or "")
            self._report(PriceReading([], 0, problem, suggestion, links.tariff))
            return
        day = self.hass.states.get(links.current_day or "")
        if day is None or day.state == STATE_UNAVAILABLE:
            self._source.forget()  # nothing kept once the source went away
        parsed = self._source.read(dt_util.utcnow())
        error: str | None = None
        detail = ""
        if day is None:
            error, detail = "entity_missing", self.entity_id
        elif day.state == STATE_UNAVAILABLE:
            error, detail = "entity_unavailable", self.entity_id
        elif parsed.is_export:
            error, detail = "export_entity", parsed.tariff_code or ""
        elif not parsed.slots and parsed.skipped:
            error, detail = "malformed_rates", self.entity_id
        if parsed.skipped:
            LOGGER.debug(
                "Skipped %s malformed rate items of %s", parsed.skipped, self.entity_id
            )
        if parsed.region and not parsed.is_export:
            self.region = parsed.region
        self._report(
            PriceReading(
                parsed.slots, parsed.skipped, error, detail, parsed.tariff_code
            )
        )

    @callback
    def _became_tariff(self) -> bool:
        """Hand over to another tariff's entity that appeared after our start."""
        if detect_price_source(self.hass, self.entity_id) not in STORE_KEYS:
            return False
        self._other_tariff()
        return True
