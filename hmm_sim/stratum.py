"""A stratum V1 pool on 127.0.0.1: enough of a pool to be checked and measured.

Newline-delimited JSON over TCP. ``mining.subscribe`` and ``mining.authorize``
are answered as public-pool/ckpool do; before every reply the pool pushes
``mining.set_difficulty`` / ``mining.notify`` and a stray reply to an id the
client never used, so a client that does not match replies by ``id`` fails.
The behaviour is switched at runtime with :meth:`StratumPoolSimulator.set_mode`.
"""

from __future__ import annotations

import asyncio
import contextlib
from enum import StrEnum
import json
import time
from typing import TYPE_CHECKING, Any, Self

from .tcp import TcpSimulator

if TYPE_CHECKING:
    from collections.abc import Mapping

SUBSCRIPTION_ID = "67e5f117"
EXTRANONCE2_SIZE = 8
GARBAGE = b"\x8f\xfe\x01HTTP/1.1 400 Bad Request\r\n\r\n<html>\xff\n"


class PoolMode(StrEnum):
    """How the pool treats the next connections and requests."""

    NORMAL = "normal"
    SLOW = "slow"  # every reply waits ``slow_delay`` seconds (plus ``latency``)
    REFUSE = "refuse"  # listening socket closed: connection refused
    GARBAGE = "garbage"  # non-JSON bytes instead of a reply
    AUTH_REJECT = "auth_reject"  # authorize: false + an error echoing the credentials
    DROP_AFTER_SUBSCRIBE = "drop_after_subscribe"  # close right after subscribe reply


class StratumPoolSimulator(TcpSimulator):
    """One stratum pool; ``users`` maps user → password (None: any password).

    With ``users=None`` every user and password is accepted. ``requests_log``
    holds every request received (decoded JSON objects, oldest first) and
    ``request_times`` when each arrived (``time.monotonic()``).
    """

    kind = "stratum"
    miner_type = "pool"

    def __init__(
        self,
        *,
        users: Mapping[str, str | None] | None = None,
        mode: PoolMode | str = PoolMode.NORMAL,
        slow_delay: float = 0.15,
        difficulty: float = 10_000.0,
        notify_interval: float | None = None,
        interleave: bool = True,
        **kwargs: Any,
    ) -> None:
        """See the class docstring; ``latency`` (base) delays every reply."""
        kwargs.setdefault("name", "stratum-pool")
        super().__init__(**kwargs)
        self.users = dict(users) if users is not None else None
        self.mode = PoolMode(mode)
        self.slow_delay = slow_delay
        self.difficulty = difficulty
        self.notify_interval = notify_interval
        self.interleave = interleave
        self.requests_log: list[dict[str, Any]] = []
        self.request_times: list[float] = []  # monotonic arrival, per request
        self.notifications_sent = 0  # set_difficulty and notify messages
        self.stray_replies_sent = 0  # replies to ids no client used
        self._job = 0

    @property
    def profile_name(self) -> str:
        """Pools have no firmware profile; the mode stands in for it."""
        return f"stratum-{self.mode}"

    def _on_boot(self) -> None:
        self._job = 0

    async def start(self) -> Self:
        """Start listening (unless created in REFUSE mode)."""
        await super().start()
        if self.mode is PoolMode.REFUSE:
            await self._unlisten()
        return self

    async def set_mode(
        self, mode: PoolMode | str, *, slow_delay: float | None = None
    ) -> None:
        """Switch behaviour; REFUSE closes the listener, any other mode reopens it."""
        self.mode = PoolMode(mode)
        if slow_delay is not None:
            self.slow_delay = slow_delay
        if self.mode is PoolMode.REFUSE:
            await self._unlisten()
        else:
            await self._listen()

    def methods(self) -> list[str]:
        """The methods received, in order."""
        return [str(r.get("method")) for r in self.requests_log]

    # -- server ------------------------------------------------------------

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        pusher: asyncio.Task[None] | None = None
        if self.notify_interval:
            pusher = asyncio.create_task(self._push_jobs(writer, self.notify_interval))
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                if not await self._answer(line, writer):
                    break
        except (ConnectionError, asyncio.CancelledError, ValueError):
            pass
        finally:
            if pusher is not None:
                pusher.cancel()
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, line: bytes, writer: asyncio.StreamWriter) -> bool:
        """Answer one request line; False closes the connection."""
        try:
            request = json.loads(line)
        except ValueError:
            return False  # a real pool drops clients that send garbage
        if not isinstance(request, dict):
            return False
        self.requests += 1
        self.requests_log.append(request)
        self.request_times.append(time.monotonic())
        mode = self.mode
        await self._apply_latency()
        if mode is PoolMode.SLOW:
            await asyncio.sleep(self.slow_delay)
        if mode is PoolMode.GARBAGE:
            writer.write(GARBAGE)
            await writer.drain()
            return True
        method = request.get("method")
        msg_id = request.get("id")
        if self.interleave:
            self._interleave(writer, msg_id, method)
        reply = self._reply(msg_id, method, request.get("params"), mode)
        self._send(writer, reply)
        await writer.drain()
        return not (
            mode is PoolMode.DROP_AFTER_SUBSCRIBE and method == "mining.subscribe"
        )

    def _reply(
        self, msg_id: Any, method: Any, params: Any, mode: PoolMode
    ) -> dict[str, Any]:
        if method == "mining.subscribe":
            result: Any = [
                [["mining.notify", SUBSCRIPTION_ID]],
                f"{self.port:08x}",
                EXTRANONCE2_SIZE,
            ]
            return {"id": msg_id, "result": result, "error": None}
        if method == "mining.authorize":
            user, password = [*(params if isinstance(params, list) else []), "", ""][:2]
            if mode is PoolMode.AUTH_REJECT or not self._accepts(user, password):
                # Real pools echo the worker; this one echoes the password too, so
                # clients are tested on keeping pool messages free of secrets.
                error = [24, f"Unauthorized worker {user} (password {password})", None]
                return {"id": msg_id, "result": False, "error": error}
            return {"id": msg_id, "result": True, "error": None}
        if method in ("mining.configure", "mining.extranonce.subscribe"):
            return {"id": msg_id, "result": True, "error": None}
        return {"id": msg_id, "result": None, "error": [20, "Unknown method", None]}

    def _accepts(self, user: object, password: object) -> bool:
        if self.users is None:
            return True
        if not isinstance(user, str) or user not in self.users:
            return False
        expected = self.users[user]
        return expected is None or expected == password

    # -- notifications -------------------------------------------------------

    def _send(self, writer: asyncio.StreamWriter, message: dict[str, Any]) -> None:
        writer.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")

    def _notify(self, writer: asyncio.StreamWriter) -> None:
        self._job += 1
        job = f"{self._job:x}"
        params = [job, "00" * 32, "01", "02", [], "20000000", "1703a30c", "6750a1b2"]
        self._send(writer, {"id": None, "method": "mining.notify", "params": params})
        self.notifications_sent += 1

    def _interleave(
        self, writer: asyncio.StreamWriter, msg_id: Any, method: Any
    ) -> None:
        """Push what real pools push, plus a reply to an id nobody used."""
        self._send(
            writer,
            {
                "id": None,
                "method": "mining.set_difficulty",
                "params": [self.difficulty],
            },
        )
        self.notifications_sent += 1
        self._notify(writer)
        stray_id = msg_id + 100 if type(msg_id) is int else 999
        stray_result: Any = False if method == "mining.subscribe" else "stray"
        self._send(writer, {"id": stray_id, "result": stray_result, "error": None})
        self.stray_replies_sent += 1

    async def _push_jobs(self, writer: asyncio.StreamWriter, interval: float) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            while True:
                await asyncio.sleep(interval)
                self._notify(writer)
                await writer.drain()

    def describe(self) -> dict[str, object]:
        """Name, kind, host and port, plus the mode."""
        return {**super().describe(), "mode": str(self.mode)}
