"""The AgileStrategy.state_data layout (strategy/state_data.py)."""

from __future__ import annotations

import json

from custom_components.home_miner_manager.strategy.bands import with_champions
from custom_components.home_miner_manager.strategy.champion import ChampionState
from custom_components.home_miner_manager.strategy.decide import Decision, decide
from custom_components.home_miner_manager.strategy.state_data import (
    STATE_DATA_VERSION,
    StoredStrategy,
    pack_state_data,
    unpack_state_data,
)

from .support import BANDS, BCH, BTC, DGB_ECO, at, make_slots, state


def test_round_trip_resumes_the_count() -> None:
    bands = with_champions(BANDS, [BCH])
    slots = make_slots([10.0])  # nothing published ahead: counting
    decision = decide(slots, bands, state(DGB_ECO), at(0))
    assert decision.hysteresis_counter == 1
    champion = ChampionState(band_id=BCH, miner_id=3, failures=2)
    data = json.loads(json.dumps(pack_state_data(decision, champion, bands)))
    assert data["version"] == STATE_DATA_VERSION
    assert data["champion_band_ids"] == [BCH]
    stored = unpack_state_data(data)
    assert stored.state == decision.state
    assert stored.champion == champion
    assert stored.champion_band_ids == (BCH,)
    assert stored.decision is not None
    assert Decision.from_dict(stored.decision, bands) == decision
    assert with_champions(BANDS, stored.champion_band_ids) == bands
    # After the restart the second slot completes the count.
    resumed = decide(make_slots([10.0, 10.0]), bands, stored.state, at(1))
    assert resumed.changed


def test_damaged_state_data_gives_defaults() -> None:
    for data in (None, [], {"decision": "x", "champion_band_ids": [1, "2", True]}):
        stored = unpack_state_data(data)
        assert stored.state.band_id is None
        assert stored.champion == ChampionState()
        assert stored.champion_band_ids in ((), (1,))
    assert unpack_state_data({"champion_band_ids": [BTC]}) == StoredStrategy(
        champion_band_ids=(BTC,)
    )
