"""Queries behind the get_events and get_audit_log actions.

Every function takes a Session and blocks: call them through
``Database.async_run`` (never on the event loop).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from .models import AuditLog, Event

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True, kw_only=True)
class RowFilter:
    """What a caller asks for; naive UTC bounds, newest rows first."""

    since: datetime | None = None
    until: datetime | None = None
    kind: str | None = None  # Event.event_type / AuditLog.action
    miner: str | None = None  # a miner's name
    resource_type: str | None = None  # audit log only
    limit: int = 100


def _iso(value: datetime) -> str:
    return value.isoformat() + "Z"


def events(session: Session, wanted: RowFilter) -> list[dict[str, Any]]:
    """Return Event rows as plain dicts (``miner``: its ``miner:<name>`` source)."""
    query = select(Event).order_by(Event.timestamp.desc(), Event.id.desc())
    if wanted.since is not None:
        query = query.where(Event.timestamp >= wanted.since)
    if wanted.until is not None:
        query = query.where(Event.timestamp <= wanted.until)
    if wanted.kind:
        query = query.where(Event.event_type == wanted.kind)
    if wanted.miner:
        # Miner events name their source; strategy rows name it in the message.
        query = query.where(
            or_(
                Event.source == f"miner:{wanted.miner}",
                Event.message.startswith(f"{wanted.miner}:"),
            )
        )
    return [
        {
            "id": row.id,
            "timestamp": _iso(row.timestamp),
            "type": row.event_type,
            "source": row.source,
            "message": row.message,
            "data": row.data,
        }
        for row in session.scalars(query.limit(wanted.limit))
    ]


def audit_log(session: Session, wanted: RowFilter) -> list[dict[str, Any]]:
    """Return AuditLog rows as plain dicts (IP address and user agent left out)."""
    query = select(AuditLog).order_by(AuditLog.timestamp.desc(), AuditLog.id.desc())
    if wanted.since is not None:
        query = query.where(AuditLog.timestamp >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditLog.timestamp <= wanted.until)
    if wanted.kind:
        query = query.where(AuditLog.action == wanted.kind)
    if wanted.miner:
        query = query.where(AuditLog.resource_name == wanted.miner)
    if wanted.resource_type:
        query = query.where(AuditLog.resource_type == wanted.resource_type)
    return [
        {
            "id": row.id,
            "timestamp": _iso(row.timestamp),
            "user": row.user,
            "action": row.action,
            "resource_type": row.resource_type,
            "resource_id": row.resource_id,
            "resource_name": row.resource_name,
            "changes": row.changes,
            "status": row.status,
            "error_message": row.error_message,
        }
        for row in session.scalars(query.limit(wanted.limit))
    ]
