"""Fake Telegram Bot API and Discord webhook servers for tests and benchmarks.

Real aiohttp servers on 127.0.0.1 (port 0 = a free port) that record every
request and answer the way the real services do in four modes:

* ``success`` — Telegram ``200 {"ok": true, ...}``, Discord ``204`` (``200`` +
  message JSON with ``?wait=true``);
* ``4xx`` — Telegram ``400 chat not found`` (``401`` for a wrong token),
  Discord ``404 Unknown Webhook``;
* ``5xx`` — ``502 Bad Gateway`` with an HTML body, as a proxy sends it;
* ``timeout`` — sleep ``hang_s`` (longer than any client timeout) first;
* ``429`` — rate limited, with ``retry_after``.

``latency`` (s) delays every answer. Telegram checks ``parse_mode: "HTML"``
text the way the Bot API does (known tags and entities only), so unescaped
text fails like it would for real. ``echo_path_in_errors`` makes error
bodies quote the request URL, to test that clients redact secrets.

    async with FakeTelegramServer(valid_token="123:abc") as tg:
        tg.base_url                       # http://127.0.0.1:PORT
    async with FakeDiscordServer() as dc:
        dc.webhook_url("42", "s3cret")    # http://127.0.0.1:PORT/api/webhooks/42/s3cret
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import html.parser
import json
import time
from typing import Any

from aiohttp import web

from .web import LocalWebService

MODES = ("success", "4xx", "5xx", "timeout", "429")
BAD_GATEWAY = (
    "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
)
# Tags the Telegram Bot API accepts with parse_mode HTML.
TELEGRAM_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    ]
)


@dataclass(slots=True)
class RecordedRequest:
    """One request as received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any  # parsed JSON, else text
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeNotifyServer(LocalWebService):
    """Shared plumbing: lifecycle, recording, latency, modes."""

    def __init__(
        self,
        *,
        mode: str = "success",
        latency: float = 0.0,
        hang_s: float = 60.0,
        echo_path_in_errors: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """Configure; nothing listens until :meth:`start`."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        self.latency = latency
        self.hang_s = hang_s
        self.echo_path_in_errors = echo_path_in_errors
        super().__init__(host=host, port=port)
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0  # how many requests were ever handled at once

    def _application(self) -> web.Application:
        return web.Application(middlewares=[self._middleware])

    def _error_text(self, request: web.Request, text: str) -> str:
        return f"{text} ({request.url})" if self.echo_path_in_errors else text

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Any
    ) -> web.StreamResponse:
        raw = await request.read() if request.can_read_body else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        self.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                dict(request.query),
                body,
                dict(request.headers),
            )
        )
        request["body"] = body
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            if self.mode == "timeout":
                await asyncio.sleep(self.hang_s)
            if self.mode == "5xx":
                return web.Response(
                    status=502,
                    text=self._error_text(request, BAD_GATEWAY),
                    content_type="text/html",
                )
            response: web.StreamResponse = await handler(request)
            return response
        finally:
            self.in_flight -= 1


class FakeTelegramServer(FakeNotifyServer):
    """``POST /bot{token}/sendMessage`` of the Telegram Bot API."""

    def __init__(self, *, valid_token: str | None = None, **kwargs: Any) -> None:
        """``valid_token``: answer 401 to any other token (None: accept all)."""
        super().__init__(**kwargs)
        self.valid_token = valid_token
        self.sent: list[dict[str, Any]] = []  # accepted messages
        self._next_id = 1

    def _routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/sendMessage", self._send_message)

    def _fail(
        self, request: web.Request, status: int, description: str
    ) -> web.Response:
        payload = {
            "ok": False,
            "error_code": status,
            "description": self._error_text(request, description),
        }
        return web.json_response(payload, status=status)

    async def _send_message(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if self.valid_token is not None and token != self.valid_token:
            return self._fail(request, 401, "Unauthorized")
        if self.mode == "4xx":
            return self._fail(request, 400, "Bad Request: chat not found")
        if self.mode == "429":
            payload = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 5",
                "parameters": {"retry_after": 5},
            }
            return web.json_response(payload, status=429)
        body = request["body"]
        if not isinstance(body, dict) or not body.get("chat_id"):
            return self._fail(request, 400, "Bad Request: chat_id is empty")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return self._fail(request, 400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return self._fail(request, 400, "Bad Request: message is too long")
        if body.get("parse_mode") == "HTML":
            problem = telegram_html_problem(text)
            if problem:
                return self._fail(
                    request, 400, f"Bad Request: can't parse entities: {problem}"
                )
        message_id, self._next_id = self._next_id, self._next_id + 1
        self.sent.append(body)
        result = {
            "message_id": message_id,
            "chat": {"id": body["chat_id"]},
            "date": int(time.time()),
            "text": text,
        }
        return web.json_response({"ok": True, "result": result})


class _TelegramHtmlCheck(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problem: str | None = None
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problem = self.problem or f'Unsupported start tag "{tag}"'
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problem = self.problem or f'Unexpected end tag "{tag}"'

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.problem = self.problem or f'Unsupported entity "&{name};"'

    def handle_data(self, data: str) -> None:
        # A bare "<" or "&" that the parser passed through as text.
        if "<" in data or "&" in data:
            self.problem = self.problem or "Unescaped '<' or '&'"


def telegram_html_problem(text: str) -> str | None:
    """Return why the Bot API would refuse this HTML text, or None."""
    check = _TelegramHtmlCheck()
    check.feed(text)
    check.close()
    if check.problem:
        return check.problem
    if check.open:
        return f'Can\'t find end tag corresponding to start tag "{check.open[-1]}"'
    return None


class FakeDiscordServer(FakeNotifyServer):
    """``POST /api/webhooks/{id}/{token}`` of the Discord API."""

    def __init__(self, **kwargs: Any) -> None:
        """See :class:`FakeNotifyServer`."""
        super().__init__(**kwargs)
        self.sent: list[dict[str, Any]] = []

    def webhook_url(self, webhook_id: str = "1234567890", token: str = "tok") -> str:  # noqa: S107 (a fake)
        """Return a webhook URL on this server."""
        return f"{self.base_url}/api/webhooks/{webhook_id}/{token}"

    def _routes(self, app: web.Application) -> None:
        app.router.add_post("/api/webhooks/{id}/{token}", self._execute)

    def _fail(
        self, request: web.Request, status: int, message: str, code: int
    ) -> web.Response:
        payload = {"message": self._error_text(request, message), "code": code}
        return web.json_response(payload, status=status)

    async def _execute(self, request: web.Request) -> web.Response:
        if self.mode == "4xx":
            return self._fail(request, 404, "Unknown Webhook", 10015)
        if self.mode == "429":
            payload = {
                "message": "You are being rate limited.",
                "retry_after": 1.5,
                "global": False,
            }
            return web.json_response(payload, status=429)
        body = request["body"]
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, str) or not content.strip() or len(content) > 2000:
            return self._fail(request, 400, "Invalid Form Body", 50035)
        self.sent.append(body)
        if request.query.get("wait") == "true":
            return web.json_response({"id": str(len(self.sent)), "content": content})
        return web.Response(status=204)
