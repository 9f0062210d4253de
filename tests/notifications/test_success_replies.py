"""A success status is not a delivery when the body says otherwise.

A local server answers with exactly the status and body each case needs:
Telegram's HTTP 200 ``{"ok": false}``, a proxy's 200 page, Discord's 200 with
an error object. Secrets stay out of every form of the result.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
import json
import logging

import aiohttp
from aiohttp import web
import pytest

from custom_components.home_miner_manager.notifications import (
    DiscordChannel,
    Message,
    TelegramChannel,
    log_records,
    send_all,
    send_discord,
    send_telegram,
)
from hmm_sim.web import LocalWebService
from tests.notifications.common import (
    BOT_TOKEN,
    CHAT_ID,
    WEBHOOK_ID,
    WEBHOOK_TOKEN,
    assert_no_secret,
)

PROXY_PAGE = "<html><body>Please log in to the captive portal</body></html>"


class CannedServer(LocalWebService):
    """Answers every POST with ``status`` and ``body`` (the request URL quoted)."""

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.body = ""
        self.content_type = "application/json"

    def _routes(self, app: web.Application) -> None:
        app.router.add_post("/{tail:.*}", self._answer)

    async def _answer(self, request: web.Request) -> web.Response:
        body = self.body.replace("{url}", str(request.url))
        if self.status == 204:
            return web.Response(status=204)
        return web.Response(
            status=self.status, text=body, content_type=self.content_type
        )


@pytest.fixture
async def server(socket_enabled: None) -> AsyncGenerator[CannedServer]:
    async with CannedServer() as canned:
        yield canned


@pytest.fixture
async def session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def _set(server: CannedServer, status: int, body: object, html: bool = False) -> None:
    server.status = status
    server.body = body if isinstance(body, str) else json.dumps(body)
    server.content_type = "text/html" if html else "application/json"


@pytest.mark.parametrize(
    ("status", "body", "html", "sent", "detail"),
    [
        (200, {"ok": True, "result": {"message_id": 1}}, False, True, None),
        # HTTP 200 but the Bot API says no: not sent.
        (200, {"ok": False, "error_code": 400,
               "description": "Bad Request: chat not found ({url})"},
         False, False, "chat not found"),
        (200, {"result": {"message_id": 1}}, False, False, "result"),  # no "ok"
        (200, PROXY_PAGE, True, False, "captive portal"),
        (200, "", False, False, "empty response"),
    ],
)  # fmt: skip
async def test_telegram_success_status_with_a_failure_body(  # noqa: PLR0917  (a table)
    session: aiohttp.ClientSession,
    server: CannedServer,
    caplog: pytest.LogCaptureFixture,
    status: int,
    body: object,
    html: bool,
    sent: bool,
    detail: str | None,
) -> None:
    _set(server, status, body, html)
    with caplog.at_level(logging.DEBUG):
        result = await send_telegram(
            session,
            bot_token=BOT_TOKEN,
            chat_id=CHAT_ID,
            html_text="hi",
            base_url=server.base_url,
        )
    assert result.success is sent
    if detail is not None:
        assert detail in (result.error or "")
        assert "/bot***/sendMessage" in (result.error or "") or "url" not in str(body)
    assert_no_secret(result.error)
    assert_no_secret(caplog.text)


@pytest.mark.parametrize(
    ("status", "body", "html", "sent", "detail"),
    [
        (204, "", False, True, None),
        (200, {"id": "1198", "content": "hi"}, False, True, None),  # ?wait=true
        # A 200 that carries Discord's error object is no delivery.
        (200, {"message": "Unknown Webhook ({url})", "code": 10015},
         False, False, "Unknown Webhook"),
        (200, PROXY_PAGE, True, False, "captive portal"),
        (200, "", False, False, "empty response"),
        (201, {"id": "1"}, False, False, "HTTP 201"),
    ],
)  # fmt: skip
async def test_discord_204_or_a_created_message_only(  # noqa: PLR0917  (a table)
    session: aiohttp.ClientSession,
    server: CannedServer,
    caplog: pytest.LogCaptureFixture,
    status: int,
    body: object,
    html: bool,
    sent: bool,
    detail: str | None,
) -> None:
    _set(server, status, body, html)
    url = f"{server.base_url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
    with caplog.at_level(logging.DEBUG):
        result = await send_discord(session, webhook_url=url, content="hi")
    assert result.success is sent
    assert result.status == status
    if detail is not None:
        assert detail in (result.error or "")
    assert_no_secret(result.error)
    assert_no_secret(caplog.text)


async def test_secrets_in_no_form_of_a_failed_attempt(
    session: aiohttp.ClientSession,
    server: CannedServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Error text, repr, log rows and log lines: never the token or the URL."""
    _set(server, 200, {"ok": False, "description": "Unauthorized: {url}"})
    url = f"{server.base_url}/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
    channels = [
        TelegramChannel(
            session, bot_token=BOT_TOKEN, chat_id=CHAT_ID, base_url=server.base_url
        ),
        DiscordChannel(session, webhook_url=url),
    ]
    message = Message.plain("hi")
    with caplog.at_level(logging.DEBUG):
        results = await send_all(channels, message)
    assert [r.success for r in results] == [False, False]
    for text in (
        *(repr(channel) for channel in channels),
        *(str(channel) for channel in channels),
        *(repr(result) for result in results),
        json.dumps(log_records(results, message), default=str),
        caplog.text,
    ):
        assert_no_secret(text)
