"""Send one message to many channels at once; one result per attempt."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from .channels import DEFAULT_TIMEOUT_S, SendResult, describe_exception, failure
from .message import LOG_ERROR_LIMIT, LOG_MESSAGE_LIMIT, format_alert, truncate

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime

    from ..alerts import AlertEvent
    from .channels import Channel
    from .message import Message


async def _guarded(channel: Channel, message: Message, timeout_s: float) -> SendResult:
    started = time.monotonic()
    kind = str(getattr(channel, "channel_type", "unknown"))
    try:
        async with asyncio.timeout(timeout_s):
            result = await channel.send(message)
    except Exception as err:  # noqa: BLE001  (one channel must not break the others)
        secrets = tuple(getattr(channel, "secrets", ()))
        return failure(
            kind, describe_exception(err, timeout_s), secrets, started=started
        )
    return result


async def send_all(
    channels: Sequence[Channel],
    message: Message,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> list[SendResult]:
    """Send ``message`` on every channel concurrently.

    Returns one result per channel, in ``channels`` order. Each channel runs
    under its own ``timeout_s`` (on top of any timeout of its own), so a slow
    or failing one delays or breaks nothing else; nothing raises except
    cancellation.
    """
    if not channels:
        return []
    return list(
        await asyncio.gather(*(_guarded(ch, message, timeout_s) for ch in channels))
    )


def channels_for(channels: Iterable[Channel], wanted: Iterable[str]) -> list[Channel]:
    """Keep the channels whose type an alert's settings list."""
    names = set(wanted)
    return [ch for ch in channels if ch.channel_type in names]


async def notify_alert(
    channels: Iterable[Channel],
    event: AlertEvent,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> tuple[Message, list[SendResult]]:
    """Format an alert event and send it on the channels it is meant for."""
    message = format_alert(event)
    results = await send_all(
        channels_for(channels, event.channels), message, timeout_s=timeout_s
    )
    return message, results


def log_records(
    results: Iterable[SendResult], message: Message, at: datetime | None = None
) -> list[dict[str, Any]]:
    """Return ``NotificationLog`` column values, one dict per attempt.

    ``timestamp`` is included only when ``at`` is given (the column has a
    default). Texts are cut to the column sizes.
    """
    rows = []
    for result in results:
        row: dict[str, Any] = {
            "channel_type": result.channel_type,
            "alert_type": message.alert_type,
            "message": truncate(message.text, LOG_MESSAGE_LIMIT),
            "success": result.success,
            "error": None
            if result.error is None
            else truncate(result.error, LOG_ERROR_LIMIT),
        }
        if at is not None:
            row["timestamp"] = at
        rows.append(row)
    return rows
