"""A password in a driver's error never reaches what the writer hands on.

Checked where the error text changes hands (the health snapshot that feeds
repair issues and diagnostics, and the log), not only where the URL comes in.
"""

from __future__ import annotations

import logging
from pathlib import Path
import sqlite3
import threading
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError

from custom_components.home_miner_manager.db.base import Base
from custom_components.home_miner_manager.db.models import Event
from custom_components.home_miner_manager.db.writer import (
    WRITER_THREAD_NAME,
    DatabaseWriter,
)

SECRET = "s3cr3t-Pa55"


def test_last_error_and_log_hide_the_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The driver quotes the password; health and the WARNING mask it."""
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    # SQLite URLs take no credentials; give the engine's URL one to mask (its
    # connections were already set up from the plain URL).
    engine.url = engine.url.set(username="hmm", password=SECRET)
    Base.metadata.create_all(engine)
    failures = 3

    def _on_execute(*_args: Any) -> None:
        nonlocal failures
        if threading.current_thread().name == WRITER_THREAD_NAME and failures:
            failures -= 1
            raise OperationalError(
                "INSERT",
                {},
                sqlite3.OperationalError(f'connection failed: password="{SECRET}"'),
            )

    event.listen(engine, "before_cursor_execute", _on_execute)
    caplog.set_level(logging.DEBUG, logger="custom_components.home_miner_manager")
    writer = DatabaseWriter(engine, retry_wait=0.01, retry_attempts=2, label="db")
    writer.start()
    try:
        writer.queue_row(
            Event.__table__,  # type: ignore[arg-type]
            ("event_type", "source", "message"),
            ("info", "system", "m"),
        )
        deadline = time.monotonic() + 10
        while writer.status().available:
            assert time.monotonic() < deadline, "outage never noticed"
            time.sleep(0.005)
        last_error = writer.status().last_error
    finally:
        writer.stop()
        writer.join(10)
        engine.dispose()
    assert last_error is not None
    assert "connection failed" in last_error
    assert SECRET not in last_error
    assert "***" in last_error
    assert "connection failed" in caplog.text
    assert SECRET not in caplog.text
