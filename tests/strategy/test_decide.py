"""The decision, rule by rule (strategy/decide.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.home_miner_manager.strategy.decide import (
    Decision,
    NextChange,
    Reason,
    StrategyState,
    decide,
)

from .support import (
    BANDS,
    BCH,
    BTC,
    DGB_ECO,
    DGB_STD,
    HALF,
    OFF,
    T0,
    at,
    band_ids,
    make_slots,
    replay,
    state,
)


@pytest.mark.parametrize(
    ("prev", "prices", "band", "reason"),
    [
        # Into OFF: at once, even when the next slot is cheap again.
        (BTC, [25, 1], OFF, Reason.OFF_BAND),
        # Into a dearer band: at once.
        (BTC, [10, 1], DGB_STD, Reason.DEARER),
        (BCH, [15], DGB_ECO, Reason.DEARER),
        # Cheaper: the current and next slot both qualify (published).
        (DGB_ECO, [10, 10], DGB_STD, Reason.CHEAPER_AHEAD),
        # Cheaper, but the next slot is back in the band: wait.
        (DGB_ECO, [10, 15], DGB_ECO, Reason.WAITING),
        (DGB_ECO, [10, 25], DGB_ECO, Reason.WAITING),
        # The dearest band among the window wins.
        (DGB_ECO, [3, 10], DGB_STD, Reason.CHEAPER_AHEAD),
        (DGB_ECO, [10, 3], DGB_STD, Reason.CHEAPER_AHEAD),
        # DGB std -> DGB eco is a change (upstream compared coins and missed it).
        (DGB_STD, [15, 15], DGB_ECO, Reason.DEARER),
        (DGB_ECO, [8, 8], DGB_STD, Reason.CHEAPER_AHEAD),
        # Out of OFF needs two qualifying slots.
        (OFF, [3, 3], BTC, Reason.CHEAPER_AHEAD),
        (OFF, [3, 25], OFF, Reason.WAITING),
        (OFF, [3], OFF, Reason.WAITING),  # nothing published after this slot
        (None, [5, 19], DGB_ECO, Reason.CHEAPER_AHEAD),  # first start counts as OFF
        # Negative (plunge) prices are just cheap.
        (OFF, [-5.5, -0.1], BTC, Reason.CHEAPER_AHEAD),
        (BTC, [-20], BTC, Reason.SAME_BAND),
        # Staying.
        (DGB_STD, [8, 25], DGB_STD, Reason.SAME_BAND),
        (OFF, [30, 3, 3], OFF, Reason.SAME_BAND),
    ],
)
def test_rules(
    prev: int | None, prices: list[float], band: int, reason: Reason
) -> None:
    decision = decide(make_slots(prices), BANDS, state(prev), at(0))
    assert decision.band_id == band
    assert decision.reason is reason
    assert decision.changed == (band != prev)
    assert decision.price_pence == prices[0]
    assert decision.off == (band == OFF)


def test_counting_when_prices_ahead_are_unknown() -> None:
    # Only the current slot is ever published (a current-rate sensor alone).
    decisions = replay([10, 10, 10], start=state(DGB_ECO), ahead=0)
    assert band_ids(decisions) == [DGB_ECO, DGB_STD, DGB_STD]
    assert [d.reason for d in decisions] == [
        Reason.WAITING,
        Reason.CHEAPER_COUNTED,
        Reason.SAME_BAND,
    ]
    assert decisions[0].hysteresis_counter == 1


def test_counting_with_three_slots_and_partial_knowledge() -> None:
    # n=3: one counted slot + the current one + one published slot ahead = 3.
    decisions = replay(
        [10, 10, 10, 10], start=state(DGB_ECO), ahead=1, hysteresis_slots=3
    )
    assert band_ids(decisions) == [DGB_ECO, DGB_STD, DGB_STD, DGB_STD]
    assert decisions[1].reason is Reason.CHEAPER_COUNTED


def test_counted_target_is_dearest_of_the_run() -> None:
    decisions = replay([10, 3, 3], start=state(DGB_ECO), ahead=0)
    # Slots 0-1 (DGB std, BTC) confirm DGB std; slots 1-2 (BTC, BTC) then BTC.
    assert band_ids(decisions) == [DGB_ECO, DGB_STD, BTC]


def test_a_gap_restarts_the_count() -> None:
    decisions = replay([10, None, 10, 10], start=state(DGB_ECO), ahead=0)
    # Off during the gap, then leaving OFF needs two counted slots again.
    assert band_ids(decisions) == [DGB_ECO, None, None, DGB_STD]
    assert decisions[1].reason is Reason.PRICE_UNKNOWN
    held = replay(
        [10, None, 10, 10], start=state(DGB_ECO), ahead=0, when_price_unknown="hold"
    )
    assert band_ids(held) == [DGB_ECO, DGB_ECO, DGB_ECO, DGB_STD]
    assert held[2].hysteresis_counter == 1  # not 2: the gap broke the run


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_never_leaves_off_for_fewer_than_n_slots(n: int) -> None:
    needed = max(n, 2)
    short = replay([30] + [3] * (needed - 1) + [30], hysteresis_slots=n)
    assert set(band_ids(short)) == {OFF}
    long = replay([30] + [3] * needed + [30], hysteresis_slots=n)
    assert band_ids(long) == [OFF] + [BTC] * needed + [OFF]


def test_one_slot_hysteresis_moves_cheaper_at_once() -> None:
    decision = decide(
        make_slots([10, 25]), BANDS, state(DGB_ECO), at(0), hysteresis_slots=1
    )
    assert decision.band_id == DGB_STD


@pytest.mark.parametrize(
    ("policy", "prev", "band"),
    [("off", BTC, None), ("hold", BTC, BTC), ("hold", None, None), ("off", None, None)],
)
def test_unknown_price(policy: str, prev: int | None, band: int | None) -> None:
    slots = make_slots([None, 3, 3])  # the current slot has no price
    decision = decide(slots, BANDS, state(prev), at(0), when_price_unknown=policy)
    assert decision.band_id == band
    assert decision.reason is Reason.PRICE_UNKNOWN
    assert not decision.price_known
    assert decision.off == (band is None)
    assert decision.changed == (band != prev)
    assert decision.next_change is None


def test_no_band_for_price_with_broken_bands() -> None:
    gappy = [b for b in BANDS if b.id != BCH]  # 4..7 belongs to no band
    decision = decide(make_slots([5, 5]), gappy, state(BTC), at(0))
    assert decision.reason is Reason.NO_BAND
    assert decision.band_id is None
    assert decision.off


def test_unknown_previous_band_counts_as_off() -> None:
    decision = decide(make_slots([3]), BANDS, state(999), at(0))
    assert decision.band_id is None
    assert decision.reason is Reason.WAITING
    assert decision.off


def test_repeated_calls_within_a_slot_agree() -> None:
    slots = make_slots([25, 10, 3, 3, 15])
    current: StrategyState | None = state(DGB_ECO)
    for i in range(5):
        first = decide(slots, BANDS, current, at(i, 0))
        for minute in (0.5, 7, 29.99):
            again = decide(slots, BANDS, first.state, at(i, minute))
            assert again.band_id == first.band_id
            assert again.state == first.state
            assert not again.changed
            assert again.next_change == first.next_change
        current = first.state


def test_next_change_from_published_prices() -> None:
    slots = make_slots([3, 3, 3, 25, 25, 8, 8, 8])
    decision = decide(slots, BANDS, state(BTC), at(0))
    assert decision.next_change == NextChange(T0 + 3 * HALF, OFF)
    later = decide(slots, BANDS, state(OFF), at(3))
    assert later.next_change == NextChange(T0 + 5 * HALF, DGB_STD)
    last = decide(slots, BANDS, state(DGB_STD), at(7))
    assert last.next_change is None
    no_look = decide(slots, BANDS, state(BTC), at(0), look_ahead=False)
    assert no_look.next_change is None


def test_next_change_stops_at_a_gap() -> None:
    slots = make_slots([3, 3, None, 25])
    assert decide(slots, BANDS, state(BTC), at(0)).next_change is None


def test_restart_mid_hysteresis_resumes() -> None:
    prices = [15, 10, 10, 10, 3, 3, 3, 25, 3, 3]
    plain = replay(prices, start=state(DGB_ECO), ahead=0, hysteresis_slots=3)
    restarted = replay(
        prices, start=state(DGB_ECO), ahead=0, hysteresis_slots=3, restart=True
    )
    assert band_ids(plain) == band_ids(restarted)
    assert [d.hysteresis_counter for d in plain] == [0, 1, 2, 0, 1, 2, 0, 0, 1, 2]
    assert band_ids(plain) == [
        DGB_ECO,
        DGB_ECO,
        DGB_ECO,
        DGB_STD,
        DGB_STD,
        DGB_STD,
        BTC,
        OFF,
        OFF,
        OFF,
    ]


def test_decision_round_trips_through_json() -> None:
    slots = make_slots([3, 3, 25])
    decision = decide(slots, BANDS, state(DGB_ECO, since=T0 - HALF), at(0))
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["band_id"] == BTC
    assert data["state"]["band_id"] == BTC
    back = Decision.from_dict(data, BANDS)
    assert back == decision
    assert back.band is not None
    assert back.band.target_coin == "BTC"


@pytest.mark.parametrize(
    "data",
    [None, [], "x", {"band_id": "5"}, {"hysteresis_counter": -3, "since": "soon"}],
)
def test_damaged_state_falls_back_to_defaults(data: object) -> None:
    restored = StrategyState.from_dict(data)
    assert restored.band_id is None
    assert restored.hysteresis_counter == 0
    assert restored.since is None


def test_since_marks_the_change_slot() -> None:
    decisions = replay([30, 3, 3, 3])
    assert [d.state.since for d in decisions] == [
        T0,
        T0 + HALF,
        T0 + HALF,
        T0 + HALF,
    ]


LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("day", "slot_count"),
    [(datetime(2026, 3, 29), 46), (datetime(2026, 10, 25), 50)],  # noqa: DTZ001
)
def test_dst_days(day: datetime, slot_count: int) -> None:
    """A UK day's slots (46 or 50) with a 16:00-19:00 local peak."""
    start = day.replace(tzinfo=LONDON).astimezone(UTC)
    end = (day + timedelta(days=1)).replace(tzinfo=LONDON).astimezone(UTC)
    assert (end - start) / HALF == slot_count
    local_hours = [
        (start + i * HALF).astimezone(LONDON).hour for i in range(slot_count)
    ]
    prices = [25.0 if 16 <= h < 19 else 3.0 for h in local_hours]
    slots = make_slots(prices, start)
    current = None
    bands = []
    for i in range(slot_count):
        now = start + i * HALF + timedelta(minutes=5)
        decision = decide(slots, BANDS, current, now)
        again = decide(slots, BANDS, decision.state, now + timedelta(minutes=20))
        assert again.state == decision.state
        current = decision.state
        bands.append(decision.band_id)
    assert len(bands) == slot_count
    assert bands.count(OFF) == 6
    assert bands.count(BTC) == slot_count - 6
    assert [h for h, b in zip(local_hours, bands, strict=True) if b == OFF] == [
        16,
        16,
        17,
        17,
        18,
        18,
    ]


def test_now_on_slot_boundaries() -> None:
    slots = make_slots([3, 3, 25])
    assert decide(slots, BANDS, state(BTC), T0 + 2 * HALF).band_id == OFF
    just_before = T0 + 2 * HALF - timedelta(microseconds=1)
    assert decide(slots, BANDS, state(BTC), just_before).band_id == BTC


def test_unsorted_duplicated_slots_are_fine() -> None:
    slots = make_slots([10, 10, 10])
    decision = decide([*reversed(slots), slots[0]], BANDS, state(DGB_ECO), at(0))
    assert decision.band_id == DGB_STD


def test_champion_flag_does_not_change_the_decision() -> None:
    bands = [replace(b, champion=not b.is_off) for b in BANDS]
    assert band_ids(replay([25, 3, 3, 10], bands=bands)) == band_ids(
        replay([25, 3, 3, 10])
    )


def test_band_id_zero_is_a_real_band() -> None:
    # Ids are DB ids, but 0 must not read as "no band" anywhere.
    ids = {OFF: 4, DGB_ECO: 3, DGB_STD: 0, BCH: 1, BTC: 2}
    renumbered = [replace(b, id=ids[b.id]) for b in BANDS]
    decisions = replay([10, 3], start=state(3), ahead=0, bands=renumbered)
    assert decisions[0].state.run_band_id == 0
    # Counted run: DGB std (id 0) then BTC: the dearest of the run wins.
    assert band_ids(decisions) == [3, 0]
    assert band_ids(replay([30, 8, 8], bands=renumbered)) == [4, 0, 0]
