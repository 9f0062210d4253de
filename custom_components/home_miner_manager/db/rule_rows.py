"""automation_rules rows kept in step with the hub's ``rule`` subentries.

Every function takes a Session and blocks: call them through
``Database.async_run``. A row is matched to its subentry by
``trigger_config["subentry_id"]``; execution bookkeeping survives edits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .models import AutomationRule

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from sqlalchemy.orm import Session


def sync_rules(
    session: Session, rules: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Make the rows match ``rules`` (subentry id -> data); return their state."""
    rows = {
        str((row.trigger_config or {}).get("subentry_id")): row
        for row in session.scalars(select(AutomationRule))
    }
    for subentry_id, row in rows.items():
        if subentry_id not in rules:
            session.delete(row)
    for subentry_id, rule in rules.items():
        values = _values(subentry_id, rule)
        existing = rows.get(subentry_id)
        if existing is None:
            rows[subentry_id] = AutomationRule(**values)
            session.add(rows[subentry_id])
        else:
            for key, value in values.items():
                setattr(existing, key, value)
    session.flush()
    return {
        subentry_id: {
            "id": row.id,
            "last_executed_at": row.last_executed_at,
            "last_execution_context": row.last_execution_context,
        }
        for subentry_id, row in rows.items()
        if subentry_id in rules
    }


def _values(subentry_id: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    """Column values of one rule; odd stored data never stops the others."""
    trigger = rule.get("trigger_config")
    action = rule.get("action_config")
    return {
        "name": str(rule.get("name") or subentry_id)[:100],
        "enabled": bool(rule.get("enabled", True)),
        "trigger_type": str(rule.get("trigger_type") or "")[:50],
        "trigger_config": {
            **(trigger if isinstance(trigger, dict) else {}),
            "subentry_id": subentry_id,
        },
        "action_type": str(rule.get("action_type") or "")[:50],
        "action_config": dict(action) if isinstance(action, dict) else {},
        "priority": _int(rule.get("priority")),
    }


def _int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


def mark_executed(
    session: Session, row_id: int, when: datetime, context: dict[str, Any]
) -> None:
    """Record a rule's last execution."""
    row = session.get(AutomationRule, row_id)
    if row is not None:
        row.last_executed_at = when
        row.last_execution_context = context
