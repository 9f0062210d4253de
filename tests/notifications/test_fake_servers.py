"""The fake Telegram and Discord servers behave like the real APIs they stand for."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from hmm_sim.notify_servers import (
    FakeDiscordServer,
    FakeTelegramServer,
    telegram_html_problem,
)
from tests.notifications.common import BOT_TOKEN


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        FakeTelegramServer(mode="flaky")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<b>bold</b> &amp; &lt;tag&gt; &#39;", None),
        ('<a href="https://x">link</a><code>x</code>', None),
        ("a < b", "Unescaped"),
        ("fish & chips", "Unescaped"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>open", "Can't find end tag"),
        ("</i>", 'Unexpected end tag "i"'),
        ("&nbsp;", "Unsupported entity"),
    ],
)
def test_telegram_html_rules(text: str, problem: str | None) -> None:
    found = telegram_html_problem(text)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


async def _post(url: str, body: object) -> tuple[int, object]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as resp:
        payload = await resp.json() if resp.content_type == "application/json" else None
        return resp.status, payload


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"text": "hi"}, "chat_id is empty"),
        ({"chat_id": 1, "text": "  "}, "message text is empty"),
        ({"chat_id": 1, "text": "x" * 4097}, "message is too long"),
        ({"chat_id": 1, "text": "<x>", "parse_mode": "HTML"}, "can't parse entities"),
    ],
)
async def test_telegram_refuses_bad_requests(
    socket_enabled: None, body: dict[str, object], description: str
) -> None:
    async with FakeTelegramServer() as server:
        status, payload = await _post(
            f"{server.base_url}/bot{BOT_TOKEN}/sendMessage", body
        )
    assert status == 400
    assert isinstance(payload, dict)
    assert payload["ok"] is False
    assert description in payload["description"]
    assert server.sent == []
    assert len(server.requests) == 1


async def test_telegram_accepts_plain_text_without_parse_mode(
    socket_enabled: None,
) -> None:
    async with FakeTelegramServer() as server:
        url = f"{server.base_url}/bot{BOT_TOKEN}/sendMessage"
        status, payload = await _post(url, {"chat_id": 5, "text": "a < b & c"})
    assert status == 200
    assert isinstance(payload, dict)
    assert payload["result"]["chat"] == {"id": 5}
    assert server.requests[0].headers["Content-Type"] == "application/json"


async def test_discord_refuses_empty_content(socket_enabled: None) -> None:
    async with FakeDiscordServer() as server:
        status, payload = await _post(server.webhook_url(), {"content": ""})
    assert status == 400
    assert payload == {"message": "Invalid Form Body", "code": 50035}


async def test_a_hanging_request_ends_when_the_server_stops(
    socket_enabled: None,
) -> None:
    server = FakeDiscordServer(mode="timeout", hang_s=3600)
    await server.start()
    request = asyncio.create_task(_post(server.webhook_url(), {"content": "x"}))
    while server.in_flight == 0:
        await asyncio.sleep(0.01)
    await server.stop()
    with pytest.raises(aiohttp.ClientError):
        await request
    assert server.max_in_flight == 1
