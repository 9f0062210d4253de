"""The layout of ``AgileStrategy.state_data`` (JSON), in one place.

::

    {
      "version": 1,
      "decision": Decision.to_dict(),        # includes "state": StrategyState
      "champion": ChampionState.to_dict(),
      "champion_band_ids": [3, ...]          # Band.champion (not a column)
    }

Unreadable or missing parts come back as fresh defaults, never as errors: a
damaged row must not stop the strategy (it restarts as from OFF).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .champion import ChampionState
from .decide import Decision, StrategyState

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .bands import Band

STATE_DATA_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class StoredStrategy:
    """What :func:`unpack_state_data` recovers."""

    state: StrategyState = field(default_factory=StrategyState)
    decision: dict[str, Any] | None = None  # for Decision.from_dict(..., bands)
    champion: ChampionState = field(default_factory=ChampionState)
    champion_band_ids: tuple[int, ...] = ()


def pack_state_data(
    decision: Decision,
    champion: ChampionState,
    bands: Iterable[Band],
) -> dict[str, Any]:
    """Build the JSON to store after a decision."""
    return {
        "version": STATE_DATA_VERSION,
        "decision": decision.to_dict(),
        "champion": champion.to_dict(),
        "champion_band_ids": sorted(band.id for band in bands if band.champion),
    }


def unpack_state_data(data: object) -> StoredStrategy:
    """Read stored JSON back (defaults for whatever is missing or damaged)."""
    if not isinstance(data, dict):
        return StoredStrategy()
    raw_decision = data.get("decision")
    decision = raw_decision if isinstance(raw_decision, dict) else None
    raw_ids = data.get("champion_band_ids")
    ids = (
        tuple(i for i in raw_ids if isinstance(i, int) and not isinstance(i, bool))
        if isinstance(raw_ids, list)
        else ()
    )
    return StoredStrategy(
        state=StrategyState.from_dict(decision.get("state") if decision else None),
        decision=decision,
        champion=ChampionState.from_dict(data.get("champion")),
        champion_band_ids=ids,
    )
