"""Price conditions pinned at their limits (as the rule form describes them)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.util import dt as dt_util
import pytest

from custom_components.home_miner_manager.monitor.rule_triggers import (
    RuleTriggers,
    price_matches,
)
from custom_components.home_miner_manager.monitor.watched import Watched


@pytest.mark.parametrize(
    ("condition", "price", "matches"),
    [
        ("below", 9.99, True),
        ("below", 10.0, False),  # below leaves the price itself out
        ("above", 10.0, False),
        ("above", 10.01, True),
        ("between", 10.0, True),  # between includes both limits
        ("between", 20.0, True),
        ("between", 20.01, False),
        ("outside", 10.0, False),
        ("outside", 20.0, False),
        ("outside", 9.99, True),
        ("outside", 20.01, True),
    ],
)
def test_price_conditions_at_their_limits(
    condition: str, price: float, matches: bool
) -> None:
    config = {"condition": condition, "threshold": 10, "threshold_high": 20}
    assert price_matches(config, price) is matches


def test_between_without_an_upper_price_never_matches() -> None:
    assert not price_matches({"condition": "between", "threshold": 10}, 10.0)


def _triggers(miners: dict[str, Any], last_seen: Any = None) -> RuleTriggers:
    """The trigger half alone, over stand-in miners."""
    return RuleTriggers(
        watched=Watched(coordinators=miners, pools={}, strategy=lambda: None),
        prices=lambda: None,
        last_seen=lambda miner: last_seen,
    )


def _miner(*, available: bool = True, temperature: float | None = None) -> Any:
    return SimpleNamespace(
        polling_enabled=True,
        available=available,
        expected_offline=False,
        data=SimpleNamespace(temperature=temperature),
    )


@pytest.mark.parametrize(("temperature", "holds"), [(80.0, False), (80.1, True)])
def test_overheat_is_above_the_limit_not_at_it(temperature: float, holds: bool) -> None:
    triggers = _triggers({"m": _miner(temperature=temperature)})
    rule = {
        "trigger_type": "miner_overheat",
        "trigger_config": {"threshold_celsius": 80},
    }
    assert (triggers.occasion("r", rule) is not None) is holds


@pytest.mark.parametrize(("seconds", "holds"), [(299, False), (300, True)])
def test_offline_for_five_minutes_holds_at_five(
    seconds: int, holds: bool, freezer: FrozenDateTimeFactory
) -> None:
    seen = dt_util.utcnow() - timedelta(seconds=seconds)
    triggers = _triggers({"m": _miner(available=False)}, last_seen=seen)
    rule = {"trigger_type": "miner_offline", "trigger_config": {"minutes": 5}}
    assert (triggers.occasion("r", rule) is not None) is holds


@pytest.mark.parametrize(
    ("clock", "occasion"),
    [
        ("2026-03-10 21:59:59", None),
        ("2026-03-10 22:00:00", "window:2026-03-10"),  # from: included
        ("2026-03-11 05:59:59", "window:2026-03-10"),  # the day it started
        ("2026-03-11 06:00:00", None),  # until: left out
    ],
)
def test_time_window_limits_across_midnight(
    clock: str, occasion: str | None, freezer: FrozenDateTimeFactory
) -> None:
    freezer.move_to(
        dt_util.as_utc(
            dt_util.parse_datetime(clock).replace(
                tzinfo=dt_util.get_default_time_zone()
            )
        )
    )  # type: ignore[union-attr]
    triggers = _triggers({})
    rule = {
        "trigger_type": "time_window",
        "trigger_config": {"start": "22:00:00", "end": "06:00:00"},
    }
    assert triggers.occasion("r", rule) == occasion


@pytest.mark.parametrize(
    ("clock", "occasion"),
    [
        ("2026-03-10 05:59:59", None),
        ("2026-03-10 06:00:00", "window:2026-03-10"),
        ("2026-03-10 21:59:59", "window:2026-03-10"),
        ("2026-03-10 22:00:00", None),
    ],
)
def test_time_window_limits_within_a_day(
    clock: str, occasion: str | None, freezer: FrozenDateTimeFactory
) -> None:
    local = dt_util.parse_datetime(clock)
    assert local is not None
    freezer.move_to(
        dt_util.as_utc(local.replace(tzinfo=dt_util.get_default_time_zone()))
    )
    rule = {
        "trigger_type": "time_window",
        "trigger_config": {"start": "06:00:00", "end": "22:00:00"},
    }
    assert _triggers({}).occasion("r", rule) == occasion


def test_a_miner_the_strategy_switched_off_is_not_offline(
    freezer: FrozenDateTimeFactory,
) -> None:
    miner = _miner(available=False)
    miner.expected_offline = True
    seen = dt_util.utcnow() - timedelta(hours=1)
    rule = {"trigger_type": "miner_offline", "trigger_config": {"minutes": 5}}
    assert _triggers({"m": miner}, last_seen=seen).occasion("r", rule) is None
