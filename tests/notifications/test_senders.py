"""Telegram and Discord senders against the fake servers, mode by mode."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from custom_components.home_miner_manager.notifications import (
    Message,
    send_discord,
    send_telegram,
)
from hmm_sim.notify_servers import FakeDiscordServer, FakeTelegramServer
from tests.notifications.common import (
    BOT_TOKEN,
    CHAT_ID,
    WEBHOOK_TOKEN,
    assert_no_secret,
)

MESSAGE = Message.titled("Miner <03 - Green> & co", "is at 80 °C", emoji="🌡️")


async def _telegram(
    session: aiohttp.ClientSession,
    server: FakeTelegramServer,
    *,
    token: str = BOT_TOKEN,
    html: str = MESSAGE.html,
    timeout_s: float = 10.0,
):  # type: ignore[no-untyped-def]
    return await send_telegram(
        session,
        bot_token=token,
        chat_id=CHAT_ID,
        html_text=html,
        base_url=server.base_url,
        timeout_s=timeout_s,
    )


async def test_telegram_success(
    session: aiohttp.ClientSession, telegram: FakeTelegramServer
) -> None:
    result = await _telegram(session, telegram)
    assert result.success
    assert result.error is None
    assert result.status == 200
    assert result.channel_type == "telegram"
    [request] = telegram.requests
    assert request.method == "POST"
    assert request.path == f"/bot{BOT_TOKEN}/sendMessage"
    assert request.body == {
        "chat_id": CHAT_ID,
        "text": "🌡️ <b>Miner &lt;03 - Green&gt; &amp; co</b>\nis at 80 °C",
        "parse_mode": "HTML",
    }
    assert telegram.sent == [request.body]


async def test_telegram_base_url_with_trailing_slash(
    session: aiohttp.ClientSession, telegram: FakeTelegramServer
) -> None:
    result = await send_telegram(
        session,
        bot_token=BOT_TOKEN,
        chat_id=CHAT_ID,
        html_text="hi",
        base_url=telegram.base_url + "/",
    )
    assert result.success
    assert telegram.requests[0].path == f"/bot{BOT_TOKEN}/sendMessage"


async def test_unescaped_html_is_refused_like_the_real_api(
    session: aiohttp.ClientSession, telegram: FakeTelegramServer
) -> None:
    # The fake checks HTML as the Bot API does, so escaping is really tested.
    result = await _telegram(session, telegram, html="Miner <03 - Green> & co")
    assert not result.success
    assert result.status == 400
    assert "can't parse entities" in (result.error or "")
    assert_no_secret(result.error)


async def test_long_html_is_cut_to_a_valid_message(
    session: aiohttp.ClientSession, telegram: FakeTelegramServer
) -> None:
    long = Message.titled("Title", "&<>" * 3000)
    result = await _telegram(session, telegram, html=long.html)
    assert result.success, result.error
    assert len(telegram.sent[0]["text"]) <= 4096


@pytest.mark.parametrize(
    ("mode", "status", "detail"),
    [
        ("4xx", 400, "chat not found"),
        ("5xx", 502, "Bad Gateway"),
        ("429", 429, "retry after 5"),
    ],
)
async def test_telegram_errors_are_reported_without_the_token(  # noqa: PLR0917  (pytest fixtures)
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    status: int,
    detail: str,
) -> None:
    telegram.mode = mode
    with caplog.at_level(logging.DEBUG):
        result = await _telegram(session, telegram)
    assert not result.success
    assert result.status == status
    assert detail in (result.error or "")
    # The fake quoted the request URL (token included) in its error body.
    assert "/bot***/sendMessage" in (result.error or "") or mode == "429"
    assert_no_secret(result.error)
    assert_no_secret(caplog.text)
    assert "Notification via telegram failed" in caplog.text


async def test_telegram_wrong_token(
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    other = "7123456789:AAHk3vQ9xZ-someOtherKey_99999999999999"
    result = await _telegram(session, telegram, token=other)
    assert result.status == 401
    assert "Unauthorized" in (result.error or "")
    assert other not in (result.error or "")
    assert other not in caplog.text


async def test_telegram_timeout(
    session: aiohttp.ClientSession,
    telegram: FakeTelegramServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    telegram.mode = "timeout"  # the server sleeps an hour
    result = await _telegram(session, telegram, timeout_s=0.3)
    assert not result.success
    assert result.status is None
    assert result.error == "timed out after 0.3 s"
    assert len(telegram.requests) == 1
    assert_no_secret(caplog.text)


async def test_telegram_connection_refused(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    server = FakeTelegramServer()
    await server.start()
    url = server.base_url
    await server.stop()  # nothing listens there now
    result = await send_telegram(
        session, bot_token=BOT_TOKEN, chat_id=CHAT_ID, html_text="x", base_url=url
    )
    assert not result.success
    assert result.error
    assert "Connect" in result.error
    assert_no_secret(result.error)


async def test_discord_success_204_and_200(
    session: aiohttp.ClientSession, discord: FakeDiscordServer, webhook_url: str
) -> None:
    result = await send_discord(
        session, webhook_url=webhook_url, content=MESSAGE.markdown
    )
    assert result.success
    assert result.status == 204
    [request] = discord.requests
    assert request.path.endswith(WEBHOOK_TOKEN)
    assert request.body["content"] == MESSAGE.markdown
    assert request.body["username"] == "Home Miner Manager"
    assert request.body["allowed_mentions"] == {"parse": []}
    waited = await send_discord(
        session, webhook_url=webhook_url + "?wait=true", content="x", username="HMM"
    )
    assert waited.success
    assert waited.status == 200
    assert discord.sent[1]["username"] == "HMM"


async def test_discord_long_content_is_cut(
    session: aiohttp.ClientSession, discord: FakeDiscordServer, webhook_url: str
) -> None:
    result = await send_discord(session, webhook_url=webhook_url, content="x" * 5000)
    assert result.success
    assert len(discord.sent[0]["content"]) == 2000


@pytest.mark.parametrize(
    ("mode", "status", "detail"),
    [
        ("4xx", 404, "Unknown Webhook"),
        ("5xx", 502, "Bad Gateway"),
        ("429", 429, "retry after 1.5 s"),
    ],
)
async def test_discord_errors_never_show_the_webhook(  # noqa: PLR0917  (pytest fixtures)
    session: aiohttp.ClientSession,
    discord: FakeDiscordServer,
    webhook_url: str,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    status: int,
    detail: str,
) -> None:
    discord.mode = mode
    with caplog.at_level(logging.DEBUG):
        result = await send_discord(session, webhook_url=webhook_url, content="x")
    assert not result.success
    assert result.status == status
    assert detail in (result.error or "")
    assert webhook_url not in (result.error or "")
    assert_no_secret(result.error)
    assert_no_secret(caplog.text)
    assert discord.sent == []


async def test_discord_timeout(
    session: aiohttp.ClientSession, discord: FakeDiscordServer, webhook_url: str
) -> None:
    discord.mode = "timeout"
    result = await send_discord(
        session, webhook_url=webhook_url, content="x", timeout_s=0.3
    )
    assert not result.success
    assert result.error == "timed out after 0.3 s"


async def test_discord_invalid_url_error_is_redacted(
    session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    # aiohttp puts the whole URL into InvalidURL's message.
    bad = f"discord.com/api/webhooks/1198765432109876543/{WEBHOOK_TOKEN}"
    result = await send_discord(session, webhook_url=bad, content="x")
    assert not result.success
    assert "Invalid" in (result.error or "")
    assert "***" in (result.error or "")
    assert_no_secret(result.error)
    assert_no_secret(caplog.text)


async def test_closed_session_is_a_failure_not_an_exception() -> None:
    session = aiohttp.ClientSession()
    await session.close()
    result = await send_discord(
        session, webhook_url="http://127.0.0.1:9/api/webhooks/1/x", content="x"
    )
    assert not result.success
    assert "closed" in (result.error or "").lower()
