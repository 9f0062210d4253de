"""Share difficulties, session bests, block solves, coin, odds (pools/shares.py)."""

from __future__ import annotations

import math

from hypothesis import given, strategies as st
import pytest

from custom_components.home_miner_manager.devices.parsing import parse_difficulty
from custom_components.home_miner_manager.pools.high_shares import (
    PoolCoin,
    SessionBestTracker,
    ShareSource,
    block_chance,
    expected_seconds_to_block,
    is_block,
    parse_share_difficulty,
    share_source,
    update_session_best,
)

from .conftest import PROPERTY

BTC_DIFFICULTY = 126_271_255_279_307.0


def test_one_parser_for_difficulties() -> None:
    assert parse_share_difficulty is parse_difficulty


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4.29M", 4.29e6),
        ("270M", 270e6),
        ("1.2G", 1.2e9),
        ("3.5T", 3.5e12),
        ("12k", 12e3),
        (224199508, 224199508.0),
        (0.0021, 0.0021),
        ("91827364", 91827364.0),
        ("abc", None),
        (None, None),
        (-5, None),
    ],
)
def test_parse_share_difficulty(raw: object, expected: float | None) -> None:
    value = parse_share_difficulty(raw)
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_session_best_rises_count_resets_do_not() -> None:
    tracker = SessionBestTracker()
    readings = ["1M", "4.29M", "4.29M", "2M", "3M", "5G", None, "garbage", "4G", "6G"]
    new = [tracker.observe("bitaxe", r) for r in readings]
    assert new == [
        None,  # first reading after start-up: baseline only
        4.29e6,
        None,  # unchanged
        None,  # reboot: the session best restarted lower
        3e6,  # a rise above the new, lower baseline
        5e9,
        None,  # no reading
        None,  # unparsable
        None,  # dropped again (new session)
        6e9,
    ]
    assert tracker.baseline("bitaxe") == 6e9


def test_session_best_after_a_reboot_to_zero() -> None:
    # Upstream: after a reboot every small value became "new" against 0 and
    # string-vs-float comparisons threw. Here: 0 is the baseline, rises count.
    tracker = SessionBestTracker({"nano": 224_199_508.0})
    assert tracker.observe("nano", 0) is None
    assert tracker.observe("nano", "512") == 512.0
    assert tracker.observe("nano", "300") is None
    assert tracker.observe("nano", "1.5k") == 1500.0


def test_seeded_baseline_catches_a_rise_across_restarts() -> None:
    tracker = SessionBestTracker({1: 4.29e6})
    assert tracker.observe(1, "36.07M") == 36.07e6
    assert tracker.observe(2, "36.07M") is None  # unseeded miner: baseline only
    tracker.forget(1)
    assert tracker.baseline(1) is None


@PROPERTY
@given(st.lists(st.none() | st.floats(0, 1e15) | st.sampled_from(["4.29M", "1G", "x"])))
def test_new_bests_are_strict_rises(readings: list[object]) -> None:
    baseline: float | None = None
    for reading in readings:
        update = update_session_best(baseline, reading)
        if update.new_best:
            assert baseline is not None
            assert update.difficulty is not None
            assert update.difficulty > baseline
        if update.difficulty is not None:
            assert update.baseline == update.difficulty
        else:
            assert update.baseline == baseline
        baseline = update.baseline


@pytest.mark.parametrize(
    ("difficulty", "network", "expected"),
    [
        (BTC_DIFFICULTY, BTC_DIFFICULTY, True),
        (BTC_DIFFICULTY + 1, BTC_DIFFICULTY, True),
        (BTC_DIFFICULTY - 1, BTC_DIFFICULTY, False),
        (4.29e9, BTC_DIFFICULTY, False),
        (4.29e9, None, False),
        (4.29e9, 0.0, False),
        (None, BTC_DIFFICULTY, False),
    ],
)
def test_is_block(
    difficulty: float | None, network: float | None, expected: bool
) -> None:
    assert is_block(difficulty, network) is expected


POOLS = [
    PoolCoin("eu3.solopool.org", 8005, "BTC", "Solopool BTC", "bc1qwallet"),
    PoolCoin("eu3.solopool.org", 8001, "BC2", "Solopool BC2", "bc2wallet"),
    PoolCoin("stratum+tcp://eu1.solopool.org:8004", 0, "DGB", "Solopool DGB", "dgb1"),
    PoolCoin("stratum.braiins.com", 3333, "BTC_POOLED", "Braiins", "account"),
]


@pytest.mark.parametrize(
    ("pool_in_use", "expected"),
    [
        ("stratum+tcp://eu3.solopool.org:8005", ShareSource("BTC", "Solopool BTC")),
        ("eu3.solopool.org:8001", ShareSource("BC2", "Solopool BC2")),
        ("EU1.SOLOPOOL.ORG:8004", ShareSource("DGB", "Solopool DGB")),
        ("stratum.braiins.com:3333", ShareSource("BTC_POOLED", "Braiins")),
        # Upstream guessed BTC for anything it did not know.
        ("eu3.solopool.org:8002", ShareSource("UNKNOWN", "Unknown Pool")),
        ("public-pool.io:21496", ShareSource("UNKNOWN", "Unknown Pool")),
        (None, ShareSource("UNKNOWN", "Unknown Pool")),
    ],
)
def test_share_source(pool_in_use: str | None, expected: ShareSource) -> None:
    assert share_source(pool_in_use, None, POOLS) == expected


# Three coins on one stratum server and port: the wallet in the user picks the coin.
SHARED = [
    PoolCoin("mine.example.org", 3333, "DGB", "Shared DGB", "dgbwallet"),
    PoolCoin("mine.example.org", 3333, "BTC", "Shared BTC", "bc1qwallet"),
    PoolCoin("stratum+tcp://mine.example.org:3333", 0, "BCH", "Shared BCH", "qbch"),
]


@pytest.mark.parametrize(
    ("pool_user", "expected"),
    [
        ("bc1qwallet.Desk", ShareSource("BTC", "Shared BTC")),  # worker suffix
        ("qbch.Garage", ShareSource("BCH", "Shared BCH")),
        ("qbch", ShareSource("BCH", "Shared BCH")),
        ("dgbwallet.rig-1", ShareSource("DGB", "Shared DGB")),
        ("strangerwallet.Desk", ShareSource("UNKNOWN", "Unknown Pool")),
        # A driver that does not report the user: the server is shared, so
        # any of the three would be a guess.
        (None, ShareSource("UNKNOWN", "Unknown Pool")),
        ("", ShareSource("UNKNOWN", "Unknown Pool")),
    ],
)
def test_share_source_on_a_shared_server(
    pool_user: str | None, expected: ShareSource
) -> None:
    assert share_source("mine.example.org:3333", pool_user, SHARED) == expected


def test_share_source_without_user_on_an_unshared_server() -> None:
    pools = [*SHARED, PoolCoin("solo.example.org", 3333, "BTC", "Solo", "bc1qwallet")]
    assert share_source("solo.example.org:3333", None, pools) == ShareSource(
        "BTC", "Solo"
    )
    # Known but another wallet: not this pool's share.
    assert share_source("solo.example.org:3333", "other.Desk", pools) == ShareSource()


def test_block_chance_and_time() -> None:
    # A 1.1 TH/s Bitaxe Gamma at BTC's difficulty: about 1.75e-7 per day.
    chance = block_chance(1.1e12, BTC_DIFFICULTY)
    assert chance == pytest.approx(
        1 - math.exp(-86400 * 1.1e12 / (BTC_DIFFICULTY * 2**32))
    )
    assert chance == pytest.approx(1.7524e-7, rel=1e-3)
    seconds = expected_seconds_to_block(1.1e12, BTC_DIFFICULTY)
    assert seconds == pytest.approx(BTC_DIFFICULTY * 2**32 / 1.1e12)
    assert seconds is not None
    assert seconds / (365 * 86400) == pytest.approx(15634, rel=1e-3)  # years
    # Huge hashrate against a tiny difficulty: certain, never above 1.
    assert block_chance(1e18, 1.0) == 1.0
    assert block_chance(1e12, BTC_DIFFICULTY, seconds=0) == 0.0


@pytest.mark.parametrize(
    ("hashrate", "difficulty"),
    [(None, 1.0), (1.0, None), (0.0, 1.0), (1.0, 0.0), (-1.0, 1.0), (math.inf, 1.0), (1.0, math.nan)],
)  # fmt: skip
def test_odds_need_real_figures(
    hashrate: float | None, difficulty: float | None
) -> None:
    assert block_chance(hashrate, difficulty) is None
    assert expected_seconds_to_block(hashrate, difficulty) is None


@PROPERTY
@given(st.floats(1e3, 1e18), st.floats(1.0, 1e16), st.floats(0, 1e7))
def test_block_chance_is_a_probability(
    hashrate: float, difficulty: float, seconds: float
) -> None:
    chance = block_chance(hashrate, difficulty, seconds)
    assert chance is not None
    assert 0.0 <= chance <= 1.0
