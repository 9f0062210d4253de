"""Every threshold pinned at its boundary, and one bad case never stops the rest.

README: "over 5 % of at least 20 shares", "above 70 °C Bitaxe ... cleared
2 °C under", "no answer for 5 min", "30 % under the 1-hour average",
"refused at 3 checks in a row": exactly at a limit is not an alert.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import importlib
from typing import Any

import pytest

from custom_components.home_miner_manager.alerts import (
    AlertType,
    MinerState,
    evaluate,
)
from custom_components.home_miner_manager.health import Sample

from .test_evaluate import NOW, SETTINGS, miner, run, types

# The package exports the function under the module's name.
evaluate_module = importlib.import_module(
    "custom_components.home_miner_manager.alerts.evaluate"
)


def at(minutes: float) -> Any:
    return NOW + timedelta(minutes=minutes)


def _shares(accepted: int, rejected: int) -> list[Sample]:
    """Two samples in the hour: ``accepted``/``rejected`` shares between them."""
    first = Sample(
        timestamp=NOW - timedelta(minutes=30),
        hashrate=1000.0,
        shares_accepted=100,
        shares_rejected=1,
    )
    last = replace(
        first,
        timestamp=NOW - timedelta(seconds=10),
        shares_accepted=100 + accepted,
        shares_rejected=1 + rejected,
    )
    return [first, last]


@pytest.mark.parametrize(
    ("accepted", "rejected", "fires"),
    [
        (19, 1, False),  # exactly 5 % of 20: at the threshold, no alert
        (38, 2, False),  # 5 % again
        (37, 2, True),  # 5.13 %: just above
        (18, 1, False),  # 5.26 % but 19 shares: too few to judge
        (17, 3, True),  # 15 % of exactly 20 shares: enough shares
    ],
)
def test_reject_rate_boundary(accepted: int, rejected: int, fires: bool) -> None:
    result = run([miner(samples=_shares(accepted, rejected))])
    assert types(result.fired) == (["high_reject_rate"] if fires else [])


@pytest.mark.parametrize(
    ("temperature", "fires"), [(70.0, False), (70.01, True), (69.9, False)]
)
def test_temperature_boundary(temperature: float, fires: bool) -> None:
    result = run([miner(temperature=temperature)])
    assert types(result.fired) == (["high_temperature"] if fires else [])


def test_temperature_clears_exactly_two_degrees_under() -> None:
    state = run([miner(temperature=71.0)]).state
    hovering = run([miner(now=at(1), temperature=68.01)], state, at(1))
    assert hovering.cleared == []
    at_margin = run([miner(now=at(2), temperature=68.0)], hovering.state, at(2))
    assert types(at_margin.cleared) == ["high_temperature"]


@pytest.mark.parametrize(("age_s", "fires"), [(300, False), (301, True)])
def test_offline_boundary(age_s: int, fires: bool) -> None:
    result = run([miner(last_seen=NOW - timedelta(seconds=age_s))])
    assert types(result.fired) == (["miner_offline"] if fires else [])


@pytest.mark.parametrize(("low", "fires"), [(616.0, False), (615.99, True)])
def test_low_hashrate_boundary(low: float, fires: bool) -> None:
    # 11 samples at 1000 and the last 5 minutes at ``low``: at 616 the hour's
    # mean is (11000 + 5 x 616) / 16 = 880 and 616 is exactly 30 % under it.
    history = [
        Sample(timestamp=NOW - timedelta(minutes=5 * k + 5), hashrate=1000.0)
        for k in range(11)
    ][::-1] + [
        Sample(timestamp=NOW - timedelta(minutes=k), hashrate=low)
        for k in range(4, -1, -1)
    ]
    result = run([miner(samples=history)])
    assert types(result.fired) == (["low_hashrate"] if fires else [])


@pytest.mark.parametrize(("failures", "fires"), [(2, False), (3, True)])
def test_strategy_error_boundary(failures: int, fires: bool) -> None:
    result = run([miner(band_change_failures=failures)])
    assert types(result.fired) == (["strategy_error"] if fires else [])


def test_an_offline_miner_refuses_nothing() -> None:
    # The strategy's commands fail because the miner is gone: only the
    # offline alert is news, not "refused the mode change 3 times".
    gone = miner(last_seen=NOW - timedelta(minutes=10), band_change_failures=5)
    assert types(run([gone]).fired) == ["miner_offline"]


def test_low_hashrate_without_samples_since_the_grace_is_no_crash() -> None:
    # Grace ended 1 min ago; the last samples are from before it (the polls
    # stopped, or the clock jumped): recent samples but no baseline.
    history = [
        Sample(timestamp=NOW - timedelta(seconds=s), hashrate=900.0)
        for s in (240, 180, 120, 90)
    ]
    changed = miner(
        samples=history,
        last_mode_change=NOW - timedelta(minutes=21),
        temperature=80.0,
    )
    result = run([changed])
    assert result.errors == []
    assert types(result.fired) == ["high_temperature"]  # the others still ran


def test_a_clock_set_back_does_not_mute_an_alert_for_hours() -> None:
    state = run([miner(temperature=80.0)]).state
    cleared = run([miner(now=at(1), temperature=50.0)], state, at(1)).state
    # The clock goes back two hours: the last alert now lies "in the future".
    back = at(-120)
    again = run([miner(now=back, temperature=80.0)], cleared, back)
    assert types(again.fired) == ["high_temperature"]


def test_a_check_that_raises_stops_neither_the_other_checks_nor_miners(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(m: Any, cfg: Any, entry: Any) -> Any:
        if m.miner.key == "bad":
            raise ZeroDivisionError("float division by zero")
        return None

    checks = tuple(
        (kind, broken if kind is AlertType.LOW_HASHRATE else check)
        for kind, check in evaluate_module.CHECKS
    )
    monkeypatch.setattr(evaluate_module, "CHECKS", checks)
    fleet: list[MinerState] = [
        miner("bad", temperature=80.0),
        miner("good", last_seen=NOW - timedelta(minutes=10)),
    ]
    result = evaluate(fleet, SETTINGS, {}, NOW)
    assert sorted((e.miner_key, e.alert_type.value) for e in result.fired) == [
        ("bad", "high_temperature"),
        ("good", "miner_offline"),
    ]
    (error,) = result.errors
    assert (error.miner_key, error.alert_type) == ("bad", AlertType.LOW_HASHRATE)
    assert isinstance(error.error, ZeroDivisionError)
