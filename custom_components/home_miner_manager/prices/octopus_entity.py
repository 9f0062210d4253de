"""Read Agile rates from the Octopus Energy Home Assistant integration's entities.

The integration (BottlecapDave/HomeAssistant-OctopusEnergy, v18) publishes
``event.octopus_energy_electricity_{serial}_{mpan}[_export]_current_day_rates``
and ``..._next_day_rates``, whose ``rates`` attribute lists the day's
30-minute slots (``start``/``end`` local datetimes — restored states hold
datetimes too, older ones ISO strings — and ``value_inc_vat`` in GBP/kWh),
with ``tariff_code``. Its rate sensors (``sensor.…_current_rate``,
``_previous_rate``, ``_next_rate``) are no price source: their ``start``/``end``
span a whole run of equal prices and lag a slot boundary by up to a minute, so
only the meter's day lists are read. After midnight ``_next_day_rates`` turns
to ``rates: []`` while ``_current_day_rates`` may still hold yesterday for
~15 minutes: :class:`OctopusEntitySource` keeps the slots it saw before.
Nothing here raises on bad input: malformed items are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
from typing import Any, Final

from .slots import PriceSlot, merge_slots

ELECTRICITY_PREFIX: Final = "octopus_energy_electricity_"
CURRENT_DAY_SUFFIX: Final = "_current_day_rates"
NEXT_DAY_SUFFIX: Final = "_next_day_rates"
PREVIOUS_DAY_SUFFIX: Final = "_previous_day_rates"
DAY_SUFFIXES: Final = (CURRENT_DAY_SUFFIX, NEXT_DAY_SUFFIX, PREVIOUS_DAY_SUFFIX)
RATE_SENSOR_SUFFIXES: Final = ("_current_rate", "_previous_rate", "_next_rate")
EXPORT_STEM_SUFFIX: Final = "_export"  # the integration's id addition for export
# Octopus export tariffs: AGILE-OUTGOING-…, OUTGOING-FIX-…, FLUX-EXPORT-…
_EXPORT_TARIFF_WORDS: Final = frozenset({"OUTGOING", "EXPORT"})
REGIONS: Final = frozenset("ABCDEFGHJKLMNP")  # grid supply points; no I, no O
# GBP/kWh carry 6 decimals; pence keep them without float noise (0.2345 * 100).
_PENCE_DIGITS: Final = 6
KEEP_SEEN: Final = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class ParsedRates:
    """Usable slots (sorted), skipped items and tariff facts of one or more entities."""

    slots: list[PriceSlot]
    skipped: int
    tariff_code: str | None
    region: str | None

    @property
    def is_export(self) -> bool:
        """Return True when the tariff is an export (``OUTGOING``) tariff."""
        return is_export_tariff(self.tariff_code)


def gbp_to_pence(value: float) -> float:
    """GBP/kWh to pence/kWh, keeping the source's precision."""
    return round(value * 100.0, _PENCE_DIGITS)


def parse_time(value: object) -> datetime | None:
    """Read an aware ``datetime`` or ISO string as UTC; None if unusable."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None  # a naive time has no safe meaning across DST
    return value.astimezone(UTC)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def region_from_tariff(tariff_code: object) -> str | None:
    """``E-1R-AGILE-24-10-01-C`` → ``C`` (None unless a valid region letter)."""
    if not isinstance(tariff_code, str) or not tariff_code.strip():
        return None
    letter = tariff_code.strip()[-1].upper()
    return letter if letter in REGIONS else None


def tariff_of(attributes: Mapping[str, Any] | None) -> str | None:
    """Return the tariff: ``tariff_code`` on day lists, ``tariff`` on rate sensors."""
    if not attributes:
        return None
    for key in ("tariff_code", "tariff"):
        value = attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def is_export_tariff(tariff_code: object) -> bool:
    """``E-1R-AGILE-OUTGOING-19-05-13-C`` → True (export prices, not a cost)."""
    if not isinstance(tariff_code, str):
        return False
    return not _EXPORT_TARIFF_WORDS.isdisjoint(tariff_code.upper().split("-"))


def parse_rate_item(item: object) -> PriceSlot | None:
    """One ``rates`` item → slot, or None if anything about it is unusable."""
    if not isinstance(item, Mapping):
        return None
    start = parse_time(item.get("start"))
    end = parse_time(item.get("end"))
    value = _number(item.get("value_inc_vat"))
    if start is None or end is None or value is None or end <= start:
        return None
    return PriceSlot(start, end, gbp_to_pence(value))


def parse_rates_attributes(attributes: Mapping[str, Any] | None) -> ParsedRates:
    """Parse a ``*_current_day_rates`` / ``*_next_day_rates`` entity's attributes."""
    if not attributes:
        return ParsedRates([], 0, None, None)
    tariff = tariff_of(attributes)
    rates = attributes.get("rates")
    slots: list[PriceSlot] = []
    skipped = 0
    if isinstance(rates, list | tuple):
        for item in rates:
            slot = parse_rate_item(item)
            if slot is None:
                skipped += 1
            else:
                slots.append(slot)
    elif rates is not None:
        skipped = 1  # the whole list is unusable
    slots.sort(key=lambda slot: slot.start)
    return ParsedRates(slots, skipped, tariff, region_from_tariff(tariff))


@dataclass(frozen=True, slots=True)
class MeterEntity:
    """What an Octopus electricity entity's id (or unique id) says of its meter."""

    stem: str  # octopus_energy_electricity_{serial}_{mpan}[_export]
    suffix: str  # _current_day_rates, _current_rate, ...

    @property
    def is_export(self) -> bool:
        """Return True for an export meter's entity."""
        return self.stem.endswith(EXPORT_STEM_SUFFIX)

    @property
    def is_rate_sensor(self) -> bool:
        """Return True for ``…_current_rate`` / ``_previous_rate`` / ``_next_rate``."""
        return self.suffix in RATE_SENSOR_SUFFIXES

    def sibling(self, suffix: str) -> str:
        """Return the same meter's entity key with another suffix."""
        return f"{self.stem}{suffix}"


def meter_entity(key: str) -> MeterEntity | None:
    """Split an object id or unique id of an Octopus electricity rate entity."""
    if not key.lower().startswith(ELECTRICITY_PREFIX):
        return None
    for suffix in (*DAY_SUFFIXES, *RATE_SENSOR_SUFFIXES):
        if key.endswith(suffix) and len(key) > len(ELECTRICITY_PREFIX) + len(suffix):
            return MeterEntity(key[: -len(suffix)], suffix)
    return None


def next_day_entity_id(current_day_entity_id: str) -> str | None:
    """``event.x_current_day_rates`` → ``event.x_next_day_rates`` (None if no match)."""
    if not current_day_entity_id.endswith(CURRENT_DAY_SUFFIX):
        return None
    return current_day_entity_id[: -len(CURRENT_DAY_SUFFIX)] + NEXT_DAY_SUFFIX


# (state, attributes) of an entity, or None when it does not exist.
StateReader = Callable[[str], tuple[object, Mapping[str, Any]] | None]


def read_entities(
    read_state: StateReader,
    current_day_entity_id: str,
    next_day_id: str | None = None,
) -> ParsedRates:
    """Read today's and tomorrow's day lists and merge them (today's first).

    ``read_state`` is the caller's lookup (in Home Assistant,
    ``hass.states.get``); ``next_day_id`` defaults to the sibling's id.
    """
    parsed: list[ParsedRates] = []
    next_id = next_day_id or next_day_entity_id(current_day_entity_id)
    for entity_id in (current_day_entity_id, next_id):
        found = read_state(entity_id) if entity_id else None
        if found is not None:
            parsed.append(parse_rates_attributes(found[1]))
    tariff = next((p.tariff_code for p in parsed if p.tariff_code), None)
    export = next((p.tariff_code for p in parsed if p.is_export), None)
    tariff = export or tariff  # one export list taints the pair
    return ParsedRates(
        slots=merge_slots(*(p.slots for p in parsed)),
        skipped=sum(p.skipped for p in parsed),
        tariff_code=tariff,
        region=region_from_tariff(tariff),
    )


class OctopusEntitySource:
    """:class:`~.slots.PriceSource` over a meter's day-list entities.

    Slots seen before are kept (the fresh read wins a start): right after
    midnight ``_next_day_rates`` is already ``[]`` while ``_current_day_rates``
    may still hold yesterday, and today's slots are the ones seen yesterday as
    tomorrow's. A new tariff drops them; an export tariff yields nothing.
    """

    name = "octopus_entity"

    def __init__(
        self,
        read_state: StateReader,
        current_day_entity_id: str,
        next_day_id: str | None = None,
    ) -> None:
        """Remember how to read the entities; nothing is read yet."""
        self._read_state = read_state
        self._current_day = current_day_entity_id
        self._next_day = next_day_id
        self.seen: list[PriceSlot] = []
        self.last: ParsedRates | None = None

    def forget(self) -> None:
        """Drop the slots seen so far (the source went away)."""
        self.seen = []

    def read(self, now: datetime) -> ParsedRates:
        """Read the entities now; the result's slots include the ones kept."""
        parsed = read_entities(self._read_state, self._current_day, self._next_day)
        previous = self.last.tariff_code if self.last is not None else None
        if parsed.is_export or (
            parsed.tariff_code and previous and parsed.tariff_code != previous
        ):
            self.seen = []
        if parsed.is_export:
            slots: list[PriceSlot] = []  # never a miner's price
        else:
            kept = [s for s in self.seen if s.end > now - KEEP_SEEN]
            slots = merge_slots(parsed.slots, kept)
        self.seen = slots
        tariff = parsed.tariff_code or previous
        self.last = ParsedRates(
            slots, parsed.skipped, tariff, parsed.region or region_from_tariff(tariff)
        )
        return self.last

    async def async_slots(self, now: datetime) -> list[PriceSlot]:
        """Read the entities (see :meth:`read`)."""
        return self.read(now).slots
