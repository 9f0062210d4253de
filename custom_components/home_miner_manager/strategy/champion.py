"""Champion mode: in a champion band only the most efficient miner runs.

The champion is the enrolled miner with the lowest J/TH over the last 6 h
(the caller computes it; unknown efficiency ranks last, then by miner id). It
stays champion for the whole spell in the band, so a small efficiency wobble
does not swap miners every minute. After :data:`MAX_FAILURES` consecutive
failures (reported by the caller) it is demoted and the next one promoted;
when every candidate has been demoted, the list starts over.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .view import MinerView

MAX_FAILURES: Final = 3


@dataclass(frozen=True, slots=True)
class ChampionState:
    """Who is champion in which band (state_data["champion"])."""

    band_id: int | None = None
    miner_id: int | None = None
    failures: int = 0
    demoted: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return plain JSON data."""
        return {
            "band_id": self.band_id,
            "miner_id": self.miner_id,
            "failures": self.failures,
            "demoted": list(self.demoted),
        }

    @classmethod
    def from_dict(cls, data: object) -> ChampionState:
        """Rebuild from :meth:`to_dict`; anything unreadable gives a fresh state."""
        if not isinstance(data, dict):
            return cls()
        raw = data.get("demoted")
        demoted = [_int(i) for i in raw] if isinstance(raw, list) else []
        return cls(
            band_id=_int(data.get("band_id")),
            miner_id=_int(data.get("miner_id")),
            failures=max(_int(data.get("failures")) or 0, 0),
            demoted=tuple(i for i in demoted if i is not None),
        )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _candidates(miners: Sequence[MinerView]) -> list[MinerView]:
    """Enrolled miners the strategy manages, best J/TH first."""
    usable = [m for m in miners if m.enrolled and not m.managed_externally]
    return sorted(
        usable,
        key=lambda m: (
            m.efficiency_j_th is None,
            m.efficiency_j_th if m.efficiency_j_th is not None else 0.0,
            m.miner_id,
        ),
    )


def choose_champion(
    band_id: int, miners: Sequence[MinerView], state: ChampionState
) -> ChampionState:
    """Keep the band's champion if still eligible, else promote the best one left."""
    if state.band_id != band_id:
        state = ChampionState(band_id=band_id)
    candidates = _candidates(miners)
    ids = [m.miner_id for m in candidates]
    if state.miner_id in ids and state.miner_id not in state.demoted:
        return state
    remaining = [i for i in ids if i not in state.demoted]
    if not remaining and ids:  # everyone failed: start over from the best
        state, remaining = replace(state, demoted=()), ids
    return replace(state, miner_id=remaining[0] if remaining else None, failures=0)


def record_champion_result(state: ChampionState, ok: bool) -> ChampionState:
    """Count a champion failure (demote after three in a row) or a success."""
    if state.miner_id is None:
        return state
    if ok:
        return replace(state, failures=0)
    failures = state.failures + 1
    if failures < MAX_FAILURES:
        return replace(state, failures=failures)
    return replace(
        state,
        miner_id=None,
        failures=0,
        demoted=(*state.demoted, state.miner_id),
    )
