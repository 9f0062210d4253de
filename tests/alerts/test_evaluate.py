"""The alert evaluator: conditions, cooldowns, clearing, state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
from typing import Any

import pytest

from custom_components.home_miner_manager.alerts import (
    AlertState,
    BlockInfo,
    Evaluation,
    MinerState,
    default_alert_config_rows,
    evaluate,
    settings_from_rows,
)
from custom_components.home_miner_manager.health import Sample

NOW = datetime(2026, 2, 1, 12, tzinfo=UTC)
SETTINGS = settings_from_rows(default_alert_config_rows())


def samples(
    now: datetime = NOW,
    *,
    minutes: int = 60,
    hashrate: float = 1000.0,
    low_since: int | None = None,
    low: float = 500.0,
    accepted_per_min: int = 10,
    rejected_per_min: int = 0,
) -> list[Sample]:
    """One sample a minute up to ``now``; hashrate ``low`` the last ``low_since`` min."""
    out = []
    for i in range(minutes, -1, -1):
        k = minutes - i
        rate = low if low_since is not None and i < low_since else hashrate
        out.append(
            Sample(
                timestamp=now - timedelta(minutes=i),
                hashrate=rate,
                shares_accepted=1000 + k * accepted_per_min,
                shares_rejected=10 + k * rejected_per_min,
            )
        )
    return out


def miner(key: str = "m1", now: datetime = NOW, **kwargs: Any) -> MinerState:
    defaults: dict[str, Any] = {
        "name": f"Miner {key}",
        "miner_type": "bitaxe",
        "last_seen": now - timedelta(seconds=20),
        "temperature": 55.0,
        "samples": samples(now),
        "pool_connected": True,
    }
    defaults.update(kwargs)
    return MinerState(key=key, **defaults)


def run(
    miners: list[MinerState],
    state: AlertState | None = None,
    now: datetime = NOW,
    settings: Any = SETTINGS,
) -> Evaluation:
    result = evaluate(miners, settings, state or {}, now)
    json.dumps(result.state)  # must stay serialisable
    for event in [*result.fired, *result.cleared]:
        json.dumps(event.event_data(), allow_nan=False)
    return result


def types(events: list[Any]) -> list[str]:
    return [e.alert_type.value for e in events]


def test_a_healthy_fleet_raises_nothing() -> None:
    result = run([miner(str(i)) for i in range(20)])
    assert result.fired == []
    assert result.cleared == []
    assert result.state == {}


# ------------------------------------------------------------------- offline


def test_offline_after_five_minutes_not_at_five() -> None:
    at_limit = run([miner(last_seen=NOW - timedelta(minutes=5))])
    past = run([miner(last_seen=NOW - timedelta(minutes=5, seconds=1))])
    assert at_limit.fired == []
    assert types(past.fired) == ["miner_offline"]
    assert past.fired[0].data["offline_minutes"] == pytest.approx(5.0, abs=0.1)
    assert past.fired[0].channels == ("telegram", "discord", "ha_notify")


def test_offline_longer_than_a_day_does_not_wrap() -> None:
    # timedelta(days=1, minutes=2).seconds == 120: upstream saw "2 min".
    result = run([miner(last_seen=NOW - timedelta(days=1, minutes=2))])
    assert types(result.fired) == ["miner_offline"]
    assert result.fired[0].data["offline_minutes"] == pytest.approx(24 * 60 + 2)


def test_never_seen_is_offline() -> None:
    result = run([miner(last_seen=None, samples=[])])
    assert types(result.fired) == ["miner_offline"]
    assert "not reported yet" in result.fired[0].message


def test_strategy_off_is_not_offline_and_keeps_an_open_alert() -> None:
    off = miner(last_seen=NOW - timedelta(hours=3), strategy_off=True, temperature=99.0)
    assert run([off]).fired == []
    # Offline first, then switched off by the strategy: nothing clears until
    # the miner is actually back.
    first = run([miner(last_seen=NOW - timedelta(minutes=10))])
    later = NOW + timedelta(minutes=5)
    second = run(
        [miner(last_seen=NOW - timedelta(minutes=10), strategy_off=True, now=later)],
        first.state,
        later,
    )
    assert second.fired == []
    assert second.cleared == []
    back = NOW + timedelta(minutes=30)
    third = run([miner(now=back)], second.state, back)
    assert types(third.cleared) == ["miner_offline"]
    assert third.cleared[0].data["duration_s"] == 30 * 60


def test_offline_miner_raises_no_stale_sample_alerts() -> None:
    stale = miner(
        last_seen=NOW - timedelta(minutes=10),
        temperature=99.0,
        pool_connected=False,
        samples=samples(NOW - timedelta(minutes=10), low_since=3),
    )
    assert types(run([stale]).fired) == ["miner_offline"]


# ------------------------------------------------------- fire, clear, cooldown


def hot(now: datetime, temperature: float = 80.0) -> MinerState:
    return miner(now=now, temperature=temperature)


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def test_clears_once_when_the_condition_ends() -> None:
    first = run([hot(NOW)])
    assert types(first.fired) == ["high_temperature"]
    assert first.fired[0].data == {
        "miner_type": "bitaxe",
        "temperature": 80.0,
        "limit_celsius": 70.0,
    }
    still = run([hot(at(1))], first.state, at(1))
    assert still.fired == []
    assert still.cleared == []
    cool = run([hot(at(2), 60.0)], still.state, at(2))
    assert types(cool.cleared) == ["high_temperature"]
    assert cool.cleared[0].title == "Temperature normal"
    assert cool.fired == []
    again = run([hot(at(3), 60.0)], cool.state, at(3))
    assert again.cleared == []
    assert again.fired == []


def test_second_alert_within_cooldown_is_suppressed_and_never_cleared() -> None:
    state = run([hot(NOW)]).state
    state = run([hot(at(10), 60.0)], state, at(10)).state  # cleared
    back = run([hot(at(30))], state, at(30))  # again, 30 min after firing
    assert back.fired == []
    quiet = run([hot(at(40), 60.0)], back.state, at(40))
    assert quiet.cleared == []  # that episode was never announced


def test_cooldown_expires_exactly_at_the_boundary() -> None:
    state = run([hot(NOW)]).state
    state = run([hot(at(10), 60.0)], state, at(10)).state
    before = NOW + timedelta(minutes=60) - timedelta(seconds=1)
    just_before = run([hot(before)], state, before)
    assert just_before.fired == []
    boundary = run([hot(at(60))], state, at(60))
    assert types(boundary.fired) == ["high_temperature"]
    assert boundary.state["m1"]["high_temperature"]["last_fired"] == at(60).isoformat()


def test_suppressed_episode_fires_when_the_cooldown_ends_if_still_true() -> None:
    state = run([hot(NOW)]).state
    state = run([hot(at(5), 60.0)], state, at(5)).state
    state = run([hot(at(20))], state, at(20)).state  # suppressed
    still = run([hot(at(59))], state, at(59))
    assert still.fired == []
    late = run([hot(at(60))], still.state, at(60))
    assert types(late.fired) == ["high_temperature"]
    done = run([hot(at(61), 60.0)], late.state, at(61))
    assert types(done.cleared) == ["high_temperature"]
    assert done.cleared[0].data["active_since"] == at(20).isoformat()


def test_an_alert_that_clears_fires_again_after_the_cooldown() -> None:
    state = run([hot(NOW)]).state
    state = run([hot(at(5), 60.0)], state, at(5)).state
    again = run([hot(at(65))], state, at(65))
    assert types(again.fired) == ["high_temperature"]
    cleared = run([hot(at(66), 60.0)], again.state, at(66))
    assert types(cleared.cleared) == ["high_temperature"]


def test_cooldown_is_per_miner_and_per_type() -> None:
    state = run([hot(NOW)]).state
    other_miner = run([hot(at(1)), miner("m2", at(1), temperature=80.0)], state, at(1))
    assert [(e.miner_key, e.alert_type.value) for e in other_miner.fired] == [
        ("m2", "high_temperature")
    ]
    other_type = run(
        [miner(now=at(2), temperature=80.0, pool_connected=False)],
        other_miner.state,
        at(2),
    )
    assert types(other_type.fired) == ["pool_failure"]


def test_state_is_not_modified_and_survives_json() -> None:
    first = run([hot(NOW)])
    snapshot = json.dumps(first.state, sort_keys=True)
    restored = json.loads(snapshot)
    cool = run([hot(at(1), 60.0)], restored, at(1))
    assert json.dumps(restored, sort_keys=True) == snapshot
    assert types(cool.cleared) == ["high_temperature"]


def test_quiet_pairs_are_dropped_after_their_cooldown() -> None:
    state = run([hot(NOW)]).state
    state = run([hot(at(1), 60.0)], state, at(1)).state
    assert "m1" in state  # the cooldown must be remembered
    assert run([hot(at(60), 60.0)], state, at(60)).state == {}


def test_disabled_type_raises_nothing_and_forgets_its_state() -> None:
    state = run([hot(NOW)]).state
    rows = default_alert_config_rows()
    for row in rows:
        if row["alert_type"] == "high_temperature":
            row["enabled"] = False
    disabled = settings_from_rows(rows)
    off = run([hot(at(1))], state, at(1), disabled)
    assert off.fired == []
    assert off.cleared == []
    assert off.state == {}


def test_temperature_limits_per_type_and_clear_margin() -> None:
    fleet = [
        miner("bitaxe", temperature=70.5),
        miner("nerd", miner_type="nerdqaxe", temperature=74.0),
        miner("avalon-ok", miner_type="avalon_nano", temperature=90.0),
        miner("avalon-hot", miner_type="avalon_nano", temperature=95.5),
        miner("cyd", miner_type="nmminer", temperature=0.0),  # no sensor
        miner("nan", temperature=float("nan")),
    ]
    result = run(fleet)
    assert sorted(e.miner_key for e in result.fired) == ["avalon-hot", "bitaxe"]
    # Cleared only 2 °C under the limit.
    hovering = run([miner("bitaxe", at(1), temperature=68.5)], result.state, at(1))
    assert hovering.cleared == []
    below = run([miner("bitaxe", at(2), temperature=67.9)], hovering.state, at(2))
    assert [e.miner_key for e in below.cleared] == ["bitaxe"]


# --------------------------------------------------------------- reject rate


def test_reject_rate_from_last_hour_deltas_not_lifetime() -> None:
    # Lifetime 50 % rejected, last hour 1 %: no alert (upstream: alert).
    history = [
        replace(s, shares_rejected=990 + i // 10)
        for i, s in enumerate(samples(accepted_per_min=10))
    ]
    assert history[0].shares_rejected == 990  # lifetime ~50 %
    assert run([miner(samples=history)]).fired == []


def test_reject_rate_across_a_reboot() -> None:
    before = samples(NOW - timedelta(minutes=31), minutes=29, rejected_per_min=1)
    after = [
        replace(s, shares_accepted=k * 9, shares_rejected=k)
        for k, s in enumerate(samples(minutes=30))
    ]
    result = run([miner(samples=before + after)])
    assert types(result.fired) == ["high_reject_rate"]
    data = result.fired[0].data
    assert data["reject_percent"] == pytest.approx(
        (29 + 30) / (290 + 270 + 59) * 100, abs=0.01
    )
    assert data["threshold_percent"] == 5


def test_reject_rate_needs_enough_shares() -> None:
    few = samples(accepted_per_min=0, rejected_per_min=0)
    few[-1] = replace(few[-1], shares_rejected=(few[-1].shares_rejected or 0) + 5)
    assert run([miner(samples=few)]).fired == []  # 5 of 5 rejected, too few


# -------------------------------------------------------------- low hashrate


def test_low_hashrate_fires_on_a_30_percent_drop() -> None:
    result = run([miner(samples=samples(low_since=5, low=650.0))])
    assert types(result.fired) == ["low_hashrate"]
    assert result.fired[0].data["current"] == pytest.approx(650)
    assert "GH/s" in result.fired[0].message
    mild = run([miner(samples=samples(low_since=5, low=750.0))])
    assert mild.fired == []


def test_one_low_reading_is_not_a_drop() -> None:
    blip = samples()
    blip[-1] = replace(blip[-1], hashrate=100.0)
    assert run([miner(samples=blip)]).fired == []


def test_low_hashrate_waits_20_minutes_after_a_mode_change() -> None:
    # Turbo → eco 10 minutes ago: lower hashrate is expected, not an alert.
    changed = miner(
        samples=samples(low_since=10), last_mode_change=NOW - timedelta(minutes=10)
    )
    assert run([changed]).fired == []
    # 25 min after the change only post-change samples form the average.
    later = miner(
        samples=samples(low_since=25), last_mode_change=NOW - timedelta(minutes=25)
    )
    assert run([later]).fired == []


def test_a_lasting_drop_does_not_clear_itself() -> None:
    state = run([miner(samples=samples(low_since=5))]).state
    hour = at(60)
    # An hour later the 1-h average is the low value itself.
    still = run([miner(now=hour, samples=samples(hour, low_since=65))], state, hour)
    assert still.cleared == []
    fixed = at(70)
    recovered = run(
        [miner(now=fixed, samples=samples(fixed, low_since=None))], still.state, fixed
    )
    assert types(recovered.cleared) == ["low_hashrate"]


# ------------------------------------------------- pool, strategy, blocks


def test_pool_failure_only_when_known_and_online() -> None:
    result = run(
        [
            miner("down", pool_connected=False),
            miner("unknown", pool_connected=None),
            miner("fine", pool_connected=True),
        ]
    )
    assert [(e.miner_key, e.alert_type.value) for e in result.fired] == [
        ("down", "pool_failure")
    ]


def test_strategy_error_after_three_refusals() -> None:
    assert run([miner(band_change_failures=2)]).fired == []
    third = run([miner(band_change_failures=3)])
    assert types(third.fired) == ["strategy_error"]
    assert "3 times" in third.fired[0].message
    ok = run([miner(now=at(5), band_change_failures=0)], third.state, at(5))
    assert types(ok.cleared) == ["strategy_error"]


def test_every_block_is_news() -> None:
    block = BlockInfo(
        difficulty=9.1e13, network_difficulty=8.8e13, coin="BCH", pool="solo"
    )
    first = run([miner(new_blocks=[block, block])])
    assert types(first.fired) == ["block_found", "block_found"]
    assert "BCH" in first.fired[0].message
    assert "91T" in first.fired[0].message
    again = run([miner(now=at(1), new_blocks=[block])], first.state, at(1))
    assert types(again.fired) == ["block_found"]  # no cooldown for blocks
    assert again.state == {}
