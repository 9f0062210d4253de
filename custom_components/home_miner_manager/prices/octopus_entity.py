"""Read Agile rates from the Octopus Energy Home Assistant integration's entities.

The integration (BottlecapDave/HomeAssistant-OctopusEnergy) publishes
``event.*_current_day_rates`` / ``event.*_next_day_rates`` whose ``rates``
attribute lists the day's slots, and ``sensor.*_current_rate`` for the slot in
progress. Live states hold ``datetime`` objects; restored states hold ISO
strings. Values are GBP per kWh. Nothing here raises on bad input: malformed
items are skipped one by one and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
import math
from typing import Any, Final

from .slots import PriceSlot, merge_slots

CURRENT_DAY_SUFFIX: Final = "_current_day_rates"
NEXT_DAY_SUFFIX: Final = "_next_day_rates"
REGIONS: Final = frozenset("ABCDEFGHJKLMNP")  # grid supply points; no I, no O
# GBP/kWh carry 6 decimals; pence keep them without float noise (0.2345 * 100).
_PENCE_DIGITS: Final = 6
_UNUSABLE_STATES: Final = frozenset({"unknown", "unavailable", "", "None"})


@dataclass(frozen=True, slots=True)
class ParsedRates:
    """Usable slots (sorted), skipped items and tariff facts of one or more entities."""

    slots: list[PriceSlot]
    skipped: int
    tariff_code: str | None
    region: str | None


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
    raw_tariff = attributes.get("tariff_code")
    tariff = raw_tariff.strip() if isinstance(raw_tariff, str) else None
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
    return ParsedRates(slots, skipped, tariff or None, region_from_tariff(tariff))


def parse_current_rate(
    state: object, attributes: Mapping[str, Any] | None
) -> PriceSlot | None:
    """``sensor.*_current_rate``: state in GBP/kWh, ``start``/``end`` attributes."""
    if attributes is None or state is None:
        return None
    if isinstance(state, str):
        if state.strip() in _UNUSABLE_STATES:
            return None
        try:
            value: float | None = float(state)
        except ValueError:
            return None
    else:
        value = _number(state)
    if value is None or not math.isfinite(value):
        return None
    return parse_rate_item(
        {
            "start": attributes.get("start"),
            "end": attributes.get("end"),
            "value_inc_vat": value,
        }
    )


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
    current_rate_entity_id: str | None = None,
) -> ParsedRates:
    """Read today's and tomorrow's rates (plus the current-rate fallback) and merge.

    ``read_state`` is the caller's lookup (in Home Assistant,
    ``hass.states.get``); the day lists win over the single current-rate slot.
    """
    parsed: list[ParsedRates] = []
    for entity_id in (current_day_entity_id, next_day_entity_id(current_day_entity_id)):
        found = read_state(entity_id) if entity_id else None
        if found is not None:
            parsed.append(parse_rates_attributes(found[1]))
    fallback: list[PriceSlot] = []
    if current_rate_entity_id:
        found = read_state(current_rate_entity_id)
        slot = parse_current_rate(*found) if found is not None else None
        if slot is not None:
            fallback.append(slot)
    tariff = next((p.tariff_code for p in parsed if p.tariff_code), None)
    return ParsedRates(
        slots=merge_slots(*(p.slots for p in parsed), fallback),
        skipped=sum(p.skipped for p in parsed),
        tariff_code=tariff,
        region=region_from_tariff(tariff),
    )


class OctopusEntitySource:
    """:class:`~.slots.PriceSource` over the Octopus integration's entities."""

    name = "octopus_entity"

    def __init__(
        self,
        read_state: StateReader,
        current_day_entity_id: str,
        current_rate_entity_id: str | None = None,
    ) -> None:
        """Remember how to read the entities; nothing is read yet."""
        self._read_state = read_state
        self._current_day = current_day_entity_id
        self._current_rate = current_rate_entity_id
        self.last: ParsedRates | None = None

    async def async_slots(self, now: datetime) -> list[PriceSlot]:
        """Read the entities now (``now`` is unused: entities hold their own days)."""
        del now
        self.last = read_entities(
            self._read_state, self._current_day, self._current_rate
        )
        return self.last.slots
