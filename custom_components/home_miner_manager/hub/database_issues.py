"""Repair issues of the hub's database: unreachable, rows dropped.

Raised and cleared as the database writer reports its status (it runs in its
own thread; its reports are handed to the event loop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..errors import async_raise_issue

if TYPE_CHECKING:
    from asyncio import TimerHandle
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant

    from ..db import Database, WriterStatus


def _database_unreachable_issue_id(entry_id: str) -> str:
    return f"database_unreachable_{entry_id}"


def _rows_dropped_issue_id(entry_id: str) -> str:
    return f"writer_rows_dropped_{entry_id}"


@callback
def async_raise_database_unreachable(
    hass: HomeAssistant, entry_id: str, database: str, status: WriterStatus
) -> None:
    """Say the database is unreachable; rows wait in memory meanwhile.

    ``database`` is the redacted URL (``Database.url_redacted``).
    """
    since = status.outage_since
    async_raise_issue(
        hass,
        _database_unreachable_issue_id(entry_id),
        "database_unreachable",
        {
            "database": database,
            "since": since.strftime("%Y-%m-%d %H:%M:%S UTC") if since else "-",
            "error": status.last_error or "-",
            "backlog": str(status.backlog),
        },
        ir.IssueSeverity.ERROR,
    )


@callback
def async_clear_database_unreachable(hass: HomeAssistant, entry_id: str) -> None:
    """Drop the unreachable issue: writes succeed again."""
    ir.async_delete_issue(hass, DOMAIN, _database_unreachable_issue_id(entry_id))


@callback
def async_raise_rows_dropped(
    hass: HomeAssistant, entry_id: str, database: str, count: int
) -> None:
    """Say how many queued rows were lost (backlog full, rejected, shutdown)."""
    async_raise_issue(
        hass,
        _rows_dropped_issue_id(entry_id),
        "writer_rows_dropped",
        {"database": database, "count": str(count)},
    )


@callback
def async_clear_rows_dropped(hass: HomeAssistant, entry_id: str) -> None:
    """Drop the rows-dropped issue."""
    ir.async_delete_issue(hass, DOMAIN, _rows_dropped_issue_id(entry_id))


@callback
def async_track_writer_status(
    hass: HomeAssistant,
    entry_id: str,
    database: Database,
    *,
    unreachable_after: float = 300.0,
) -> Callable[[], None]:
    """Raise and clear the database issues as the writer reports; return the undo.

    The unreachable issue waits ``unreachable_after`` seconds (5 minutes):
    shorter outages only log.  The rows-dropped issue comes with the first
    lost rows and its count is refreshed when an outage ends.  The writer
    reports from its own thread, so each report is handed to the loop.
    The undo removes the listener and both issues.
    """
    timer: TimerHandle | None = None
    active = True
    was_available = database.status().available

    @callback
    def _still_unreachable() -> None:
        nonlocal timer
        timer = None
        status = database.status()
        if active and not status.available:
            async_raise_database_unreachable(
                hass, entry_id, database.url_redacted, status
            )

    @callback
    def _on_status(status: WriterStatus) -> None:
        nonlocal timer, was_available
        if not active:
            return
        recovered = status.available and not was_available
        was_available = status.available
        if status.available:
            if timer is not None:
                timer.cancel()
                timer = None
            async_clear_database_unreachable(hass, entry_id)
        elif timer is None:
            timer = hass.loop.call_later(unreachable_after, _still_unreachable)
        if status.rows_dropped and (status.dropped_since_report or recovered):
            async_raise_rows_dropped(
                hass, entry_id, database.url_redacted, status.rows_dropped
            )
            if recovered:
                # Re-arm: the next lost row reports again (not every one
                # of a full backlog: only once per outage).
                database.take_dropped_report()

    def _from_writer(status: WriterStatus) -> None:
        hass.loop.call_soon_threadsafe(_on_status, status)

    remove = database.add_status_listener(_from_writer)

    @callback
    def _undo() -> None:
        nonlocal active, timer
        active = False
        remove()
        if timer is not None:
            timer.cancel()
            timer = None
        async_clear_database_unreachable(hass, entry_id)
        async_clear_rows_dropped(hass, entry_id)

    return _undo
