"""Notifications: Telegram and Discord senders and a fan-out — no HA, no database.

Every sender takes the aiohttp session from the caller, base URLs as
arguments, a 10 s timeout by default, and reports a :class:`SendResult`
``(channel_type, success, error, status, elapsed_s)`` whose ``error`` never
contains the bot token or the webhook URL (nor its path or token part), even
when an exception or the server's reply quotes them. Log lines are redacted
the same way.

API:

* :class:`Message` — ``text`` (plain), ``html`` (Telegram), ``markdown``
  (Discord), ``alert_type``; ``Message.plain(text)``, ``Message.titled(title,
  body, emoji=...)``. :func:`format_alert` (AlertFired / AlertCleared) →
  Message, names and values escaped.
* :func:`send_telegram` ``(session, *, bot_token, chat_id, html_text,
  base_url, timeout_s)`` → ``POST {base}/bot{token}/sendMessage``
  ``{chat_id, text, parse_mode: "HTML"}``.
* :func:`send_discord` ``(session, *, webhook_url, content, username,
  timeout_s)`` → ``POST {webhook_url}`` ``{content, username}``; sent = 204,
  or 200 with the created message. A success status whose body says
  otherwise (Telegram ``"ok": false``, an error object, a proxy's page) is a
  failure.
* :class:`Channel` — the protocol of a destination (``channel_type``,
  ``secrets``, ``async send(message) -> SendResult``). :class:`TelegramChannel`
  and :class:`DiscordChannel` implement it; the HA glue implements it for
  ``ha_notify``. :func:`channels_from_config` builds channels from
  ``NotificationConfig``-like rows.
* :func:`send_all` ``(channels, message, *, timeout_s)`` — concurrent fan-out,
  one result per channel, each under its own timeout, never raises.
  :func:`notify_alert` ``(channels, event)`` formats and sends an alert to the
  channels its settings name. :func:`log_records` → ``NotificationLog`` rows.
* :func:`redact` / :class:`Redactor` — mask secrets in any text.
"""

from __future__ import annotations

from .channels import (
    DEFAULT_TIMEOUT_S,
    TELEGRAM_API,
    Channel,
    DiscordChannel,
    SendResult,
    TelegramChannel,
    channels_from_config,
    send_discord,
    send_telegram,
)
from .fanout import channels_for, log_records, notify_alert, send_all
from .message import Message, escape_html, escape_markdown, format_alert
from .redact import Redactor, redact

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "TELEGRAM_API",
    "Channel",
    "DiscordChannel",
    "Message",
    "Redactor",
    "SendResult",
    "TelegramChannel",
    "channels_for",
    "channels_from_config",
    "escape_html",
    "escape_markdown",
    "format_alert",
    "log_records",
    "notify_alert",
    "redact",
    "send_all",
    "send_discord",
    "send_telegram",
]
