"""Alert messages in text, Telegram HTML and Discord Markdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.home_miner_manager.alerts import (
    AlertCleared,
    AlertEvent,
    AlertFired,
    AlertType,
    BlockInfo,
    MinerState,
    default_alert_config_rows,
    evaluate,
    settings_from_rows,
)
from custom_components.home_miner_manager.health import Sample
from custom_components.home_miner_manager.notifications import (
    Message,
    escape_markdown,
    format_alert,
)
from custom_components.home_miner_manager.notifications.message import truncate_html
from hmm_sim.notify_servers import telegram_html_problem

NOW = datetime(2026, 2, 1, 12, tzinfo=UTC)
NAME = "03 - <Green> & *Co*"


def every_event() -> list[AlertEvent]:
    """Fire every alert type for one miner, then clear them all."""
    rows = default_alert_config_rows()
    settings_ = settings_from_rows(rows)
    history = [
        Sample(
            timestamp=NOW - timedelta(minutes=i),
            hashrate=400.0 if i < 3 else 1000.0,
            shares_accepted=10_000 - 10 * i,
            shares_rejected=1_000 - 2 * i,
        )
        for i in range(60, -1, -1)
    ]
    sick = MinerState(
        key="1",
        name=NAME,
        miner_type="bitaxe",
        last_seen=NOW,
        temperature=80.0,
        samples=history,
        pool_connected=False,
        band_change_failures=3,
        new_blocks=[
            BlockInfo(difficulty=1.2e14, network_difficulty=1.1e14, coin="BTC")
        ],
    )
    first = evaluate([sick], settings_, {}, NOW)
    offline = MinerState(key="2", name=NAME, miner_type="bitaxe", last_seen=None)
    down = evaluate([offline], settings_, {}, NOW)
    later = NOW + timedelta(minutes=5)
    healthy = MinerState(
        key="1",
        name=NAME,
        miner_type="bitaxe",
        last_seen=later,
        temperature=50.0,
        samples=[
            Sample(
                timestamp=later - timedelta(minutes=i),
                hashrate=1000.0,
                shares_accepted=500 - 10 * i,
                shares_rejected=7,
            )
            for i in range(10, -1, -1)
        ],
        pool_connected=True,
    )
    healed = evaluate([healthy], settings_, first.state, later)
    back = evaluate(
        [MinerState(key="2", name=NAME, miner_type="bitaxe", last_seen=later)],
        settings_,
        down.state,
        later,
    )
    return [*first.fired, *down.fired, *healed.cleared, *back.cleared]


def test_every_alert_type_fires_and_clears() -> None:
    events = every_event()
    fired = {e.alert_type for e in events if isinstance(e, AlertFired)}
    cleared = {e.alert_type for e in events if isinstance(e, AlertCleared)}
    assert fired == set(AlertType)
    assert cleared == set(AlertType) - {AlertType.BLOCK_FOUND}


@pytest.mark.parametrize(
    "event", every_event(), ids=lambda e: f"{e.kind}-{e.alert_type}"
)
def test_formats_are_escaped_and_valid(event: AlertEvent) -> None:
    message = format_alert(event)
    assert message.alert_type == event.alert_type.value
    assert NAME in message.text
    assert event.title in message.text
    assert telegram_html_problem(message.html) is None
    assert "&lt;Green&gt; &amp;" in message.html
    assert message.html.split("\n")[0].endswith(f"<b>{event.title}</b>")
    assert escape_markdown(NAME) in message.markdown
    assert "\\*Co\\*" in message.markdown
    if event.kind == "cleared":
        assert message.text.startswith("✅")
    else:
        assert not message.text.startswith("✅")


def test_plain_message_forms() -> None:
    message = Message.plain("a < b & c")
    assert message.text == "a < b & c"
    assert message.html == "a &lt; b &amp; c"
    assert message.alert_type == "custom"


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=3000), st.integers(min_value=20, max_value=4096))
def test_cut_html_stays_valid_and_short(text: str, limit: int) -> None:
    html = Message.titled("Title & co", text).html
    cut = truncate_html(html, limit)
    assert len(cut) <= limit
    assert telegram_html_problem(cut) is None
    if len(html) <= limit:
        assert cut == html
