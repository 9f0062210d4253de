"""Queries behind the health scores: telemetry samples, strategy-off spans, scores.

Every function takes a Session and blocks: call them through
``Database.async_run`` (never on the event loop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ..health import Sample
from .models import Event, HealthScore, Miner, Telemetry

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from sqlalchemy.orm import Session

# Event types the strategy writes when it runs commands (agile/executor.py);
# their data holds ``miner_id`` and ``commands`` ("power_off", "power_on", ...).
STRATEGY_EVENT_TYPES = ("strategy_action", "strategy_drift_corrected")


def miner_created(session: Session, miner_id: int) -> datetime | None:
    """Return when the Miner row was created (a score never looks before it)."""
    return session.scalar(select(Miner.created_at).where(Miner.id == miner_id))


def telemetry_samples(
    session: Session, miner_id: int, since: datetime, until: datetime
) -> list[Sample]:
    """Return one miner's telemetry in [since, until] as health samples."""
    rows = session.execute(
        select(
            Telemetry.timestamp,
            Telemetry.hashrate,
            Telemetry.temperature,
            Telemetry.shares_accepted,
            Telemetry.shares_rejected,
            Telemetry.data,
        )
        .where(
            Telemetry.miner_id == miner_id,
            Telemetry.timestamp >= since,
            Telemetry.timestamp <= until,
        )
        .order_by(Telemetry.timestamp)
    )
    return [
        Sample(
            timestamp=row.timestamp,
            hashrate=row.hashrate,
            temperature=row.temperature,
            shares_accepted=row.shares_accepted,
            shares_rejected=row.shares_rejected,
            mode=_mode(row.data),
        )
        for row in rows
    ]


def _mode(data: Any) -> str | None:
    mode = data.get("mode") if isinstance(data, dict) else None
    return mode if isinstance(mode, str) else None


def strategy_off_intervals(
    session: Session, miner_id: int, since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """Return the spans the strategy had the miner powered off on purpose.

    Read from the strategy's own Event rows: a ``power_off`` command opens a
    span, the next ``power_on`` closes it; a span still open ends at ``until``.
    The last command before ``since`` tells whether the window starts off.
    """
    rows = session.execute(
        select(Event.timestamp, Event.data)
        .where(Event.event_type.in_(STRATEGY_EVENT_TYPES), Event.timestamp <= until)
        .order_by(Event.timestamp)
    )
    return off_spans(
        (
            (row.timestamp, commands)
            for row in rows
            if isinstance(row.data, dict)
            and row.data.get("miner_id") == miner_id
            and isinstance(commands := row.data.get("commands"), list)
        ),
        since,
        until,
    )


def off_spans(
    commands: Iterable[tuple[datetime, list[Any]]], since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """Fold time-ordered command lists into (start, end) power-off spans."""
    spans: list[tuple[datetime, datetime]] = []
    off_since: datetime | None = None
    for when, names in commands:
        if "power_off" in names and off_since is None:
            off_since = when
        elif "power_on" in names and off_since is not None:
            if when >= since:
                spans.append((max(off_since, since), when))
            off_since = None
    if off_since is not None:
        spans.append((max(off_since, since), until))
    return spans


def insert_score(
    session: Session, miner_id: int, when: datetime, row: dict[str, Any]
) -> None:
    """Add one HealthScore row (``row``: ``HealthResult.as_row()``)."""
    session.add(HealthScore(miner_id=miner_id, timestamp=when, **row))


def latest_scores(session: Session) -> dict[int, dict[str, Any]]:
    """Return each miner's newest HealthScore as column values."""
    newest = (
        select(HealthScore.miner_id, func.max(HealthScore.id).label("id"))
        .group_by(HealthScore.miner_id)
        .subquery()
    )
    scores = session.scalars(
        select(HealthScore).join(newest, HealthScore.id == newest.c.id)
    )
    return {
        score.miner_id: {
            "timestamp": score.timestamp,
            "overall_score": score.overall_score,
            "uptime_score": score.uptime_score,
            "temperature_score": score.temperature_score,
            "hashrate_score": score.hashrate_score,
            "reject_rate_score": score.reject_rate_score,
        }
        for score in scores
    }
