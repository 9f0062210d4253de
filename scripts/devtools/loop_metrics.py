"""Event-loop and memory measurements for the benchmark (scripts/bench_ha)."""

from __future__ import annotations

import asyncio
from contextlib import suppress
import gc
import logging
from pathlib import Path
import re
import resource
import time
from typing import TYPE_CHECKING, Any, Self

from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED
from homeassistant.core import callback

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


def rss_kb() -> int:
    """Current resident set size of this process in kB."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def settled_rss_kb() -> int:
    """RSS after garbage collection and a short idle pause."""
    await asyncio.sleep(1.0)
    gc.collect()
    await asyncio.sleep(0.2)
    return rss_kb()


class StallMeter:
    """A task that sleeps 1 ms in a loop and records the longest overshoot."""

    def __init__(self) -> None:
        """Not running until :meth:`start`."""
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking (resets the maximum)."""
        self.max_stall = 0.0
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> float:
        """Stop ticking and return the longest stall in ms."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        return self.max_stall * 1000.0

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.001)
            self.max_stall = max(self.max_stall, loop.time() - before - 0.001)


class SlowCallbackLog(logging.Handler):
    """Collects asyncio's debug-mode "Executing ... took N seconds" warnings."""

    _PATTERN = re.compile(r"Executing (?P<what>.+) took (?P<secs>[\d.]+) seconds")

    def __init__(self) -> None:
        """Start with nothing recorded."""
        super().__init__(logging.WARNING)
        self.worst: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the longest duration per callback description."""
        if match := self._PATTERN.search(record.getMessage()):
            what = match["what"]
            # Keep the coroutine and where it was, or the callback: one line
            # per site, without addresses.
            if site := re.search(r"coro=<(.+?)>(?: wait_for| cb=| created|$)", what):
                what = site[1]
            what = re.sub(r" created at .*|0x[0-9a-f]+", "", what)[:200]
            self.worst[what] = max(
                self.worst.get(what, 0.0), float(match["secs"]) * 1000.0
            )


class GcPauses:
    """Longest garbage-collector pause per generation while installed.

    A loop stall is not always our code: a full (generation 2) collection of a
    large heap can take several milliseconds on its own.
    """

    def __init__(self) -> None:
        self.longest_ms: dict[int, float] = {0: 0.0, 1: 0.0, 2: 0.0}
        self.count: dict[int, int] = {0: 0, 1: 0, 2: 0}
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        generation = info["generation"]
        pause = (time.perf_counter() - self._started) * 1000.0
        self.count[generation] += 1
        self.longest_ms[generation] = max(self.longest_ms[generation], pause)

    def __enter__(self) -> Self:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


class StateWrites:
    """Count state writes: those that changed a state, those that repeated it."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Count from now until :meth:`stop`."""
        self.changed = 0
        self.unchanged = 0
        self._unsubs = [
            hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_changed),
            hass.bus.async_listen(
                EVENT_STATE_REPORTED, self._on_reported, event_filter=self._all
            ),
        ]

    @callback
    def _all(self, _data: Any) -> bool:
        return True

    @callback
    def _on_changed(self, _event: Any) -> None:
        self.changed += 1

    @callback
    def _on_reported(self, _event: Any) -> None:
        self.unchanged += 1

    def stop(self) -> None:
        """Stop counting."""
        for unsub in self._unsubs:
            unsub()
