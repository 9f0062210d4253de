"""What was commanded, laid over the last poll (strategy/commanded.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.home_miner_manager.devices.types import MinerType
from custom_components.home_miner_manager.strategy.bands import default_bands
from custom_components.home_miner_manager.strategy.commanded import (
    Commanded,
    due,
    overlay,
    record,
)
from custom_components.home_miner_manager.strategy.plan import (
    Action,
    Command,
    plan_miner,
)
from custom_components.home_miner_manager.strategy.view import MinerView

NOW = datetime(2026, 3, 10, 12, 10, tzinfo=UTC)
SETTLE = timedelta(seconds=30)
OFF_BAND = default_bands()[0]
SENT = (Command(Action.SET_MODE, "oc"), Command(Action.SET_POOL, "btc"))


def _view(**kwargs: object) -> MinerView:
    values: dict[str, object] = {
        "miner_id": 1,
        "miner_type": MinerType.BITAXE,
        "mode": "eco",
        "pool_coin": "DGB",
    }
    values.update(kwargs)
    return MinerView(**values)  # type: ignore[arg-type]


def test_measured_defect_off_after_oc_before_the_next_poll() -> None:
    """3 p: oc on BTC; OFF before a poll: the lowest mode is sent, not nothing."""
    poll = _view()  # still the poll from before the command
    commanded = record(None, SENT, NOW, poll)
    view, kept = overlay(
        poll,
        commanded,
        NOW + timedelta(seconds=5),
        answered=True,
        fresh=False,
        settle=SETTLE,
    )
    assert (view.mode, view.pool_coin) == ("oc", "BTC")
    assert kept == commanded
    plan = plan_miner(OFF_BAND, view, NOW)
    assert plan.commands == (Command(Action.SET_MODE, "eco"),)
    # Without the overlay the plan sent nothing: the defect.
    assert plan_miner(OFF_BAND, poll, NOW).commands == ()


def test_a_poll_confirms_each_value() -> None:
    commanded = record(None, SENT, NOW, _view())
    poll = _view(mode="oc", pool_coin="DGB")
    view, kept = overlay(poll, commanded, NOW, answered=True, fresh=True, settle=SETTLE)
    assert view.mode == "oc"
    assert view.pool_coin == "BTC"  # not confirmed yet: still commanded
    assert set(kept.values) == {"pool_coin"}


def test_a_fresh_poll_contradicts_only_after_settling() -> None:
    poll = _view()
    commanded = record(None, SENT, NOW, poll)
    early = NOW + SETTLE - timedelta(seconds=1)
    view, kept = overlay(
        poll, commanded, early, answered=True, fresh=True, settle=SETTLE
    )
    assert view.mode == "oc"
    assert kept
    # One poll interval later the reading wins: the plan sends it again.
    view, kept = overlay(
        poll, commanded, NOW + SETTLE, answered=True, fresh=True, settle=SETTLE
    )
    assert (view.mode, view.pool_coin) == ("eco", "DGB")
    assert not kept
    # The same old poll (nothing newer) never contradicts.
    _, kept = overlay(
        poll,
        commanded,
        NOW + 10 * SETTLE,
        answered=True,
        fresh=False,
        settle=SETTLE,
    )
    assert kept == commanded


def test_an_unreachable_miner_keeps_what_was_commanded() -> None:
    commanded = record(None, SENT, NOW, _view())
    view, kept = overlay(
        _view(mode=None, pool_coin=None),
        commanded,
        NOW + timedelta(minutes=5),
        answered=False,
        fresh=True,
        settle=SETTLE,
    )
    assert (view.mode, view.pool_coin) == ("oc", "BTC")
    assert kept == commanded


def test_power_follows_the_switch_state() -> None:
    switch_on = _view(has_power_switch=True, powered=True)
    commanded = record(None, (Command(Action.POWER_OFF),), NOW, switch_on)
    view, kept = overlay(
        switch_on, commanded, NOW, answered=True, fresh=False, settle=SETTLE
    )
    assert view.powered is False
    assert kept
    view, kept = overlay(
        switch_on, commanded, NOW + SETTLE, answered=True, fresh=False, settle=SETTLE
    )
    assert view.powered is True  # the switch did not follow: switch off again
    assert not kept
    confirmed = _view(has_power_switch=True, powered=False)
    _, kept = overlay(
        confirmed, commanded, NOW, answered=True, fresh=False, settle=SETTLE
    )
    assert not kept


def test_record_keeps_earlier_values_and_due() -> None:
    first = record(None, (Command(Action.SET_POOL, "BTC"),), NOW)
    later = NOW + timedelta(seconds=10)
    both = record(first, (Command(Action.SET_MODE, "eco"),), later)
    assert {k: v.value for k, v in both.values.items()} == {
        "pool_coin": "BTC",
        "mode": "eco",
    }
    assert due(both, SETTLE) == NOW + SETTLE
    assert due(Commanded(), SETTLE) is None
    assert (
        overlay(_view(), None, NOW, answered=True, fresh=True, settle=SETTLE)[0]
        == _view()
    )


def test_a_third_value_contradicts_at_once() -> None:
    """Changed by hand right after the command: the next plan sees it."""
    before = _view(mode="standard")
    commanded = record(None, (Command(Action.SET_MODE, "eco"),), NOW, before)
    by_hand = _view(mode="turbo")
    view, kept = overlay(
        by_hand,
        commanded,
        NOW + timedelta(seconds=3),
        answered=True,
        fresh=True,
        settle=SETTLE,
    )
    assert view.mode == "turbo"
    assert not kept
    # The old value within the interval: the command may not have landed.
    view, kept = overlay(
        before,
        commanded,
        NOW + timedelta(seconds=3),
        answered=True,
        fresh=True,
        settle=SETTLE,
    )
    assert view.mode == "eco"
    assert kept
