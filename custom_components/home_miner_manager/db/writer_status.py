"""What the writer reports: counters, availability and who wants to hear of it.

Kept apart from the writer thread so the Home Assistant layer can import the
types without the thread machinery, and so the writer stays short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime  # noqa: TC003  (dataclass field types)
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

_LOGGER = logging.getLogger(__name__)


@dataclass(slots=True)
class WriterStats:
    """Counters for diagnostics and tests (read from any thread)."""

    commits: int = 0
    rows_written: int = 0
    retries: int = 0
    failed_flushes: int = 0
    # Rows lost for any reason; the three below split it by cause.
    dropped_rows: int = 0
    dropped_overflow: int = 0  # oldest rows pushed out of a full backlog
    dropped_rejected: int = 0  # rows the database refused (constraint, bad value)
    dropped_at_shutdown: int = 0  # still unwritable when the writer stopped
    dropped_since_report: int = 0  # reset by ``take_dropped_report``
    backlog: int = 0  # rows waiting to be written, including a batch in flight
    max_backlog: int = 0
    outages: int = 0  # times the database became unreachable


@dataclass(frozen=True, slots=True)
class WriterStatus:
    """A snapshot of the writer's view of the database."""

    available: bool
    # Aware UTC time of the first failed write of the current outage.
    outage_since: datetime | None
    # Loggable description of the last write error (no statement, no password).
    last_error: str | None
    backlog: int
    rows_dropped: int
    dropped_since_report: int


type WriterStatusListener = Callable[[WriterStatus], None]


class HealthListeners:
    """Callbacks told when availability flips or the first rows are dropped."""

    def __init__(self) -> None:
        """Start with nobody listening."""
        self._lock = threading.Lock()
        self._listeners: list[WriterStatusListener] = []

    def add(self, listener: WriterStatusListener) -> Callable[[], None]:
        """Register ``listener``; return the function that unregisters it."""
        with self._lock:
            self._listeners.append(listener)

        def _remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return _remove

    def notify(self, status: WriterStatus) -> None:
        """Call every listener; one that raises is logged, never propagated."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(status)
            except Exception:
                # The writer thread must survive a faulty listener.
                _LOGGER.exception("Database status listener %r failed", listener)
