"""One notification in the three forms the channels need: text, HTML, Markdown."""

from __future__ import annotations

from dataclasses import dataclass
import html
import re
from typing import TYPE_CHECKING

from ..alerts import AlertType

if TYPE_CHECKING:
    from ..alerts import AlertEvent

TELEGRAM_LIMIT = 4096  # characters of message text
DISCORD_LIMIT = 2000  # characters of webhook content
LOG_MESSAGE_LIMIT = 1000  # NotificationLog.message
LOG_ERROR_LIMIT = 500  # NotificationLog.error

EMOJI: dict[AlertType, str] = {
    AlertType.MINER_OFFLINE: "🔴",
    AlertType.HIGH_TEMPERATURE: "🌡️",
    AlertType.HIGH_REJECT_RATE: "⚠️",
    AlertType.LOW_HASHRATE: "📉",
    AlertType.POOL_FAILURE: "🔌",
    AlertType.BLOCK_FOUND: "🎉",
    AlertType.STRATEGY_ERROR: "⚙️",
}
CLEARED_EMOJI = "✅"
# Characters Discord Markdown gives a meaning to (miner names are user text).
_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()-])")


@dataclass(frozen=True, slots=True)
class Message:
    """A notification in every form a channel needs.

    ``text``: plain (HA notify, the log); ``html``: Telegram; ``markdown``:
    Discord. ``alert_type`` goes to the notification log.
    """

    text: str
    html: str
    markdown: str
    alert_type: str = "custom"

    @classmethod
    def plain(cls, text: str, alert_type: str = "custom") -> Message:
        """Build a message from plain text (e.g. a test notification)."""
        return cls(text, escape_html(text), escape_markdown(text), alert_type)

    @classmethod
    def titled(
        cls, title: str, body: str, *, emoji: str = "", alert_type: str = "custom"
    ) -> Message:
        """Build a message with a bold title line and a body."""
        lead = f"{emoji} " if emoji else ""
        return cls(
            text=f"{lead}{title}\n{body}",
            html=f"{lead}<b>{escape_html(title)}</b>\n{escape_html(body)}",
            markdown=f"{lead}**{escape_markdown(title)}**\n{escape_markdown(body)}",
            alert_type=alert_type,
        )


def escape_html(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (``<``, ``>``, ``&``)."""
    return html.escape(text, quote=False)


def escape_markdown(text: str) -> str:
    """Escape Discord Markdown so user text shows as typed."""
    return _MARKDOWN.sub(r"\\\1", text)


def format_alert(event: AlertEvent) -> Message:
    """Format an AlertFired / AlertCleared for every channel."""
    emoji = (
        CLEARED_EMOJI if event.kind == "cleared" else EMOJI.get(event.alert_type, "")
    )
    return Message.titled(
        event.title, event.message, emoji=emoji, alert_type=event.alert_type.value
    )


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def truncate_html(text: str, limit: int) -> str:
    """Cut HTML to ``limit`` characters without breaking an entity or a tag.

    Past the limit the markup is dropped and the escaped plain text is cut:
    a long message is rare, a refused one (bad entity) would be lost.
    """
    if len(text) <= limit:
        return text
    plain = html.unescape(re.sub(r"<[^>]*>", "", text))
    cut = limit
    while True:  # escaping only lengthens, so shrink until it fits
        candidate = escape_html(truncate(plain, max(cut, 1)))
        if len(candidate) <= limit or cut <= 1:
            return candidate
        cut -= len(candidate) - limit
