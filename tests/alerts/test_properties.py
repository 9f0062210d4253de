"""The fire/clear/cooldown rules hold for any sequence of conditions and times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st

from custom_components.home_miner_manager.alerts import (
    AlertState,
    MinerState,
    default_alert_config_rows,
    evaluate,
    settings_from_rows,
)

START = datetime(2026, 2, 1, tzinfo=UTC)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=150), st.booleans()),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([0, 1, 15, 60]),
)
def test_fire_and_clear_follow_the_rules(
    steps: list[tuple[int, bool]], cooldown: int
) -> None:
    rows = default_alert_config_rows()
    for row in rows:
        row["config"]["cooldown_minutes"] = cooldown
    config = settings_from_rows(rows)
    state: AlertState = {}
    now = START
    last_event: str | None = None
    last_fired: datetime | None = None
    for minutes, refused in steps:
        now += timedelta(minutes=minutes)
        miner = MinerState(
            key="m",
            name="m",
            miner_type="bitaxe",
            last_seen=now,
            band_change_failures=3 if refused else 0,
        )
        result = evaluate([miner], config, state, now)
        state = result.state
        fired, cleared = len(result.fired), len(result.cleared)
        if refused:
            assert cleared == 0
            due = last_fired is None or now - last_fired >= timedelta(minutes=cooldown)
            assert fired == (1 if last_event != "fired" and due else 0)
        else:
            assert fired == 0
            assert cleared == (1 if last_event == "fired" else 0)
        if fired:
            last_event, last_fired = "fired", now
        elif cleared:
            last_event = "cleared"
