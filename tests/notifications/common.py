"""Secrets shaped like real ones, and the check that they never leak."""

from __future__ import annotations

from urllib.parse import quote

# "<bot id>:<key>", as BotFather hands them out.
BOT_TOKEN = "7123456789:AAHk3vQ9xZ-secretBotKey_0123456789abcd"
BOT_KEY = BOT_TOKEN.split(":", 1)[1]
WEBHOOK_ID = "1198765432109876543"
WEBHOOK_TOKEN = (
    "Zq8-webhookSecretToken_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"
)
WEBHOOK_PATH = f"/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
CHAT_ID = -1001234567890


def assert_no_secret(text: str | None) -> None:
    """Fail if any form of the bot token or webhook token is in ``text``."""
    if text is None:
        return
    for secret in (BOT_TOKEN, BOT_KEY, WEBHOOK_TOKEN, WEBHOOK_PATH):
        for form in (secret, quote(secret, safe=""), quote(secret, safe="/")):
            assert form not in text, f"secret leaked: {text!r}"
