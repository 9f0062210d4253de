"""The repair issues the database's health raises (issues.py), on a real writer.

An exclusive SQLite lock makes the database unwritable, as a stopped server
would.  The unreachable issue must wait for its delay (a short outage raises
nothing), go once writes succeed, and the rows-dropped issue must carry the
count and re-arm after the outage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.hub.database_issues import (
    async_track_writer_status,
)

from .conftest import add_miner

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ENTRY = "entry1"
UNREACHABLE = f"database_unreachable_{ENTRY}"
DROPPED = f"writer_rows_dropped_{ENTRY}"


async def _until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.01)
    pytest.fail(f"gave up waiting for {what}")


def _issue(hass: HomeAssistant, issue_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id)


async def test_database_issues_follow_the_writer(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Short outage: nothing; long one: the issue, gone when writes work."""
    path = tmp_path / "hmm.db"
    db = await hass.async_add_executor_job(
        lambda: Database.open(
            f"sqlite:///{path}",
            sqlite_busy_timeout=0.02,
            retry_wait=0.01,
            max_retry_wait=0.05,
            max_backlog=3,
        )
    )
    miner = await hass.async_add_executor_job(add_miner, db)
    undo = async_track_writer_status(hass, ENTRY, db, unreachable_after=0.4)
    blocker = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        # 1. A short outage (under 0.4 s) raises nothing.
        blocker.execute("BEGIN EXCLUSIVE")
        db.queue_telemetry(miner, T0, hashrate=1.0)
        await _until(lambda: not db.available, "the first outage")
        blocker.execute("COMMIT")
        await _until(lambda: db.available, "the first recovery")
        await asyncio.sleep(0.6)
        await hass.async_block_till_done()
        assert _issue(hass, UNREACHABLE) is None

        # 2. A long one raises it after the delay; 5 rows into 3 places.
        blocker.execute("BEGIN EXCLUSIVE")
        for second in range(1, 6):
            db.queue_telemetry(miner, T0 + timedelta(seconds=second), hashrate=1.0)
        await _until(lambda: not db.available, "the second outage")
        await _until(lambda: _issue(hass, DROPPED) is not None, "the drop issue")
        assert _issue(hass, UNREACHABLE) is None  # not yet: the delay runs
        await _until(lambda: _issue(hass, UNREACHABLE) is not None, "the issue")
        issue = _issue(hass, UNREACHABLE)
        assert issue is not None
        assert issue.translation_key == "database_unreachable"
        assert issue.severity == ir.IssueSeverity.ERROR
        placeholders = issue.translation_placeholders or {}
        assert placeholders["database"] == db.url_redacted
        assert placeholders["backlog"] == "3"
        assert "database is locked" in placeholders["error"]
        assert placeholders["since"].endswith("UTC")
        dropped = _issue(hass, DROPPED)
        assert dropped is not None
        assert (dropped.translation_placeholders or {})["count"] == "2"

        # 3. Writes work again: the unreachable issue goes, the count stays
        # and the report re-arms.
        blocker.execute("COMMIT")
        await _until(lambda: _issue(hass, UNREACHABLE) is None, "the issue to go")
        await hass.async_block_till_done()
        assert db.status().dropped_since_report == 0
        assert _issue(hass, DROPPED) is not None
    finally:
        blocker.close()
        undo()
        await hass.async_add_executor_job(db.close)
    assert _issue(hass, DROPPED) is None
    assert _issue(hass, UNREACHABLE) is None
