"""What every simulator shares: lifecycle, listening control, restarts, faults."""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
import contextlib
import random
import socket
from typing import TYPE_CHECKING, Self

from .faults import Fault, FaultState

if TYPE_CHECKING:
    from types import TracebackType


def bind_socket(host: str, port: int, kind: int = socket.SOCK_STREAM) -> socket.socket:
    """Bind a non-blocking socket; ``port`` 0 picks a free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, kind)
    # Re-binding the same port after a simulated reboot must not hit TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        if kind == socket.SOCK_STREAM:
            sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


class Simulator(ABC):
    """A simulated miner listening on ``host:port`` (``async with`` it)."""

    kind: str  # "axeos", "cgminer", "nmminer"
    miner_type: str  # MinerType value the integration should detect

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        restart_downtime: float = 0.2,
        restart_reply_delay: float = 0.05,
        seed: int = 0,
        name: str | None = None,
    ) -> None:
        """Configure; nothing listens until :meth:`start`."""
        self.host = host
        self.port = port
        self.latency = latency
        self.restart_downtime = restart_downtime
        self.restart_reply_delay = restart_reply_delay
        self.rng = random.Random(seed)
        self.name = name or self.kind
        self.faults = FaultState()
        self.boots = 1
        self.requests = 0  # every request or command received while up
        self._listening = False
        self._running = False
        self._up = asyncio.Event()
        self._dropped = asyncio.Event()  # set when the listener goes away
        self._restart_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # -- lifecycle ---------------------------------------------------------

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    @property
    def is_up(self) -> bool:
        """True while the device answers (not rebooting, not refusing)."""
        return self._listening

    async def start(self) -> Self:
        """Start listening; picks and keeps a free port when ``port`` is 0."""
        self._running = True
        await self._listen()
        await self._after_start()
        return self

    async def stop(self) -> None:
        """Stop listening and drop every connection and pending handler."""
        self._running = False
        if self._restart_task is not None:
            self._restart_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._restart_task
            self._restart_task = None
        await self._before_stop()
        await self._unlisten()

    async def __aenter__(self) -> Self:
        """Start the simulator."""
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the simulator."""
        await self.stop()

    async def _listen(self) -> None:
        async with self._lock:
            if not self._listening and self._running:
                self._dropped = asyncio.Event()
                await self._start_listening()
                self._listening = True
                self._up.set()

    async def _unlisten(self) -> None:
        async with self._lock:
            if self._listening:
                self._listening = False
                self._up.clear()
                self._dropped.set()
                await self._stop_listening()

    @abstractmethod
    async def _start_listening(self) -> None:
        """Bind ``self.port`` (set it when 0) and serve."""

    @abstractmethod
    async def _stop_listening(self) -> None:
        """Close the listener and every open connection."""

    async def _after_start(self) -> None:  # noqa: B027 (optional hook)
        """Start extra tasks (UDP broadcaster...)."""

    async def _before_stop(self) -> None:  # noqa: B027 (optional hook)
        """Stop extra tasks."""

    # -- faults ------------------------------------------------------------

    async def set_fault(
        self, kind: Fault | str, *, delay: float = 5.0, count: int | None = None
    ) -> None:
        """Inject a fault; ``count`` limits it to that many requests."""
        fault = Fault(kind)
        self.faults.kind = fault
        self.faults.delay = delay
        self.faults.remaining = count
        if fault is Fault.REFUSED:
            await self._unlisten()
        elif self._running and self._restart_task is None:
            await self._listen()

    async def clear_fault(self) -> None:
        """Back to normal behaviour (listening again if refused)."""
        await self.set_fault(Fault.NONE)

    async def _hang(self) -> None:
        """Never answer (until the device goes down or the simulator stops)."""
        await self._dropped.wait()

    async def _apply_latency(self) -> None:
        if self.latency > 0:
            await asyncio.sleep(self.latency)

    # -- restarts ----------------------------------------------------------

    def schedule_restart(self, after: float | None = None) -> None:
        """Reboot shortly (after the reply went out), like the firmware does."""
        if self._restart_task is None or self._restart_task.done():
            delay = self.restart_reply_delay if after is None else after
            self._restart_task = asyncio.get_running_loop().create_task(
                self._reboot(delay), name=f"{self.name}-reboot"
            )

    async def restart(self) -> None:
        """Reboot now and return once the device answers again."""
        self.schedule_restart(0.0)
        await self.wait_restarted()

    async def wait_restarted(self) -> None:
        """Wait for a scheduled reboot to complete."""
        if self._restart_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._restart_task

    async def wait_up(self) -> None:
        """Wait until the device answers."""
        await self._up.wait()

    async def _reboot(self, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            await self._unlisten()
            await asyncio.sleep(self.restart_downtime)
            self.boots += 1
            self._on_boot()
        finally:
            self._restart_task = None
        if self.faults.kind is not Fault.REFUSED:
            await self._listen()

    @abstractmethod
    def _on_boot(self) -> None:
        """Apply pending configuration and reset session counters."""

    # -- description -------------------------------------------------------

    @property
    @abstractmethod
    def profile_name(self) -> str:
        """The firmware profile this simulator plays."""

    def describe(self) -> dict[str, object]:
        """What the fleet prints for this device."""
        return {
            "name": self.name,
            "kind": self.kind,
            "miner_type": self.miner_type,
            "profile": self.profile_name,
            "host": self.host,
            "port": self.port,
        }
