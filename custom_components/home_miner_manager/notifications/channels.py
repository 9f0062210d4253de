"""Telegram and Discord senders, and the Channel protocol every sender follows."""

from __future__ import annotations

from dataclasses import dataclass
import json
import logging
import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import aiohttp

from .message import (
    DISCORD_LIMIT,
    LOG_ERROR_LIMIT,
    TELEGRAM_LIMIT,
    Message,
    truncate,
    truncate_html,
)
from .redact import Redactor

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_LOGGER = logging.getLogger(__name__)

TELEGRAM_API = "https://api.telegram.org"
DEFAULT_TIMEOUT_S = 10.0
DISCORD_USERNAME = "Home Miner Manager"
HTTP_NO_CONTENT = 204
# An error body is quoted only this far: enough for "Bad Request: chat not found".
_BODY_EXCERPT = 200


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one attempt on one channel (one notification_log row).

    ``error`` never contains the channel's secrets (bot token, webhook URL).
    """

    channel_type: str
    success: bool
    error: str | None = None
    status: int | None = None  # HTTP status, when there was a response
    elapsed_s: float = 0.0


@runtime_checkable
class Channel(Protocol):
    """A destination for notifications.

    The HA glue implements this for ``ha_notify`` (calling a notify service
    with ``message.text``); ``secrets`` lists strings its results must never
    contain (may be empty). ``send`` should not raise; :func:`send_all`
    copes if it does, and bounds it with its own timeout.
    """

    @property
    def channel_type(self) -> str:
        """Return "telegram", "discord", "ha_notify", ..."""

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return what must never appear in a result or a log line."""

    async def send(self, message: Message) -> SendResult:
        """Send one message and report how it went."""


def failure(
    channel_type: str,
    error: str,
    secrets: Iterable[str],
    *,
    status: int | None = None,
    started: float | None = None,
) -> SendResult:
    """Build a failed result with its error redacted, cut and logged."""
    text = truncate(Redactor(secrets)(error), LOG_ERROR_LIMIT)
    _LOGGER.warning("Notification via %s failed: %s", channel_type, text)
    elapsed = time.monotonic() - started if started is not None else 0.0
    return SendResult(channel_type, False, text, status, round(elapsed, 3))


def describe_exception(err: BaseException, timeout_s: float) -> str:
    """Return a short error text for an exception (still to be redacted)."""
    if isinstance(err, TimeoutError):
        return f"timed out after {timeout_s:g} s"
    detail = str(err)
    return f"{type(err).__name__}: {detail}" if detail else type(err).__name__


async def _post(
    channel_type: str,
    session: aiohttp.ClientSession,
    url: str,
    payload: dict[str, Any],
    *,
    secrets: tuple[str, ...],
    timeout_s: float,
    ok_statuses: tuple[int, ...],
) -> SendResult:
    started = time.monotonic()
    try:
        async with session.post(
            url, json=payload, timeout=aiohttp.ClientTimeout(total=timeout_s)
        ) as response:
            status = response.status
            body = await response.text(errors="replace")
    except (TimeoutError, aiohttp.ClientError, ValueError, RuntimeError) as err:
        # ValueError: a malformed URL; RuntimeError: a closed session.
        return failure(
            channel_type, describe_exception(err, timeout_s), secrets, started=started
        )
    if status in ok_statuses and _api_ok(channel_type, status, body):
        elapsed = round(time.monotonic() - started, 3)
        return SendResult(channel_type, True, None, status, elapsed)
    return failure(
        channel_type,
        f"HTTP {status}: {_error_detail(body)}",
        secrets,
        status=status,
        started=started,
    )


def _api_ok(channel_type: str, status: int, body: str) -> bool:
    """Whether a reply with a success status really is a delivery.

    Telegram always answers ``{"ok": ...}``: ``"ok": false`` (or a 200 that
    is not its JSON, such as a proxy's page) is a failure. Discord answers 204
    without a body, or 200 with the message it created (``?wait=true``); a
    200 carrying an error object or an HTML page is a failure.
    """
    if channel_type == "telegram":
        parsed = _json(body)
        return isinstance(parsed, dict) and parsed.get("ok") is True
    if channel_type == "discord" and status != HTTP_NO_CONTENT:
        parsed = _json(body)
        return isinstance(parsed, dict) and "id" in parsed and "code" not in parsed
    return True


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _error_detail(body: str) -> str:
    parsed = _json(body)
    if isinstance(parsed, dict):
        # Telegram: "description"; Discord: "message" (+ "retry_after" on 429).
        detail = parsed.get("description") or parsed.get("message")
        if detail:
            retry = parsed.get("retry_after") or (parsed.get("parameters") or {}).get(
                "retry_after"
            )
            suffix = (
                f" (retry after {retry} s)"
                if retry and "retry after" not in str(detail).lower()
                else ""
            )
            return truncate(str(detail), _BODY_EXCERPT) + suffix
    text = " ".join(body.split())
    return truncate(text, _BODY_EXCERPT) if text else "empty response"


async def send_telegram(
    session: aiohttp.ClientSession,
    *,
    bot_token: str,
    chat_id: str | int,
    html_text: str,
    base_url: str = TELEGRAM_API,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> SendResult:
    """``POST {base_url}/bot{token}/sendMessage`` with HTML text (escaped already)."""
    url = f"{base_url.rstrip('/')}/bot{bot_token}/sendMessage"
    payload = {
        "chat_id": chat_id,
        "text": truncate_html(html_text, TELEGRAM_LIMIT),
        "parse_mode": "HTML",
    }
    return await _post(
        "telegram",
        session,
        url,
        payload,
        secrets=(bot_token,),
        timeout_s=timeout_s,
        ok_statuses=(200,),
    )


async def send_discord(
    session: aiohttp.ClientSession,
    *,
    webhook_url: str,
    content: str,
    username: str = DISCORD_USERNAME,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> SendResult:
    """``POST {webhook_url}`` with Markdown content.

    Sent: 204, or 200 with the created message (``?wait=true``).
    """
    payload = {
        "content": truncate(content, DISCORD_LIMIT),
        "username": username,
        # Nobody gets pinged by a miner name like "@everyone".
        "allowed_mentions": {"parse": []},
    }
    return await _post(
        "discord",
        session,
        webhook_url,
        payload,
        secrets=(webhook_url,),
        timeout_s=timeout_s,
        ok_statuses=(200, 204),
    )


class TelegramChannel:
    """A Telegram chat, reached through a bot."""

    channel_type = "telegram"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        bot_token: str,
        chat_id: str | int,
        base_url: str = TELEGRAM_API,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        """Keep the session and credentials for later sends."""
        self._session = session
        self._token = bot_token
        self._chat_id = chat_id
        self._base_url = base_url
        self.timeout_s = timeout_s

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the bot token."""
        return (self._token,)

    def __repr__(self) -> str:
        """Leave the token out."""
        return f"TelegramChannel(chat_id={self._chat_id!r})"

    async def send(self, message: Message) -> SendResult:
        """Send the HTML form of ``message``."""
        return await send_telegram(
            self._session,
            bot_token=self._token,
            chat_id=self._chat_id,
            html_text=message.html,
            base_url=self._base_url,
            timeout_s=self.timeout_s,
        )


class DiscordChannel:
    """A Discord channel, reached through a webhook."""

    channel_type = "discord"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        webhook_url: str,
        username: str = DISCORD_USERNAME,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        """Keep the session and webhook URL for later sends."""
        self._session = session
        self._url = webhook_url
        self._username = username
        self.timeout_s = timeout_s

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the webhook URL (its path holds the token)."""
        return (self._url,)

    def __repr__(self) -> str:
        """Leave the URL out."""
        return "DiscordChannel()"

    async def send(self, message: Message) -> SendResult:
        """Send the Markdown form of ``message``."""
        return await send_discord(
            self._session,
            webhook_url=self._url,
            content=message.markdown,
            username=self._username,
            timeout_s=self.timeout_s,
        )


def channels_from_config(
    session: aiohttp.ClientSession,
    rows: Iterable[Mapping[str, Any]],
    *,
    telegram_base_url: str = TELEGRAM_API,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[Channel]:
    """Build channels from ``NotificationConfig``-like rows.

    Each row: ``channel_type``, ``enabled``, ``config`` — telegram
    ``{bot_token, chat_id}``, discord ``{webhook_url[, username]}``. Disabled,
    incomplete and other types (``ha_notify`` is the glue's) are skipped.
    """
    channels: list[Channel] = []
    for row in rows:
        config = row.get("config")
        if not row.get("enabled", True) or not isinstance(config, dict):
            continue
        kind = row.get("channel_type")
        if kind == "telegram" and config.get("bot_token") and config.get("chat_id"):
            channels.append(
                TelegramChannel(
                    session,
                    bot_token=str(config["bot_token"]),
                    chat_id=config["chat_id"],
                    base_url=telegram_base_url,
                    timeout_s=timeout_s,
                )
            )
        elif kind == "discord" and config.get("webhook_url"):
            channels.append(
                DiscordChannel(
                    session,
                    webhook_url=str(config["webhook_url"]),
                    username=str(config.get("username") or DISCORD_USERNAME),
                    timeout_s=timeout_s,
                )
            )
    return channels
