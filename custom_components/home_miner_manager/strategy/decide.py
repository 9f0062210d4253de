"""The one decision: which band runs now, with hysteresis.

Rules (``n`` = ``hysteresis_slots``):

* The current slot's price picks ``band(p)``.
* Into an OFF band, or into a dearer band: at once.
* Into a cheaper band, or out of OFF: only when ``n`` consecutive slots all
  qualify (active and cheaper than the band in effect): the current slot, the
  next published slots, and — where prices ahead are unknown — the slots
  already counted in ``hysteresis_counter``. A published slot in that window
  that does not qualify blocks the change. The new band is the dearest band
  among those slots. Leaving OFF always needs two half-hours, whatever ``n``.
* ``n`` counts half-hours of time (Octopus's slots): with 15-minute slots
  ``n`` = 2 needs four slots, with 60-minute slots one (rounded up:
  ``n`` = 3 needs two); the counter counts the source's slots.
* No price for the current slot: OFF, or hold the band (``when_price_unknown``).

The counter counts slots, not calls: calling again within the same slot gives
the same band and state (the state remembers the last slot it counted), and
the state round-trips through a dict, so a restart mid-hysteresis resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
import math
from typing import TYPE_CHECKING, Any, Final

from ..prices.octopus_entity import parse_time
from ..prices.slots import (
    merge_slots,
    slot_index_at,
)
from .bands import BandTable

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from datetime import datetime

    from ..prices.slots import PriceSlot
    from .bands import Band

DEFAULT_HYSTERESIS_SLOTS: Final = 2  # half-hours, whatever the source's slots
HALF_HOUR_MINUTES: Final = 30
NEXT_CHANGE_HORIZON: Final = 200  # slots simulated ahead (about 4 days)


class Reason(StrEnum):
    """Why the decision is what it is."""

    SAME_BAND = "same_band"
    OFF_BAND = "off_band"
    DEARER = "dearer_band"
    CHEAPER_AHEAD = "cheaper_confirmed_ahead"  # published prices confirm it
    CHEAPER_COUNTED = "cheaper_confirmed_counted"  # counted slots helped
    WAITING = "hysteresis_wait"
    PRICE_UNKNOWN = "price_unknown"
    NO_BAND = "no_band_for_price"


class WhenPriceUnknown(StrEnum):
    """What to do without a price for the current slot."""

    OFF = "off"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class StrategyState:
    """What the decision carries from one call to the next (state_data["decision"])."""

    band_id: int | None = None  # None: off without a band (start, unknown price)
    since: datetime | None = None  # when the band took effect
    hysteresis_counter: int = 0  # consecutive qualifying slots counted
    run_band_id: int | None = None  # dearest band among those slots
    counted_until: datetime | None = None  # end of the last slot evaluated

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "band_id": self.band_id,
            "since": _iso(self.since),
            "hysteresis_counter": self.hysteresis_counter,
            "run_band_id": self.run_band_id,
            "counted_until": _iso(self.counted_until),
        }

    @classmethod
    def from_dict(cls, data: object) -> StrategyState:
        """Rebuild from :meth:`to_dict`; anything unreadable falls back to a default."""
        if not isinstance(data, dict):
            return cls()
        counter = _opt_int(data.get("hysteresis_counter"))
        return cls(
            band_id=_opt_int(data.get("band_id")),
            since=parse_time(data.get("since")),
            hysteresis_counter=max(counter or 0, 0),
            run_band_id=_opt_int(data.get("run_band_id")),
            counted_until=parse_time(data.get("counted_until")),
        )


@dataclass(frozen=True, slots=True)
class NextChange:
    """The next band change the known prices lead to."""

    at: datetime
    band_id: int | None

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {"at": self.at.isoformat(), "band_id": self.band_id}


@dataclass(frozen=True, slots=True)
class Decision:
    """The band in effect now and why; ``state`` is what to store for next time."""

    band: Band | None
    changed: bool
    reason: Reason
    price_pence: float | None
    slot_start: datetime | None
    slot_end: datetime | None
    state: StrategyState
    next_change: NextChange | None = None

    @property
    def band_id(self) -> int | None:
        """Return the id of the band in effect (None: off for want of a price)."""
        return self.state.band_id

    @property
    def off(self) -> bool:
        """Return True when miners should be off."""
        return self.band is None or self.band.is_off

    @property
    def price_known(self) -> bool:
        """Return False when the current slot had no price."""
        return self.price_pence is not None

    @property
    def hysteresis_counter(self) -> int:
        """Return the consecutive qualifying slots counted so far."""
        return self.state.hysteresis_counter

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data (the band itself is referred to by id)."""
        return {
            "band_id": self.band_id,
            "changed": self.changed,
            "reason": self.reason.value,
            "price_pence": self.price_pence,
            "slot_start": _iso(self.slot_start),
            "slot_end": _iso(self.slot_end),
            "next_change": None
            if self.next_change is None
            else self.next_change.to_dict(),
            "state": self.state.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], bands: Iterable[Band]) -> Decision:
        """Rebuild from :meth:`to_dict`, resolving the band among ``bands``."""
        by_id = {band.id: band for band in bands}
        state = StrategyState.from_dict(data.get("state"))
        raw_next = data.get("next_change")
        next_change = None
        if isinstance(raw_next, dict) and (at := parse_time(raw_next.get("at"))):
            next_change = NextChange(at, _opt_int(raw_next.get("band_id")))
        price = data.get("price_pence")
        try:
            reason = Reason(str(data.get("reason")))
        except ValueError:
            reason = Reason.SAME_BAND
        return cls(
            band=by_id.get(state.band_id) if state.band_id is not None else None,
            changed=data.get("changed") is True,
            reason=reason,
            price_pence=float(price) if isinstance(price, int | float) else None,
            slot_start=parse_time(data.get("slot_start")),
            slot_end=parse_time(data.get("slot_end")),
            state=state,
            next_change=next_change,
        )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _opt_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Market:
    """Inputs prepared once: sorted slots, indexed bands and the two settings."""

    slots: Sequence[PriceSlot]  # sorted, non-overlapping
    table: BandTable
    hysteresis_slots: int = DEFAULT_HYSTERESIS_SLOTS
    when_price_unknown: WhenPriceUnknown = WhenPriceUnknown.OFF

    @classmethod
    def prepare(
        cls,
        slots: Iterable[PriceSlot],
        bands: Iterable[Band],
        *,
        hysteresis_slots: int = DEFAULT_HYSTERESIS_SLOTS,
        when_price_unknown: WhenPriceUnknown | str = WhenPriceUnknown.OFF,
    ) -> Market:
        """Sort and dedupe ``slots``, index ``bands``."""
        return cls(
            merge_slots(slots),
            BandTable(bands),
            hysteresis_slots,
            WhenPriceUnknown(when_price_unknown),
        )


def decide(
    slots: Iterable[PriceSlot],
    bands: Iterable[Band],
    state: StrategyState | None,
    now: datetime,
    *,
    hysteresis_slots: int = DEFAULT_HYSTERESIS_SLOTS,
    when_price_unknown: WhenPriceUnknown | str = WhenPriceUnknown.OFF,
    look_ahead: bool = True,
) -> Decision:
    """Decide the band for ``now`` from known ``slots`` (any order, gaps allowed).

    ``state`` None is a first start (treated as OFF). ``look_ahead`` also works
    out :attr:`Decision.next_change` from the known prices.
    """
    market = Market.prepare(
        slots,
        bands,
        hysteresis_slots=hysteresis_slots,
        when_price_unknown=when_price_unknown,
    )
    index = slot_index_at(market.slots, now)
    decision = decide_at(market, index, state or StrategyState(), now)
    if look_ahead and index is not None:
        decision = replace(
            decision, next_change=_next_change(market, index, decision.state)
        )
    return decision


def decide_at(
    market: Market, index: int | None, state: StrategyState, now: datetime
) -> Decision:
    """Decide with prepared inputs and the current slot's index (None: no price).

    The same rules as :func:`decide`; the backtest calls this in its loop.
    Steps repeat until the band stops moving, so a second call in the same
    slot always agrees with the first.
    """
    original = state.band_id
    reason = Reason.SAME_BAND
    change_reason: Reason | None = None
    for _ in range(len(market.table.ordered) + 2):  # bands move one way per slot
        stepped, reason = _step(market, index, state, now)
        moved = stepped.band_id != state.band_id
        state = stepped
        if not moved:
            break
        change_reason = reason
    current = market.slots[index] if index is not None else None
    band = market.table.by_id.get(state.band_id) if state.band_id is not None else None
    changed = state.band_id != original
    return Decision(
        band=band,
        changed=changed,
        reason=change_reason if changed and change_reason else reason,
        price_pence=current.price_pence if current else None,
        slot_start=current.start if current else None,
        slot_end=current.end if current else None,
        state=state,
    )


def _qualifies(band: Band | None, ref: Band | None, table: BandTable) -> bool:
    """Return True when ``band`` counts towards leaving ``ref`` for a cheaper band."""
    if band is None or band.is_off:
        return False
    return ref is None or ref.is_off or table.rank[band.id] < table.rank[ref.id]


def _switched(
    band: Band, current: PriceSlot, target: Band, table: BandTable
) -> StrategyState:
    """State right after moving to ``band`` in ``current`` (whose band is ``target``)."""
    # Count the slot against the new band at once, so a repeat call agrees.
    counts = _qualifies(target, band, table)
    return StrategyState(
        band_id=band.id,
        since=current.start,
        hysteresis_counter=1 if counts else 0,
        run_band_id=target.id if counts else None,
        counted_until=current.end,
    )


def slots_for(half_hours: int, slot: PriceSlot) -> int:
    """How many slots as long as ``slot`` cover ``half_hours`` half-hours (≥ 1)."""
    minutes = (slot.end - slot.start).total_seconds() / 60
    return max(math.ceil(half_hours * HALF_HOUR_MINUTES / minutes - 1e-9), 1)


def _step(
    market: Market, index: int | None, state: StrategyState, now: datetime
) -> tuple[StrategyState, Reason]:
    """Apply the rules once."""
    slots, table = market.slots, market.table
    prev = table.by_id.get(state.band_id) if state.band_id is not None else None
    current = slots[index] if index is not None else None
    target = table.band_for(current.price_pence) if current is not None else None
    if current is None or target is None:
        keep = (
            prev.id
            if prev is not None and market.when_price_unknown is WhenPriceUnknown.HOLD
            else None
        )
        if keep == state.band_id:
            since = state.since
        else:
            since = current.start if current is not None else now
        reason = Reason.PRICE_UNKNOWN if current is None else Reason.NO_BAND
        return StrategyState(band_id=keep, since=since), reason
    if prev is not None and target.id == prev.id:
        # This slot does not qualify for a cheaper band: any counted run ends.
        return StrategyState(
            band_id=prev.id, since=state.since, counted_until=current.end
        ), Reason.SAME_BAND
    if target.is_off:
        return _switched(target, current, target, table), Reason.OFF_BAND
    prev_off = prev is None or prev.is_off
    if (
        prev is not None
        and not prev.is_off
        and table.rank[target.id] > table.rank[prev.id]
    ):
        return _switched(target, current, target, table), Reason.DEARER
    # A cheaper band, or leaving OFF: the hysteresis window.
    n = market.hysteresis_slots
    needed = slots_for(max(n, 2) if prev_off else max(n, 1), current)
    if state.counted_until == current.end:  # a repeat call: this slot is counted
        past = max(state.hysteresis_counter - 1, 0)
    elif state.counted_until == current.start:
        past = state.hysteresis_counter
    else:
        past = 0  # first look, or a gap broke the run
    run_id = state.run_band_id
    run_best = table.by_id.get(run_id) if run_id is not None else None
    run = target if past == 0 or run_best is None else table.dearer(run_best, target)
    ahead, known, blocked = target, 1, False
    end, j = current.end, (index or 0) + 1
    while known < needed and j < len(slots) and slots[j].start == end:
        band = table.band_for(slots[j].price_pence)
        if band is None or not _qualifies(band, prev, table):
            blocked = True  # a published slot ends the cheap spell too soon
            break
        ahead = table.dearer(ahead, band)
        known, end, j = known + 1, slots[j].end, j + 1
    if not blocked and known >= needed:
        return _switched(ahead, current, target, table), Reason.CHEAPER_AHEAD
    if not blocked and past + known >= needed:
        best = table.dearer(ahead, run)
        return _switched(best, current, target, table), Reason.CHEAPER_COUNTED
    return StrategyState(
        band_id=prev.id if prev is not None else None,
        since=state.since,
        hysteresis_counter=past + 1,
        run_band_id=run.id,
        counted_until=current.end,
    ), Reason.WAITING


def _next_change(market: Market, index: int, state: StrategyState) -> NextChange | None:
    """Replay the following known slots until the band changes (stop at a gap)."""
    slots = market.slots
    end = slots[index].end
    for j in range(index + 1, min(len(slots), index + 1 + NEXT_CHANGE_HORIZON)):
        slot = slots[j]
        if slot.start != end:
            return None  # the price there is unknown: nothing can be promised
        decision = decide_at(market, j, state, slot.start)
        if decision.changed:
            return NextChange(slot.start, decision.band_id)
        state, end = decision.state, slot.end
    return None
