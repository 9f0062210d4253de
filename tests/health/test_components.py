"""Sub-score tables: temperature curves, CV and reject mappings, share deltas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.home_miner_manager.devices.types import MinerType
from custom_components.home_miner_manager.health import Sample, curve_for, share_deltas
from custom_components.home_miner_manager.health.components import (
    cv_to_score,
    reject_to_score,
    stability_score,
    temperature_score,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("miner_type", "average", "expected"),
    [
        # Avalon: <70 → 100; 70-80 -1/°C; 80-90 -1.5/°C; 90-95 -3/°C; ≥95 40 - 2/°C
        (MinerType.AVALON_NANO, 65, 100),
        (MinerType.AVALON_NANO, 75, 95),
        (MinerType.AVALON_NANO, 80, 90),
        (MinerType.AVALON_NANO, 86, 81),
        (MinerType.AVALON_NANO, 92, 69),
        (MinerType.AVALON_NANO, 95, 40),
        (MinerType.AVALON_NANO, 98, 34),
        # Bitaxe: <55 → 100; 55-65 -1.5/°C; 65-70 85 - 5/°C; ≥70 40 - 2/°C
        (MinerType.BITAXE, 54.9, 100),
        (MinerType.BITAXE, 60, 92.5),
        (MinerType.BITAXE, 67, 75),
        (MinerType.BITAXE, 72, 36),
        (MinerType.BITAXE, 200, 0),
        # NerdQAxe: the Bitaxe curve 5 °C higher
        (MinerType.NERDQAXE, 59, 100),
        (MinerType.NERDQAXE, 65, 92.5),
        (MinerType.NERDQAXE, 72, 75),
        (MinerType.NERDQAXE, 77, 36),
        # generic (NMMiner, unknown): <60 → 100; 60-80 -2/°C; ≥80 40 - 1/°C
        (MinerType.NMMINER, 65, 90),
        ("something_new", 75, 70),
        ("something_new", 85, 35),
    ],
)
def test_temperature_curves(miner_type: str, average: float, expected: float) -> None:
    # max == average stays under every spike limit only when it is low enough;
    # compare against the curve without the spike penalty.
    assert curve_for(miner_type).score(average, 0) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("miner_type", "limit"),
    [
        (MinerType.AVALON_NANO, 100),
        (MinerType.BITAXE, 75),
        (MinerType.NERDQAXE, 80),
        (MinerType.NMMINER, 85),
    ],
)
def test_spike_penalty_above_limit_only(miner_type: str, limit: float) -> None:
    temps_at_limit = [50.0] * 9 + [float(limit)]
    temps_over = [50.0] * 9 + [limit + 0.5]
    at_limit, details = temperature_score(temps_at_limit, miner_type)
    over, over_details = temperature_score(temps_over, miner_type)
    assert at_limit == 100
    assert details["spike"] is False
    assert over == pytest.approx(
        curve_for(miner_type).score(sum(temps_over) / 10, 0) * 0.8
    )
    assert over_details["spike"] is True


def test_temperature_without_data_is_none() -> None:
    # 0 °C is a sensor-less NMMiner board; NaN is a broken reading.
    assert temperature_score([0.0, float("nan")], MinerType.NMMINER) == (None, {})
    assert temperature_score([], MinerType.BITAXE) == (None, {})


@pytest.mark.parametrize(
    ("cv", "expected"),
    [
        (0, 100),
        (4.99, 100),
        (5, 100),
        (7.5, 90),
        (10, 80),
        (15, 70),
        (20, 60),
        (30, 50),
        (50, 30),
        (80, 20),
        (500, 20),
    ],
)
def test_cv_mapping(cv: float, expected: float) -> None:
    assert cv_to_score(cv) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("percent", "expected"),
    [
        (0, 100),
        (0.99, 100),
        (1, 100),
        (2, 92.5),
        (3, 85),
        (4, 77.5),
        (5, 70),
        (7.5, 60),
        (10, 50),
        (20, 30),
        (35, 0),
        (100, 0),
    ],
)
def test_reject_mapping(percent: float, expected: float) -> None:
    assert reject_to_score(percent) == pytest.approx(expected)


def test_stability_needs_five_positive_samples() -> None:
    four = [(100.0, None)] * 4 + [(0.0, None), (None, None), (float("nan"), None)]
    assert stability_score(four)[0] == 50
    assert stability_score([(100.0, None)] * 5)[0] == 100


def test_stability_judges_each_mode_on_its_own() -> None:
    # Eco at 400, turbo at 1,000 GH/s, each steady: a strategy switching modes
    # is not an unstable miner. Without modes the same values look terrible.
    values = [400.0] * 10 + [1000.0] * 10
    with_modes = [(v, "eco" if v < 500 else "turbo") for v in values]
    without = [(v, None) for v in values]
    assert stability_score(with_modes)[0] == 100
    assert stability_score(without)[0] < 40


def _s(minute: int, acc: int | None, rej: int | None) -> Sample:
    return Sample(
        timestamp=T0 + timedelta(minutes=minute),
        shares_accepted=acc,
        shares_rejected=rej,
    )


def test_share_deltas_across_reboot() -> None:
    samples = [
        _s(0, 1000, 10),
        _s(1, 1100, 12),  # +100 / +2
        _s(2, 5, 0),  # reboot: the step across it counts nothing
        _s(3, 55, 1),  # +50 / +1
    ]
    deltas = share_deltas(samples)
    assert (deltas.accepted, deltas.rejected, deltas.resets) == (150, 3, 1)
    assert deltas.reject_percent == pytest.approx(3 / 153 * 100)


def test_share_deltas_one_counter_drop_starts_a_segment() -> None:
    # Only the rejected counter drops: still a new segment, nothing negative.
    samples = [_s(0, 100, 50), _s(1, 200, 3), _s(2, 300, 4)]
    deltas = share_deltas(samples)
    assert (deltas.accepted, deltas.rejected, deltas.resets) == (100, 1, 1)


def test_share_deltas_skip_missing_and_negative() -> None:
    samples = [_s(0, 10, 0), _s(1, None, 5), _s(2, -4, 1), _s(3, 20, 1)]
    deltas = share_deltas(samples)
    assert (deltas.accepted, deltas.rejected) == (10, 1)
    assert share_deltas([]).reject_percent is None
