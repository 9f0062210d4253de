"""Properties of the decision over random price sequences (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.home_miner_manager.strategy.bands import BandTable
from custom_components.home_miner_manager.strategy.decide import decide

from .support import BANDS, OFF, at, band_ids, make_slots, replay, state

TABLE = BandTable(BANDS)
# Prices around every band edge, plus plunge and spike prices.
PRICE = st.one_of(
    st.sampled_from(
        [-12.0, -0.01, 0.0, 3.99, 4.0, 6.99, 7.0, 11.99, 12.0, 19.99, 20.0, 45.0]
    ),
    st.floats(-30, 60, allow_nan=False),
)
PRICES = st.lists(PRICE, min_size=1, max_size=30)
GAPPY = st.lists(st.one_of(st.none(), PRICE, PRICE, PRICE), min_size=1, max_size=30)
N = st.integers(1, 4)
START = st.sampled_from([None, *[b.id for b in BANDS]])
POLICY = st.sampled_from(["off", "hold"])
AHEAD = st.sampled_from([None, 0, 1, 2, 3])
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _rank(band_id: int | None) -> int:
    return len(BANDS) if band_id is None else TABLE.rank[band_id]


def _target(price: float | None) -> int | None:
    band = TABLE.band_for(price) if price is not None else None
    return None if band is None else band.id


def _is_off(band_id: int | None) -> bool:
    return band_id is None or band_id == OFF


def _qualifies(price: float | None, prev: int | None) -> bool:
    target = _target(price)
    if _is_off(target):
        return False
    return _is_off(prev) or _rank(target) < _rank(prev)


@SETTINGS
@given(GAPPY, N, START, POLICY, AHEAD)
def test_repeated_calls_in_a_slot_never_flap(
    prices: list[float | None],
    n: int,
    start: int | None,
    policy: str,
    ahead: int | None,
) -> None:
    slots = make_slots(prices)
    current = state(start)
    for i in range(len(prices)):
        first = decide(
            slots,
            BANDS,
            current,
            at(i, 0),
            hysteresis_slots=n,
            when_price_unknown=policy,
        )
        for minute in (3, 29):
            again = decide(
                slots,
                BANDS,
                first.state,
                at(i, minute),
                hysteresis_slots=n,
                when_price_unknown=policy,
            )
            assert (again.band_id, again.state, again.changed) == (
                first.band_id,
                first.state,
                False,
            )
        current = first.state


@SETTINGS
@given(GAPPY, N, START, POLICY, AHEAD)
def test_off_and_dearer_bands_apply_at_once(
    prices: list[float | None],
    n: int,
    start: int | None,
    policy: str,
    ahead: int | None,
) -> None:
    decisions = replay(
        prices,
        start=state(start),
        ahead=ahead,
        hysteresis_slots=n,
        when_price_unknown=policy,
    )
    for price, decision in zip(prices, decisions, strict=True):
        if price is None:
            assert decision.band_id in (None, decision.state.band_id)
            continue
        target = _target(price)
        if target == OFF:
            assert decision.band_id == OFF
        # Never cheaper than the current price's band (OFF counts as dearest).
        assert _rank(decision.band_id) >= _rank(target)


@SETTINGS
@given(GAPPY, N, START, POLICY, AHEAD)
def test_restart_through_json_changes_nothing(
    prices: list[float | None],
    n: int,
    start: int | None,
    policy: str,
    ahead: int | None,
) -> None:
    kwargs = {
        "start": state(start),
        "ahead": ahead,
        "hysteresis_slots": n,
        "when_price_unknown": policy,
    }
    plain = replay(prices, **kwargs)  # type: ignore[arg-type]
    restarted = replay(prices, restart=True, **kwargs)  # type: ignore[arg-type]
    assert [d.state for d in plain] == [d.state for d in restarted]


@SETTINGS
@given(PRICES, N, START)
def test_cheaper_moves_need_n_published_slots(
    prices: list[float], n: int, start: int | None
) -> None:
    """All prices published: a move down (or out of OFF) is backed by the next n
    slots (two at least out of OFF) and goes to the dearest band among them."""
    decisions = replay(prices, start=state(start), hysteresis_slots=n)
    previous = [start, *band_ids(decisions)]
    for i, decision in enumerate(decisions):
        before, after = previous[i], decision.band_id
        if (
            after == before
            or _is_off(after)
            or (not _is_off(before) and _rank(after) > _rank(before))
        ):
            continue
        needed = max(n, 2) if _is_off(before) else n
        window = prices[i : i + needed]
        assert len(window) == needed
        assert all(_qualifies(p, before) for p in window)
        # The band: the dearest of the next n slots (n=1 out of OFF: the current one).
        assert after == max((_target(p) for p in window[:n]), key=_rank)


@SETTINGS
@given(PRICES, N, START)
def test_cheaper_moves_need_n_counted_slots(
    prices: list[float], n: int, start: int | None
) -> None:
    """Nothing published ahead: a move down happens on the n-th qualifying slot."""
    decisions = replay(prices, start=state(start), ahead=0, hysteresis_slots=n)
    previous = [start, *band_ids(decisions)]
    for i, decision in enumerate(decisions):
        before, after = previous[i], decision.band_id
        if (
            after == before
            or _is_off(after)
            or (not _is_off(before) and _rank(after) > _rank(before))
        ):
            continue
        needed = max(n, 2) if _is_off(before) else n
        assert i + 1 >= needed
        run = range(i - needed + 1, i + 1)
        assert all(_qualifies(prices[j], before) for j in run)
        # The band in effect during each counted slot (previous[j + 1]) held.
        assert all(previous[j + 1] == before for j in run[:-1])
