"""AuditLog rows: who changed what, written on behalf of Home Assistant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .compat import current_client
from .const import (
    AUDIT_SYSTEM_USER,
    CONF_ENABLED,
    CONF_HOST,
    CONF_MANUAL_POWER_WATTS,
    CONF_MINER_TYPE,
    CONF_NAME,
    CONF_PORT,
    CONF_SCAN_INTERVAL,
)
from .db.base import utcnow
from .db.models import AuditLog, Event

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import Context, HomeAssistant

    from .db import Database

RESOURCE_MINER = "miner"
RESOURCE_POOL = "pool"
# Subentry keys that are safe to copy into audit ``changes``.
_AUDITED_KEYS = (
    CONF_NAME,
    CONF_MINER_TYPE,
    CONF_HOST,
    CONF_PORT,
    CONF_MANUAL_POWER_WATTS,
    CONF_ENABLED,
    CONF_SCAN_INTERVAL,
)


def audited_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the non-secret subentry fields worth recording."""
    return {key: data.get(key) for key in _AUDITED_KEYS if key in data}


def audit_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``{field: {"old": x, "new": y}}`` for non-secret fields that changed."""
    before, after = audited_fields(old), audited_fields(new)
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, as stored in AuditLog."""

    user: str = AUDIT_SYSTEM_USER
    ip_address: str | None = None
    user_agent: str | None = None


async def async_actor(
    hass: HomeAssistant, user_id: str | None = None, context: Context | None = None
) -> Actor:
    """Return the Home Assistant user behind a change, or ``system``.

    Flows carry no user, so the HTTP request or websocket connection that is
    running the flow (both are context variables) is asked as well.
    """
    if user_id is None and context is not None:
        user_id = context.user_id
    request_user, ip_address, user_agent = current_client()
    if user_id is None:
        user_id = request_user
    name = AUDIT_SYSTEM_USER
    if user_id is not None and (user := await hass.auth.async_get_user(user_id)):
        name = user.name or user.id
    return Actor(name[:100], ip_address, user_agent)


def queue_audit(
    database: Database,
    *,
    actor: Actor,
    action: str,
    resource_id: int | None,
    resource_name: str,
    changes: Mapping[str, Any] | None = None,
    status: str = "success",
    error_message: str | None = None,
    resource_type: str = RESOURCE_MINER,
) -> None:
    """Queue one AuditLog row about a miner (or another ``resource_type``)."""
    database.queue_insert(
        AuditLog,
        timestamp=utcnow(),
        user=actor.user,
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        resource_name=resource_name[:255],
        changes=dict(changes) if changes else None,
        status=status,
        error_message=(error_message or "")[:500] or None,
    )


def queue_event(
    database: Database,
    *,
    event_type: str,
    source: str,
    message: str,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Queue one Event row (something notable happened; no secrets in it)."""
    database.queue_insert(
        Event,
        timestamp=utcnow(),
        event_type=event_type[:50],
        source=source[:100],
        message=message[:500],
        data=dict(data) if data else None,
    )
