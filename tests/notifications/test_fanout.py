"""Fan-out: every channel at once, one result per attempt, nothing blocks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import logging

import aiohttp
import pytest

from custom_components.home_miner_manager.alerts import (
    AlertFired,
    AlertType,
    MinerState,
    default_alert_config_rows,
    evaluate,
    settings_from_rows,
)
from custom_components.home_miner_manager.notifications import (
    Channel,
    DiscordChannel,
    Message,
    SendResult,
    TelegramChannel,
    channels_from_config,
    log_records,
    notify_alert,
    send_all,
)
from hmm_sim.notify_servers import FakeDiscordServer, FakeTelegramServer
from tests.notifications.common import (
    BOT_TOKEN,
    CHAT_ID,
    WEBHOOK_TOKEN,
    assert_no_secret,
)

NOW = datetime(2026, 2, 1, 12, tzinfo=UTC)


class HaNotify:
    """What the HA glue will do for ha_notify, minus Home Assistant."""

    channel_type = "ha_notify"
    secrets: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def send(self, message: Message) -> SendResult:
        self.texts.append(message.text)
        return SendResult("ha_notify", True)


class Exploding:
    """A channel whose exception message carries its secret."""

    channel_type = "custom"
    secrets = ("hunter2-very-secret",)

    async def send(self, message: Message) -> SendResult:
        raise RuntimeError("boom at https://x/hunter2-very-secret")


class Hanging:
    """A channel that ignores every timeout of its own."""

    channel_type = "hanging"
    secrets: tuple[str, ...] = ()

    async def send(self, message: Message) -> SendResult:
        await asyncio.sleep(3600)
        return SendResult("hanging", True)  # pragma: no cover


def _channels(
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    webhook_url: str,
    timeout_s: float = 10.0,
) -> list[Channel]:
    return [
        TelegramChannel(
            session,
            bot_token=BOT_TOKEN,
            chat_id=CHAT_ID,
            base_url=telegram.base_url,
            timeout_s=timeout_s,
        ),
        DiscordChannel(session, webhook_url=webhook_url, timeout_s=timeout_s),
    ]


def test_channel_protocol_is_satisfied() -> None:
    assert isinstance(HaNotify(), Channel)
    assert isinstance(Exploding(), Channel)


async def test_all_channels_at_once(
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    discord: FakeDiscordServer,
    webhook_url: str,
) -> None:
    # Two webhooks on one slow server: both are in flight at once only if
    # the fan-out is concurrent.
    discord.latency = 0.3
    ha = HaNotify()
    second = DiscordChannel(session, webhook_url=discord.webhook_url("2", "x" * 20))
    channels = [*_channels(session, telegram, webhook_url), second, ha]
    message = Message.titled("Block found!", "Miner 1 found a block.", emoji="🎉")
    results = await send_all(channels, message)
    assert [r.channel_type for r in results] == [
        "telegram",
        "discord",
        "discord",
        "ha_notify",
    ]
    assert all(r.success for r in results)
    assert ha.texts == [message.text]
    assert telegram.sent[0]["text"] == message.html
    assert discord.sent == [discord.sent[0]] * 2
    assert discord.sent[0]["content"] == message.markdown
    assert discord.max_in_flight == 2


async def test_many_messages_run_concurrently(
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    discord: FakeDiscordServer,
    webhook_url: str,
) -> None:
    telegram.latency = discord.latency = 0.3
    channels = _channels(session, telegram, webhook_url)
    batches = await asyncio.gather(
        *(send_all(channels, Message.plain(f"alert {i}")) for i in range(20))
    )
    assert all(r.success for batch in batches for r in batch)
    assert len(telegram.sent) == 20
    assert len(discord.sent) == 20
    assert telegram.max_in_flight == 20
    assert discord.max_in_flight == 20


@pytest.mark.parametrize("mode", ["4xx", "5xx", "timeout", "429"])
async def test_one_failing_channel_breaks_nothing(  # noqa: PLR0917  (pytest fixtures)
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    discord: FakeDiscordServer,
    webhook_url: str,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    telegram.mode = mode
    ha = HaNotify()
    channels = [
        *_channels(session, telegram, webhook_url, timeout_s=0.5),
        Exploding(),
        Hanging(),
        ha,
    ]
    with caplog.at_level(logging.DEBUG):
        results = await send_all(channels, Message.plain("hello"), timeout_s=0.5)
    assert [r.channel_type for r in results] == [
        "telegram",
        "discord",
        "custom",
        "hanging",
        "ha_notify",
    ]
    assert [r.success for r in results] == [False, True, False, False, True]
    assert results[2].error == "RuntimeError: boom at https://x/***"
    assert results[3].error == "timed out after 0.5 s"
    assert len(discord.sent) == 1
    assert ha.texts == ["hello"]
    for result in results:
        assert_no_secret(result.error)
        assert "hunter2-very-secret" not in (result.error or "")
    assert_no_secret(caplog.text)
    assert "hunter2-very-secret" not in caplog.text
    records = log_records(results, Message.plain("hello", "pool_failure"))
    assert len(records) == 5
    for record in records:
        assert set(record) == {
            "channel_type",
            "alert_type",
            "message",
            "success",
            "error",
        }
        assert record["alert_type"] == "pool_failure"
        assert_no_secret(record["error"])


async def test_nothing_to_send_to() -> None:
    assert await send_all([], Message.plain("x")) == []


def test_log_records_fit_the_columns() -> None:
    results = [
        SendResult("telegram", False, "e" * 800),
        SendResult("discord", True),
    ]
    message = Message.plain("m" * 3000, "block_found")
    records = log_records(results, message, at=NOW)
    assert len(records[0]["message"]) == 1000
    assert len(records[0]["error"]) == 500
    assert records[1]["error"] is None
    assert records[1]["success"] is True
    assert records[0]["timestamp"] == NOW


async def test_alert_goes_to_the_channels_its_settings_name(
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    discord: FakeDiscordServer,
    webhook_url: str,
) -> None:
    rows = default_alert_config_rows()
    for row in rows:
        row["config"]["channels"] = ["discord"]
    fired = evaluate(
        [
            MinerState(
                key="1",
                name="Bitaxe <Gamma> & Co",
                miner_type="bitaxe",
                last_seen=NOW,
                temperature=81.5,
            )
        ],
        settings_from_rows(rows),
        {},
        NOW,
    ).fired
    assert [e.alert_type for e in fired] == [AlertType.HIGH_TEMPERATURE]
    message, results = await notify_alert(
        [*_channels(session, telegram, webhook_url), HaNotify()], fired[0]
    )
    assert [r.channel_type for r in results] == ["discord"]
    assert results[0].success
    assert telegram.requests == []
    assert discord.sent[0]["content"] == message.markdown
    assert "Bitaxe <Gamma\\> & Co" in message.markdown
    assert message.alert_type == "high_temperature"


async def test_block_found_reaches_telegram_as_valid_html(
    session: aiohttp.ClientSession, telegram: FakeTelegramServer
) -> None:
    event = AlertFired(
        AlertType.BLOCK_FOUND,
        "1",
        "<script>&",
        "Block found!",
        "<script>& found a block (BTC on solo.ckpool.org).",
        {},
        ("telegram",),
        NOW,
    )
    channel = TelegramChannel(
        session, bot_token=BOT_TOKEN, chat_id=CHAT_ID, base_url=telegram.base_url
    )
    _, results = await notify_alert([channel], event)
    assert results[0].success, results[0].error
    assert telegram.sent[0]["text"].startswith(
        "🎉 <b>Block found!</b>\n&lt;script&gt;&amp;"
    )


def test_channels_from_config_rows() -> None:
    # A session object is only stored, never used, by the constructors.
    session = object()
    rows = [
        {
            "channel_type": "telegram",
            "enabled": True,
            "config": {"bot_token": BOT_TOKEN, "chat_id": CHAT_ID},
        },
        {
            "channel_type": "discord",
            "enabled": True,
            "config": {
                "webhook_url": f"https://discord.com/api/webhooks/1/{WEBHOOK_TOKEN}",
                "username": "HMM",
            },
        },
        {
            "channel_type": "discord",
            "enabled": False,
            "config": {"webhook_url": "https://x/y"},
        },
        {
            "channel_type": "telegram",
            "enabled": True,
            "config": {"bot_token": BOT_TOKEN},
        },
        {
            "channel_type": "ha_notify",
            "enabled": True,
            "config": {"service": "notify.phone"},
        },
        {"channel_type": "discord", "enabled": True, "config": None},
    ]
    channels = channels_from_config(session, rows)  # type: ignore[arg-type]
    assert [c.channel_type for c in channels] == ["telegram", "discord"]
    for channel in channels:
        assert_no_secret(repr(channel))
        assert isinstance(channel, Channel)
    assert channels[0].secrets == (BOT_TOKEN,)
