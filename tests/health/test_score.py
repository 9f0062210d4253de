"""The overall health score: uptime from real timestamps, weights, properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import random

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.home_miner_manager.devices.types import MinerType
from custom_components.home_miner_manager.health import HealthResult, Sample, score
from custom_components.home_miner_manager.health.components import (
    stability_score,
    temperature_score,
)

START = datetime(2026, 3, 1, tzinfo=UTC)
END = START + timedelta(hours=24)
PROPS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def day(
    interval_s: float = 60.0,
    *,
    hashrate: float = 1000.0,
    temperature: float | None = 55.0,
    skip: tuple[datetime, datetime] | None = None,
    jitter_s: float = 3.0,
    seed: int = 1,
) -> list[Sample]:
    """A day of polls every ``interval_s`` (with jitter), none inside ``skip``."""
    rng = random.Random(seed)
    samples = []
    count = int(86400 / interval_s)
    for i in range(count):
        when = START + timedelta(seconds=i * interval_s + rng.uniform(0, jitter_s))
        if skip and skip[0] <= when < skip[1]:
            continue
        samples.append(
            Sample(
                timestamp=when,
                hashrate=hashrate * rng.uniform(0.98, 1.02),
                temperature=temperature,
                shares_accepted=i * 4,
                shares_rejected=i // 50,
            )
        )
    return samples


def _json_safe(result: HealthResult) -> None:
    json.dumps(result.as_row(), allow_nan=False)


@pytest.mark.parametrize("interval_s", [10.0, 30.0, 60.0, 120.0])
def test_healthy_day_scores_full_uptime_whatever_the_interval(
    interval_s: float,
) -> None:
    # Upstream assumed one row per 30 s: a 60-s miner capped at ~50.
    result = score(day(interval_s), START, END, MinerType.BITAXE, interval_s)
    assert result.uptime >= 99.5
    assert result.overall >= 95
    assert result.details["outages"] == 0
    assert result.details["expected_samples"] == pytest.approx(86400 / interval_s)


def test_offline_half_the_day_scores_about_fifty() -> None:
    samples = day(skip=(START + timedelta(hours=12), END))
    result = score(samples, START, END, MinerType.BITAXE, 60)
    assert result.uptime == pytest.approx(50, abs=3)
    assert result.details["outages"] == 1


def test_gap_longer_than_a_day_does_not_wrap() -> None:
    # timedelta.seconds of a 25-h gap is 3,600: upstream saw a one-hour gap.
    window_start = START - timedelta(hours=24)
    samples = [Sample(timestamp=window_start), Sample(timestamp=END)]
    result = score(samples, window_start, END, MinerType.BITAXE, 60)
    assert result.uptime < 1
    assert result.details["covered_seconds"] <= 120


def test_strategy_off_half_the_day_keeps_full_uptime() -> None:
    off = (START + timedelta(hours=6), START + timedelta(hours=18))
    # The miner comes back 90 s after the strategy turns it on again.
    samples = day(skip=(off[0], off[1] + timedelta(seconds=90)))
    result = score(
        samples, START, END, MinerType.BITAXE, 60, strategy_off_intervals=[off]
    )
    assert result.uptime >= 99
    assert result.details["off_by_strategy_seconds"] == pytest.approx(12 * 3600 + 180)
    # Without the strategy's word the same data is an outage.
    assert score(samples, START, END, MinerType.BITAXE, 60).uptime < 55


def test_strategy_off_all_day_is_not_downtime() -> None:
    result = score(
        [], START, END, MinerType.AVALON_NANO, 60, strategy_off_intervals=[(START, END)]
    )
    assert result.uptime == 100
    assert result.details["expected_seconds"] == 0


def test_overlapping_and_outside_off_intervals_are_merged_and_clipped() -> None:
    offs = [
        (START - timedelta(hours=2), START + timedelta(hours=1)),
        (START + timedelta(minutes=30), START + timedelta(hours=2)),
        (END + timedelta(hours=1), END + timedelta(hours=3)),
    ]
    result = score(
        [],
        START,
        END,
        MinerType.BITAXE,
        60,
        strategy_off_intervals=offs,
        resume_grace_s=0,
    )
    assert result.details["off_by_strategy_seconds"] == 2 * 3600
    assert result.uptime == 0


def test_flapping_costs_more_than_the_time_lost() -> None:
    # Ten 6-minute outages vs one 60-minute outage: same time lost.
    flapping = [
        s
        for s in day()
        if not any(
            START + timedelta(hours=h, minutes=1)
            <= s.timestamp
            < START + timedelta(hours=h, minutes=7)
            for h in range(1, 11)
        )
    ]
    single = day(skip=(START + timedelta(hours=1), START + timedelta(hours=2)))
    flap = score(flapping, START, END, MinerType.BITAXE, 60)
    one = score(single, START, END, MinerType.BITAXE, 60)
    assert flap.details["outages"] == 10
    assert one.details["outages"] == 1
    assert flap.uptime < one.uptime - 15


def test_weights_with_and_without_temperature() -> None:
    hot = score(day(temperature=67.0), START, END, MinerType.BITAXE, 60)
    assert hot.temperature == pytest.approx(75)
    assert hot.overall == pytest.approx(
        0.30 * hot.uptime
        + 0.25 * 75
        + 0.25 * hot.hashrate_stability
        + 0.20 * hot.reject_rate,
        abs=0.02,
    )
    cyd = score(day(temperature=0.0), START, END, MinerType.NMMINER, 60)
    assert cyd.temperature is None
    assert cyd.overall == pytest.approx(
        0.40 * cyd.uptime + 0.35 * cyd.hashrate_stability + 0.25 * cyd.reject_rate,
        abs=0.02,
    )
    assert cyd.as_row()["temperature_score"] is None
    _json_safe(cyd)


def test_reject_rate_survives_a_reboot() -> None:
    # 2 % rejects before and after a reboot; lifetime counters restart.
    samples = []
    for i in range(120):
        base = i if i < 60 else i - 60
        samples.append(
            Sample(
                timestamp=START + timedelta(minutes=i),
                hashrate=500.0,
                shares_accepted=base * 98,
                shares_rejected=base * 2,
            )
        )
    result = score(samples, START, START + timedelta(hours=2), MinerType.BITAXE, 60)
    assert result.details["counter_resets"] == 1
    assert result.details["reject_percent"] == pytest.approx(2.0)
    assert result.reject_rate == pytest.approx(92.5)


def test_samples_outside_the_window_are_ignored() -> None:
    inside = day()
    outside = [
        Sample(timestamp=END + timedelta(minutes=5), hashrate=1.0, temperature=120.0),
        Sample(timestamp=START - timedelta(minutes=5), hashrate=1e6, temperature=120.0),
    ]
    result = score(inside + outside, START, END, MinerType.BITAXE, 60)
    assert result.details["max_temperature"] == 55
    assert result.hashrate_stability == 100


# ---------------------------------------------------------------- properties

readings = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))
counters = st.one_of(st.none(), st.integers(min_value=-10, max_value=10**12))


@PROPS
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-3600, max_value=90000, allow_nan=False),
            readings,
            readings,
            counters,
            counters,
            st.sampled_from([None, "eco", "turbo"]),
        ),
        max_size=200,
    ),
    st.sampled_from([*MinerType, "unknown"]),
    st.floats(min_value=1, max_value=600),
    st.lists(
        st.tuples(
            st.floats(min_value=-7200, max_value=90000),
            st.floats(min_value=0, max_value=40000),
        ),
        max_size=4,
    ),
)
def test_every_score_between_0_and_100(
    rows: list[
        tuple[float, float | None, float | None, int | None, int | None, str | None]
    ],
    miner_type: str,
    interval_s: float,
    offs: list[tuple[float, float]],
) -> None:
    samples = [
        Sample(
            timestamp=START + timedelta(seconds=t),
            hashrate=h,
            temperature=temp,
            shares_accepted=a,
            shares_rejected=r,
            mode=m,
        )
        for t, h, temp, a, r, m in rows
    ]
    off_intervals = [
        (START + timedelta(seconds=a), START + timedelta(seconds=a + length))
        for a, length in offs
    ]
    result = score(
        samples,
        START,
        END,
        miner_type,
        interval_s,
        strategy_off_intervals=off_intervals,
    )
    for value in (
        result.overall,
        result.uptime,
        result.hashrate_stability,
        result.reject_rate,
    ):
        assert 0 <= value <= 100
    assert result.temperature is None or 0 <= result.temperature <= 100
    assert result.details["shares_accepted"] >= 0
    assert result.details["shares_rejected"] >= 0
    _json_safe(result)


@PROPS
@given(
    st.sampled_from([10.0, 30.0, 60.0, 90.0]),
    st.floats(min_value=0, max_value=0.9),
    st.floats(min_value=0, max_value=0.04),
    st.integers(min_value=0, max_value=2**31),
)
def test_online_all_day_and_stable_scores_at_least_95(
    interval_s: float, jitter: float, spread: float, seed: int
) -> None:
    rng = random.Random(seed)
    samples = [
        Sample(
            timestamp=START
            + timedelta(seconds=(i + rng.uniform(0, jitter)) * interval_s),
            hashrate=1000 * (1 + rng.uniform(-spread, spread)),
            temperature=50.0,
            shares_accepted=i * 3,
            shares_rejected=0,
        )
        for i in range(int(86400 / interval_s))
    ]
    result = score(samples, START, END, MinerType.BITAXE, interval_s)
    assert result.overall >= 95
    assert result.uptime >= 99


@PROPS
@given(
    st.floats(min_value=0.2, max_value=0.8),
    st.sampled_from([30.0, 60.0]),
    st.booleans(),
)
def test_offline_or_off_by_strategy_for_part_of_the_day(
    fraction: float, interval_s: float, by_strategy: bool
) -> None:
    gap = (START + timedelta(hours=2), START + timedelta(hours=2 + 24 * fraction))
    gap = (gap[0], min(gap[1], END))
    samples = day(interval_s, skip=gap)
    offs = [gap] if by_strategy else []
    result = score(
        samples, START, END, MinerType.BITAXE, interval_s, strategy_off_intervals=offs
    )
    if by_strategy:
        assert result.uptime >= 99
    else:
        lost = (gap[1] - gap[0]).total_seconds() / 86400 * 100
        assert result.uptime == pytest.approx(100 - lost - 2, abs=1.0)


@PROPS
@given(
    st.floats(min_value=20, max_value=120),
    st.floats(min_value=0, max_value=30),
    st.floats(min_value=0, max_value=30),
)
def test_hotter_never_scores_better(average: float, delta: float, spike: float) -> None:
    for miner_type in (*MinerType, "unknown"):
        cooler, _ = temperature_score([average] * 9 + [average + spike], miner_type)
        hotter, _ = temperature_score(
            [average + delta] * 9 + [average + delta + spike], miner_type
        )
        assert hotter is not None
        assert cooler is not None
        assert hotter <= cooler


def test_readings_near_the_float_limit_do_not_overflow() -> None:
    """A garbled reply can carry 1.7e308: the mean must not overflow (found by hypothesis)."""
    huge = 1.7e308
    stability, details = stability_score([(huge, "eco")] * 5)
    assert stability == 100
    assert details["cv_percent"] == 0
    temp, temp_details = temperature_score([huge] * 3, MinerType.BITAXE)
    assert temp is not None
    assert 0 <= temp <= 100
    assert temp_details["max_temperature"] == huge
