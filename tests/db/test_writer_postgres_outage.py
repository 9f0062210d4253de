"""A real PostgreSQL server stopped and started again while rows keep coming.

The test's own server (``private_postgres_server``) is stopped with
``pg_ctl stop -m fast`` (every session cut off), rows are queued as polls
would queue them, then the server is started again on the same port.  Every
row must land exactly once, with one WARNING and one INFO in the log and the
availability state flipping once each way.

The default run stops the server for a few seconds; the two-minute outage
of the hardening issue is the ``slow`` case (``scripts/test --run-slow``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging
import time
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from custom_components.home_miner_manager.db import (
    Database,
    DatabaseConnectionError,
    WriterStatus,
)
from custom_components.home_miner_manager.db.models import Telemetry

from .conftest import add_miner

if TYPE_CHECKING:
    from tests.plugins.postgres import PostgresServer

T0 = datetime(2026, 3, 1, tzinfo=UTC).replace(tzinfo=None)
WRITER_LOGGER = "custom_components.home_miner_manager.db.writer"
ROWS_PER_POLL = 20
POLL_EVERY = 0.25  # seconds


def _wait_for(condition: object, what: str, timeout: float) -> float:
    """Wait until ``condition()``; return the seconds it took."""
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        if time.monotonic() - started > timeout:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)
    return time.monotonic() - started


@pytest.mark.parametrize(
    ("outage_s", "max_retry_wait"),
    [
        pytest.param(3.0, 1.0, id="3s"),
        pytest.param(120.0, 10.0, id="2min", marks=pytest.mark.slow),
    ],
)
def test_postgres_outage_loses_nothing(
    private_postgres_server: PostgresServer,
    private_postgres_url: str,
    caplog: pytest.LogCaptureFixture,
    outage_s: float,
    max_retry_wait: float,
) -> None:
    """Stop the server with rows queued, start it again: 0 rows lost."""
    caplog.set_level(logging.INFO, logger=WRITER_LOGGER)
    db = Database.open(
        private_postgres_url,
        retry_wait=0.05,
        retry_attempts=2,
        max_retry_wait=max_retry_wait,
    )
    seen: list[WriterStatus] = []
    db.add_status_listener(seen.append)
    queued = 0

    def _poll(miner: int) -> None:
        nonlocal queued
        for _ in range(ROWS_PER_POLL):
            db.queue_telemetry(
                miner, T0 + timedelta(seconds=queued), hashrate=float(queued)
            )
            queued += 1

    try:
        miner = add_miner(db)
        _poll(miner)
        db.flush(timeout=30)  # the pool now holds live connections

        stop_s = private_postgres_server.stop()
        stopped_at = time.monotonic()
        noticed_after: float | None = None
        while time.monotonic() - stopped_at < outage_s:
            _poll(miner)
            if noticed_after is None and not db.available:
                noticed_after = time.monotonic() - stopped_at
            time.sleep(POLL_EVERY)
        assert noticed_after is not None, "outage never noticed"
        assert not db.available
        outage_since = db.outage_since
        assert outage_since is not None
        with pytest.raises(DatabaseConnectionError, match="could not be written"):
            db.flush(timeout=30)  # fails at once, keeps the rows
        assert db.writer_stats.backlog == queued - ROWS_PER_POLL

        start_s = private_postgres_server.start()
        back_after = _wait_for(
            lambda: db.available, "the writer to notice", max_retry_wait * 2 + 10
        )
        db.flush(timeout=60)
        stored = db.run(
            lambda s: list(s.scalars(select(Telemetry.hashrate).order_by("id")))
        )
        stats = db.writer_stats
    finally:
        db.close()

    assert stored == [float(i) for i in range(queued)]  # all, once, in order
    assert (stats.dropped_rows, stats.backlog, stats.outages) == (0, 0, 1)
    records = [r for r in caplog.records if r.name == WRITER_LOGGER]
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    infos = [r.getMessage() for r in records if "reachable again" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "unreachable" in warnings[0]
    assert "hmm-test-pw" not in warnings[0]  # the URL in the line is redacted
    assert len(infos) == 1, infos
    assert [h.available for h in seen] == [False, True]
    assert seen[0].outage_since == outage_since
    print(  # noqa: T201  (shown with -s or -rP: the figures quoted in reports)
        f"outage {outage_s:.0f}s: {queued} rows ({queued - ROWS_PER_POLL} during "
        f"the outage), pg stop {stop_s:.2f}s, noticed after {noticed_after:.2f}s, "
        f"pg start {start_s:.2f}s, writer back {back_after:.2f}s after start, "
        f"{stats.failed_flushes} failed flushes"
    )
