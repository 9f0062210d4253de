"""Price slots: the one shape every price source produces and the strategy reads."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

SLOT_LENGTH = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class PriceSlot:
    """One tariff slot: ``start`` ≤ t < ``end`` (aware datetimes, UTC), pence per kWh."""

    start: datetime
    end: datetime
    price_pence: float

    def __post_init__(self) -> None:
        """Refuse what would break time arithmetic or comparisons later."""
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("slot times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("slot end must be after its start")
        if not math.isfinite(self.price_pence):
            raise ValueError("slot price must be finite")

    def contains(self, moment: datetime) -> bool:
        """Return True when ``moment`` falls inside this slot."""
        return self.start <= moment < self.end


class PriceSource(Protocol):
    """Anything that can list known price slots (Octopus entity, Octopus API, ...).

    ``now`` is passed in so sources stay testable; a source returns whatever it
    knows (past and future), in any order, and raises its own typed errors.
    """

    name: str

    async def async_slots(self, now: datetime) -> list[PriceSlot]:
        """Return the known slots."""
        ...


def make_slot(start: datetime, end: datetime, price_pence: float) -> PriceSlot:
    """Build a slot with both times converted to UTC."""
    return PriceSlot(start.astimezone(UTC), end.astimezone(UTC), price_pence)


def merge_slots(*sources: Iterable[PriceSlot]) -> list[PriceSlot]:
    """Merge slot lists into one sorted list without duplicates or overlaps.

    For the same start the earlier argument wins (pass the most trusted source
    first); a slot overlapping one already kept is dropped.
    """
    ranked = [
        (slot.start, rank, slot)
        for rank, source in enumerate(sources)
        for slot in source
    ]
    ranked.sort(key=lambda item: (item[0], item[1]))
    merged: list[PriceSlot] = []
    for _, _, slot in ranked:
        if merged and slot.start < merged[-1].end:
            continue
        merged.append(slot)
    return merged


def slot_index_at(slots: Sequence[PriceSlot], moment: datetime) -> int | None:
    """Return the index of the slot containing ``moment`` (sorted, non-overlapping)."""
    index = bisect_right(slots, moment, key=_start) - 1
    if index >= 0 and moment < slots[index].end:
        return index
    return None


def slot_at(slots: Sequence[PriceSlot], moment: datetime) -> PriceSlot | None:
    """Return the slot containing ``moment`` in sorted, non-overlapping ``slots``."""
    index = slot_index_at(slots, moment)
    return None if index is None else slots[index]


def _start(slot: PriceSlot) -> datetime:
    return slot.start
