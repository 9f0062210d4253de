"""Share deltas, health score, luck and failover (pools/health.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, strategies as st
import pytest

from custom_components.home_miner_manager.pools.pool_match import match_pool
from custom_components.home_miner_manager.pools.pool_score import (
    CounterSample,
    FailoverAction,
    ShareDeltas,
    counter_deltas,
    expected_blocks,
    failover_decision,
    health_score,
    luck_percentage,
    miner_share_deltas,
    pool_share_deltas,
    unreachable_checks,
)
from custom_components.home_miner_manager.pools.url import PoolAddress

from .conftest import PROPERTY

NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
POOL = "stratum+tcp://public-pool.io:21496"
OTHER = "solo.ckpool.org:3333"
ADDRESS = PoolAddress("public-pool.io", 21496)


def at(minutes_ago: float) -> datetime:
    return NOW - timedelta(minutes=minutes_ago)


def sample(
    minutes_ago: float, acc: int | None, rej: int | None, pool: str | None = POOL
) -> CounterSample:
    return CounterSample(at(minutes_ago), acc, rej, pool)


@pytest.mark.parametrize(
    ("reachable", "ms", "reject", "down", "expected"),
    [
        (True, 10, 0.0, 0, 100),
        (True, 49.9, 0.99, 0, 100),
        (True, 50, 1.0, 0, 80),
        (True, 149.9, 2.99, 0, 80),
        (True, 150, 3.0, 0, 60),
        (True, 299.9, 4.99, 0, 60),
        (True, 300, 5.0, 0, 40),
        (True, None, None, 0, 70),  # no time, no shares (standby pool)
        (True, 10, 0.0, 1, 90),
        (True, 10, 0.0, 3, 70),
        (False, None, 0.0, 2, 10),
        (False, None, 0.0, 3, 0),  # clamped at 0
        (False, None, 50.0, 12, 0),
        (True, 10, 0.0, -1, 100),  # nonsense count ignored
    ],
)
def test_health_score(
    reachable: bool, ms: float | None, reject: float | None, down: int, expected: float
) -> None:
    score = health_score(
        reachable=reachable,
        response_time_ms=ms,
        reject_rate=reject,
        unreachable_last_hour=down,
    )
    assert score == expected


@PROPERTY
@given(
    reachable=st.booleans(),
    ms=st.none() | st.floats(0, 1e6),
    reject=st.none() | st.floats(0, 100),
    down=st.integers(-5, 1000),
)
def test_health_score_is_bounded_and_deterministic(
    reachable: bool, ms: float | None, reject: float | None, down: int
) -> None:
    kwargs = {
        "reachable": reachable,
        "response_time_ms": ms,
        "reject_rate": reject,
        "unreachable_last_hour": down,
    }
    score = health_score(**kwargs)  # type: ignore[arg-type]
    assert 0 <= score <= 100
    assert health_score(**kwargs) == score  # type: ignore[arg-type]  (no random luck)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ((100, 2), (150, 3), (50, 1)),
        ((100, 2), (100, 2), (0, 0)),
        ((1000, 5), (3, 0), (3, 0)),  # reboot: both reset
        ((1000, 5), (3, 5), (3, 5)),  # reboot, rejects back at the old value
        ((1000, 0), (3, 0), (3, 0)),  # only accepted visibly dropped
        ((10, 5), (12, 1), (12, 1)),  # only rejected dropped: a reset too
        ((100, None), (150, None), (50, 0)),
        ((None, 2), (150, 4), (0, 2)),
    ],
)
def test_counter_deltas(
    before: tuple[int | None, int | None],
    after: tuple[int | None, int | None],
    expected: tuple[int, int],
) -> None:
    deltas = counter_deltas(sample(2, *before), sample(1, *after))
    assert (deltas.accepted, deltas.rejected) == expected


def test_reject_rate() -> None:
    assert ShareDeltas(99, 1).reject_rate == pytest.approx(1.0)
    assert ShareDeltas(0, 0).reject_rate is None
    assert ShareDeltas(0, 3).reject_rate == 100.0
    assert ShareDeltas(1, 2) + ShareDeltas(3, 4) == ShareDeltas(4, 6)


def test_miner_deltas_across_a_reboot_in_the_window() -> None:
    rows = [
        sample(70, 900, 9),  # baseline, before the window
        sample(50, 1000, 10),
        sample(30, 1100, 10),
        sample(20, 5, 0),  # reboot
        sample(10, 50, 1),
        sample(0, 80, 1),
    ]
    deltas = miner_share_deltas(rows[::-1], at(60))  # order does not matter
    # 100 + 100 + 5 + 45 + 30 accepted; 1 + 0 + 0 + 1 + 0 rejected
    assert deltas == ShareDeltas(280, 2)


def test_lifetime_totals_are_not_counted() -> None:
    # Upstream summed lifetime counters; one quiet hour must show no shares.
    rows = [sample(70, 50_000, 900), sample(30, 50_000, 900), sample(0, 50_000, 900)]
    assert miner_share_deltas(rows, at(60)) == ShareDeltas(0, 0)
    assert miner_share_deltas(rows, at(60)).reject_rate is None


def test_steps_on_another_pool_are_not_attributed() -> None:
    rows = [
        sample(60, 100, 0),
        sample(45, 200, 1),  # +100/+1 on POOL
        sample(30, 300, 5, OTHER),  # switched: not POOL's
        sample(15, 400, 9, OTHER),
        sample(0, 410, 9),  # back: the step from OTHER is not POOL's either
    ]
    assert miner_share_deltas(rows, at(61), ADDRESS) == ShareDeltas(100, 1)
    assert miner_share_deltas(rows, at(61)) == ShareDeltas(310, 9)


def test_pool_share_deltas_sums_miners_within_the_window() -> None:
    series = {
        1: [sample(65, 0, 0), sample(30, 40, 1), sample(0, 100, 1)],
        2: [sample(90, 10, 0), sample(61, 20, 0), sample(1, 30, 2)],
        3: [sample(50, 7, 0, OTHER), sample(10, 70, 7, OTHER)],
        4: [sample(-5, 1000, 0), sample(-10, 2000, 0)],  # after now: ignored
    }
    deltas = pool_share_deltas(series.values(), ADDRESS, NOW)
    assert deltas == ShareDeltas(110, 3)


SHARED = "mine.example.org:3333"
SHARED_POOLS = [
    (PoolAddress("mine.example.org", 3333), "dgbwallet", "DGB"),
    (PoolAddress("mine.example.org", 3333), "bc1qwallet", "BTC"),
    (PoolAddress("mine.example.org", 3333), "qbch", "BCH"),
    (ADDRESS, "bc1qwallet", "Public"),
]


def on(item: str) -> object:
    """The pool coordinator's test: host, port and user pick this pool."""
    return lambda pool_in_use, pool_user: (
        match_pool(pool_in_use, pool_user, SHARED_POOLS) == item
    )


def test_pools_on_one_server_count_only_their_own_users() -> None:
    def row(minutes_ago: float, acc: int, rej: int, user: str | None) -> CounterSample:
        return CounterSample(at(minutes_ago), acc, rej, SHARED, user)

    series = {
        # Mining BTC all hour (the worker suffix is the miner's name).
        1: [row(61, 0, 0, "bc1qwallet.Desk"), row(0, 1000, 10, "bc1qwallet.Desk")],
        # BCH, then switched to DGB on the same server: the step across the
        # switch is nobody's (the counters do not say when it happened).
        2: [
            row(61, 0, 0, "qbch.Garage"),
            row(30, 100, 50, "qbch.Garage"),
            row(20, 150, 60, "dgbwallet.Garage"),
            row(0, 250, 60, "dgbwallet.Garage"),
        ],
        # A driver that does not report its user: the server is shared.
        3: [row(61, 0, 0, None), row(0, 999, 999, None)],
        # On the unshared server without a user: that pool's alone.
        4: [
            CounterSample(at(61), 0, 0, POOL),
            CounterSample(at(0), 40, 4, POOL),
        ],
    }
    deltas = {
        item: pool_share_deltas(series.values(), on(item), NOW)  # type: ignore[arg-type]
        for item in ("BTC", "BCH", "DGB", "Public")
    }
    assert deltas == {
        "BTC": ShareDeltas(1000, 10),
        "BCH": ShareDeltas(100, 50),
        "DGB": ShareDeltas(100, 0),
        "Public": ShareDeltas(40, 4),
    }
    assert deltas["BCH"].reject_rate == pytest.approx(100 * 50 / 150)
    # Four-field rows (the database's) still work with a test on the user.
    assert pool_share_deltas(
        [[sample(61, 0, 0), sample(0, 5, 1)]],
        on("Public"),
        NOW,  # type: ignore[arg-type]
    ) == ShareDeltas(5, 1)


_counter = st.none() | st.integers(0, 10**9)


@PROPERTY
@given(
    st.lists(st.tuples(st.integers(0, 120), _counter, _counter), max_size=30),
)
def test_deltas_are_never_negative(
    rows: list[tuple[int, int | None, int | None]],
) -> None:
    samples = [sample(m, a, r) for m, a, r in rows]
    deltas = miner_share_deltas(samples, at(60), ADDRESS)
    assert deltas.accepted >= 0
    assert deltas.rejected >= 0
    rate = deltas.reject_rate
    assert rate is None or 0 <= rate <= 100


def test_unreachable_checks_counts_the_last_hour_only() -> None:
    checks = [(at(70), False), (at(50), False), (at(20), True), (at(5), False)]
    assert unreachable_checks(checks, NOW) == 2
    assert unreachable_checks(checks, NOW, timedelta(minutes=10)) == 1
    assert unreachable_checks([], NOW) == 0


def test_luck_from_real_figures_only() -> None:
    # 1 TH/s for a day at difficulty 2**32 * 1e12 / 86400: exactly one block.
    difficulty = 1e12 * 86_400 / 2**32
    expected = expected_blocks(1e12, 86_400, difficulty)
    assert expected == pytest.approx(1.0)
    assert luck_percentage(2, expected) == pytest.approx(200.0)
    assert luck_percentage(0, expected) == 0.0
    assert luck_percentage(None, expected) is None
    assert luck_percentage(1, None) is None
    assert luck_percentage(1, 0.0) is None
    assert expected_blocks(None, 86_400, difficulty) is None
    assert expected_blocks(1e12, 86_400, None) is None
    assert expected_blocks(1e12, 86_400, 0.0) is None


def down(*minutes: float) -> list[tuple[datetime, bool]]:
    return [(at(m), False) for m in minutes]


def up(*minutes: float) -> list[tuple[datetime, bool]]:
    return [(at(m), True) for m in minutes]


@pytest.mark.parametrize(
    ("checks", "failed_over", "target_up", "expected"),
    [
        (up(10, 5) + down(0), False, None, FailoverAction.STAY),  # one failure
        (up(10) + down(5, 0), False, None, FailoverAction.FAIL_OVER),
        (down(10) + up(5) + down(0), False, None, FailoverAction.STAY),  # not consecutive
        (down(5, 0), False, False, FailoverAction.STAY),  # target down too
        (down(5, 0), False, True, FailoverAction.FAIL_OVER),
        (down(0), False, None, FailoverAction.STAY),  # not enough history
        ([], False, None, FailoverAction.STAY),
        (down(30) + up(20, 10, 0), True, None, FailoverAction.FAIL_BACK),
        (down(30) + up(15, 10, 0), True, None, FailoverAction.FAIL_BACK),  # exactly 15
        (down(30) + up(14, 10, 0), True, None, FailoverAction.STAY),
        (down(40) + up(30, 20) + down(10) + up(5, 0), True, None, FailoverAction.STAY),
        (down(40) + up(30, 20, 10) + down(0), True, None, FailoverAction.STAY),  # down now
        (up(60, 30, 0), True, None, FailoverAction.FAIL_BACK),
        ([], True, None, FailoverAction.STAY),
        (down(60) + up(20) + [(NOW + timedelta(minutes=1), False)], True, None, FailoverAction.FAIL_BACK),
    ],
)  # fmt: skip
def test_failover_decision(
    checks: list[tuple[datetime, bool]],
    failed_over: bool,
    target_up: bool | None,
    expected: FailoverAction,
) -> None:
    decision = failover_decision(
        checks[::-1], failed_over=failed_over, now=NOW, target_reachable=target_up
    )
    assert decision is expected
