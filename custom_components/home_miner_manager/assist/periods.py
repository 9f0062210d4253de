"""Which days a cost question covers (plain Python: local dates in, dates out)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

PERIODS: Final = ("today", "yesterday", "this_month", "last_month", "range")
MAX_RANGE_DAYS: Final = 366


class PeriodError(ValueError):
    """A period the tool cannot answer for (the message says why)."""


def _parse(value: str | None, field: str) -> date:
    if not value:
        raise PeriodError(f"'range' needs {field} (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(f"{field} {value!r} is not a date (YYYY-MM-DD)") from None


def period_days(
    period: str,
    today: date,
    start_date: str | None = None,
    end_date: str | None = None,
) -> tuple[date, date]:
    """Return the first day and the day after the last one (local days)."""
    if period == "today":
        return today, today + timedelta(days=1)
    if period == "yesterday":
        return today - timedelta(days=1), today
    first = today.replace(day=1)
    if period == "this_month":
        return first, today + timedelta(days=1)
    if period == "last_month":
        return (first - timedelta(days=1)).replace(day=1), first
    if period != "range":
        raise PeriodError(f"unknown period {period!r}: one of {', '.join(PERIODS)}")
    start = _parse(start_date, "start_date")
    end = _parse(end_date or start_date, "end_date")
    if end < start:
        raise PeriodError("end_date is before start_date")
    if start > today:
        raise PeriodError("the period has not started yet")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise PeriodError(f"at most {MAX_RANGE_DAYS} days at a time")
    return start, min(end, today) + timedelta(days=1)
