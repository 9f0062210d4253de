"""The plan ahead (outlook) and why a miner is where the strategy put it (pure)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings, strategies as st

from custom_components.home_miner_manager.strategy.decide import decide
from custom_components.home_miner_manager.strategy.outlook import plan_periods
from custom_components.home_miner_manager.strategy.plan import PlanReason
from custom_components.home_miner_manager.strategy.reason import (
    ReasonInput,
    StrategyReason,
    miner_reason,
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

BY_ID = {band.id: band for band in BANDS}


def slot_bands(
    prices: list[float | None], n: int = 2, start: int = 0
) -> list[int | None]:
    """The outlook's band per slot, from slot ``start`` on."""
    slots = make_slots(prices)
    # The state the live strategy stored when it decided slot ``start``.
    first = replay(prices, hysteresis_slots=n)[start].state if start else None
    periods = plan_periods(slots, BANDS, first, at(start), hysteresis_slots=n)
    result: list[int | None] = []
    for period in periods:
        result += [period.band.id if period.band else None] * len(period.prices)
    return result


def test_periods_are_what_the_strategy_does() -> None:
    prices = [25.0, 25.0, 10.0, 10.0, 10.0, 3.0, 10.0, 3.0, 3.0, 15.0]
    periods = plan_periods(make_slots(prices), BANDS, None, at(0))
    assert [(p.start, p.end, p.band.id if p.band else None) for p in periods] == [
        (T0, T0 + 2 * HALF, OFF),
        (T0 + 2 * HALF, T0 + 7 * HALF, DGB_STD),  # one 3p slot: not enough
        (T0 + 7 * HALF, T0 + 9 * HALF, BTC),
        (T0 + 9 * HALF, T0 + 10 * HALF, DGB_ECO),  # dearer: at once
    ]
    assert periods[1].prices == (10.0, 10.0, 10.0, 3.0, 10.0)
    assert (periods[1].min_price, periods[1].max_price) == (3.0, 10.0)
    assert periods[1].mean_price == 8.6


def test_a_gap_ends_the_plan_and_no_price_now_gives_none() -> None:
    assert slot_bands([25.0, 25.0, None, 3.0, 3.0]) == [OFF, OFF]
    assert plan_periods(make_slots([None, 3.0]), BANDS, None, at(0)) == []


PRICES = st.lists(
    st.sampled_from([25.0, 15.0, 10.0, 5.0, 3.0]), min_size=1, max_size=40
)


@settings(max_examples=150, deadline=None)
@given(PRICES, st.integers(1, 4), st.data())
def test_outlook_matches_a_live_replay(
    prices: list[float], n: int, data: st.DataObject
) -> None:
    """Known prices: the plan from any slot is what deciding slot by slot gives."""
    start = data.draw(st.integers(0, len(prices) - 1))
    live = band_ids(replay(prices, hysteresis_slots=n))
    assert slot_bands(list(prices), n, start) == live[start:]


def _decision(prices: list[float | None], i: int, previous: int | None = None):  # type: ignore[no-untyped-def]
    return decide(
        make_slots(prices), BANDS, state(previous) if previous else None, at(i)
    )


def _why(decision, **kwargs: object) -> StrategyReason:  # type: ignore[no-untyped-def]
    data = ReasonInput(
        strategy_configured=True,
        strategy_enabled=True,
        enrolled=True,
        decision=decision,
    )
    return miner_reason(replace(data, **kwargs), BY_ID).reason  # type: ignore[arg-type]


def test_each_reason() -> None:
    off_now = _decision([25.0, 25.0, 3.0, 3.0], 0)
    assert _why(off_now, strategy_enabled=False) is StrategyReason.STRATEGY_OFF
    assert _why(off_now, strategy_configured=False) is StrategyReason.STRATEGY_OFF
    assert _why(off_now, enrolled=False) is StrategyReason.NOT_ENROLLED
    assert _why(None) is StrategyReason.PRICE_UNKNOWN
    assert _why(off_now, plan_reason=PlanReason.OFF) is StrategyReason.OFF_PRICE
    mining = _decision([10.0, 10.0], 0, previous=DGB_STD)
    assert _why(mining, plan_reason=PlanReason.IN_PLACE) is StrategyReason.MINING
    assert (
        _why(mining, plan_reason=PlanReason.RATE_LIMITED) is StrategyReason.RATE_LIMITED
    )
    assert _why(mining, plan_reason=PlanReason.BENCHED) is StrategyReason.BENCHED
    assert (
        _why(mining, plan_reason=PlanReason.MANAGED_EXTERNALLY)
        is StrategyReason.MANAGED_EXTERNALLY
    )
    unknown = _decision([None, 10.0], 0, previous=DGB_STD)
    assert _why(unknown) is StrategyReason.PRICE_UNKNOWN


def test_waiting_says_how_many_cheaper_slots_and_the_change() -> None:
    # In the BCH band; 3p now, then unknown: one cheaper slot of 3 counted.
    decision = _decision([3.0], 0, previous=BCH)
    data = ReasonInput(
        True, True, True, decision, PlanReason.IN_PLACE, hysteresis_slots=3
    )
    why = miner_reason(data, BY_ID)
    assert why.reason is StrategyReason.WAITING
    assert why.slots_to_wait == 2
    assert why.band is not None
    assert why.band.id == BCH
    # Off, cheap ahead: the next change is known and named.
    off_now = _decision([25.0, 25.0, 3.0, 3.0], 0)
    why = miner_reason(ReasonInput(True, True, True, off_now, PlanReason.OFF), BY_ID)
    assert why.target_band is not None
    assert why.target_band.id == BTC
    assert why.changes_at == T0 + 2 * HALF


def test_off_without_a_switch_or_modes() -> None:
    off_now = _decision([25.0], 0)
    lowest = miner_reason(
        ReasonInput(True, True, True, off_now, PlanReason.OFF, has_power_switch=False)
    )
    assert (lowest.reason, lowest.at_lowest_mode) == (StrategyReason.OFF_PRICE, True)
    stuck = miner_reason(
        ReasonInput(
            True,
            True,
            True,
            off_now,
            PlanReason.CANNOT_TURN_OFF,
            has_power_switch=False,
        )
    )
    assert (stuck.at_lowest_mode, stuck.cannot_turn_off) == (False, True)
