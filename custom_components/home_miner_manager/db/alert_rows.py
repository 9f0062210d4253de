"""Queries behind alerts and notifications: alert_config, notification_config/log.

Every function takes a Session and blocks: call them through
``Database.async_run`` (never on the event loop). Channel configs hold bot
tokens and webhook URLs: they are returned to the glue, never logged here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .models import AlertConfig, NotificationConfig, NotificationLog

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sqlalchemy.orm import Session


def seed_alert_config(
    session: Session, defaults: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Add the default row of every alert type that has none; return all rows."""
    have = set(session.scalars(select(AlertConfig.alert_type)))
    for row in defaults:
        if row["alert_type"] not in have:
            session.add(
                AlertConfig(
                    alert_type=row["alert_type"],
                    enabled=row["enabled"],
                    config=dict(row["config"]),
                )
            )
    session.flush()
    return alert_config_rows(session)


def alert_config_rows(session: Session) -> list[dict[str, Any]]:
    """Return every alert_config row as ``{alert_type, enabled, config}``."""
    return [
        {"alert_type": row.alert_type, "enabled": row.enabled, "config": row.config}
        for row in session.scalars(select(AlertConfig).order_by(AlertConfig.id))
    ]


def update_alert_config(
    session: Session, alert_type: str, *, enabled: bool, config: dict[str, Any]
) -> None:
    """Replace one alert type's settings (adding its row if missing)."""
    row = session.scalar(
        select(AlertConfig).where(AlertConfig.alert_type == alert_type)
    )
    if row is None:
        session.add(AlertConfig(alert_type=alert_type, enabled=enabled, config=config))
        return
    row.enabled = enabled
    row.config = dict(config)


def channel_rows(session: Session) -> list[dict[str, Any]]:
    """Return every notification channel as ``{id, channel_type, enabled, config}``."""
    return [
        {
            "id": row.id,
            "channel_type": row.channel_type,
            "enabled": row.enabled,
            "config": dict(row.config or {}),
        }
        for row in session.scalars(
            select(NotificationConfig).order_by(NotificationConfig.id)
        )
    ]


def add_channel(
    session: Session, channel_type: str, config: dict[str, Any], *, enabled: bool
) -> int:
    """Add a channel; return its id."""
    row = NotificationConfig(channel_type=channel_type, enabled=enabled, config=config)
    session.add(row)
    session.flush()
    return row.id


def update_channel(
    session: Session, channel_id: int, config: dict[str, Any], *, enabled: bool
) -> bool:
    """Replace a channel's settings; False if it no longer exists."""
    row = session.get(NotificationConfig, channel_id)
    if row is None:
        return False
    row.config = dict(config)
    row.enabled = enabled
    return True


def delete_channel(session: Session, channel_id: int) -> bool:
    """Remove a channel; False if it did not exist."""
    row = session.get(NotificationConfig, channel_id)
    if row is None:
        return False
    session.delete(row)
    return True


def add_notification_logs(session: Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Add NotificationLog rows (``notifications.log_records`` output)."""
    session.add_all(NotificationLog(**row) for row in rows)
