"""Spread bursts of work over event-loop iterations."""

from __future__ import annotations

import asyncio
from collections import deque


class LoopPacer:
    """Let at most ``per_turn`` waiters go on per event-loop iteration.

    The event loop runs every callback that is ready in one iteration before
    it looks at timers and sockets again. When many miners are polled at
    once, their request starts, and later their answers' processing (parse,
    telemetry, a dozen state writes), would run back to back and stall the
    loop for the whole burst. Waiting here first hands them out a few per
    iteration, with the loop's other work in between.

    Nothing is ever held: a waiter only waits for the loop to come round, so
    shutdown cannot hang on it, and a cancelled waiter is simply skipped.
    """

    def __init__(self, per_turn: int) -> None:
        """Pace to ``per_turn`` waiters per iteration (at least one)."""
        self._per_turn = max(1, per_turn)
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._scheduled: asyncio.Handle | None = None

    def wait_turn(self) -> asyncio.Future[None]:
        """Return a future done in a later iteration, in arrival order.

        A plain function, not a coroutine: a burst of polls waits here three
        times each, and a coroutine object per wait was garbage-collector work.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        if self._scheduled is None:
            self._scheduled = loop.call_soon(self._release)
        return waiter

    def _release(self) -> None:
        # The woken tasks run in the next iteration, as does the next release.
        self._scheduled = None
        released = 0
        while self._waiters and released < self._per_turn:
            waiter = self._waiters.popleft()
            if not waiter.done():  # cancelled while waiting
                waiter.set_result(None)
                released += 1
        if self._waiters:
            self._scheduled = asyncio.get_running_loop().call_soon(self._release)
