"""What every tariff parser shares: reading times, numbers and price lists.

A parser turns one source's plain data into :class:`ParsedPrices` (slots in
the hub's minor unit per kWh, sorted; malformed items skipped and counted).
Items without an end (Tibber, ENTSO-e) end where the next one starts; the
last one lasts as long as the usual gap between starts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
import math
import re

from .octopus_entity import parse_time
from .slots import PriceSlot, merge_slots
from .units import to_minor

_HMS = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True, slots=True)
class ParsedPrices:
    """Usable slots (sorted, minor unit per kWh), skipped items, and a problem key."""

    slots: list[PriceSlot] = field(default_factory=list)
    skipped: int = 0
    problem: str | None = None  # e.g. "export_entity", "currency_mismatch"


def number(value: object) -> float | None:
    """Return a finite int/float (not bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def duration(value: object) -> timedelta | None:
    """Minutes as a number, or ``HH:MM[:SS]``; None unless positive."""
    minutes = number(value)
    if minutes is not None:
        length = timedelta(minutes=minutes)
    elif isinstance(value, str) and (match := _HMS.match(value.strip())):
        hours, mins, secs = (int(part or 0) for part in match.groups())
        length = timedelta(hours=hours, minutes=mins, seconds=secs)
    else:
        return None
    return length if length > timedelta(0) else None


def usual_gap(starts: list[datetime]) -> timedelta | None:
    """Return the most common gap between consecutive distinct starts."""
    ordered = sorted(set(starts))
    gaps = Counter(b - a for a, b in pairwise(ordered))
    return gaps.most_common(1)[0][0] if gaps else None


def build_slots(
    raw: list[tuple[datetime, datetime | None, float]],
    factor: float,
    default_length: timedelta | None = None,
) -> tuple[list[PriceSlot], int]:
    """(start, end or None, price in source unit) → slots; ends inferred.

    Returns the slots (sorted, no overlaps) and how many were dropped.
    """
    raw = sorted(raw, key=lambda item: item[0])
    gap = usual_gap([start for start, end, _ in raw if end is None]) or default_length
    slots: list[PriceSlot] = []
    dropped = 0
    for i, (start, given, price) in enumerate(raw):
        end = given
        if end is None:
            following = raw[i + 1][0] if i + 1 < len(raw) else None
            # A gap in the list is a missing item, not one long slot.
            if following is not None and gap is not None and following - start <= gap:
                end = following
            elif gap is not None:
                end = start + gap
        if end is None or end <= start:
            dropped += 1
            continue
        slots.append(PriceSlot(start, end, to_minor(price, factor)))
    merged = merge_slots(slots)
    return merged, dropped + len(slots) - len(merged)


def parse_list(
    items: object,
    factor: float,
    *,
    start_key: str,
    price_key: str,
    end_key: str | None = None,
    duration_key: str | None = None,
    default_length: timedelta | None = None,
) -> ParsedPrices:
    """Parse a list of mappings holding a start, a price and an end or duration."""
    if not isinstance(items, list | tuple):
        return ParsedPrices(skipped=0 if items is None else 1)
    raw: list[tuple[datetime, datetime | None, float]] = []
    skipped = 0
    for item in items:
        read = _item(item, start_key, price_key, end_key, duration_key)
        if read is None:
            skipped += 1
        else:
            raw.append(read)
    slots, dropped = build_slots(raw, factor, default_length)
    return ParsedPrices(slots, skipped + dropped)


def _item(
    item: object,
    start_key: str,
    price_key: str,
    end_key: str | None,
    duration_key: str | None,
) -> tuple[datetime, datetime | None, float] | None:
    if not isinstance(item, Mapping):
        return None
    start = parse_time(item.get(start_key))
    price = number(item.get(price_key))
    if start is None or price is None:
        return None
    end = parse_time(item.get(end_key)) if end_key else None
    if end_key and item.get(end_key) is not None and end is None:
        return None  # an end that cannot be read is not a missing end
    if end is None and duration_key and item.get(duration_key) is not None:
        length = duration(item.get(duration_key))
        if length is None:
            return None
        end = start + length
    return start, end, price


def combine(*parsed: ParsedPrices) -> ParsedPrices:
    """Merge several parses (earlier ones win a start)."""
    problem = next((p.problem for p in parsed if p.problem), None)
    return ParsedPrices(
        merge_slots(*(p.slots for p in parsed)),
        sum(p.skipped for p in parsed),
        problem,
    )
