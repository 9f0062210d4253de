"""cgminer API (TCP 4028) transport and the Avalon Nano 3 / 3S driver.

The API is single-threaded and serves **one command per connection**: connect,
send the JSON request, read until the NUL byte (or EOF), close. Commands to one
device are serialized by a lock (devices.md §3.1).

Control (§3.3): mode = ``ascset|0,workmode,set,N`` (Nano 3S) or
``ascset|0,worklevel,set,N`` (Nano 3); pool = ``setpool`` with the web
credentials, then ``ascset|0,reboot,0``; restart = ``ascset|0,reboot,0`` (the
Nano 3S has no ``restart`` command). Every value placed in a command is
validated first (:mod:`.validation`); the ``setpool`` reply echoes the pool
password, so its text is never logged or put into an exception.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any, Final

from .avalon_stats import (
    MAX_REPLY_BYTES,
    decode_cgminer_reply,
    find_mm,
    parse_avalon,
    reply_status,
)
from .base import MinerDriver
from .exceptions import (
    MinerAuthError,
    MinerConnectionError,
    MinerRefusedError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
)
from .parsing import rebooted
from .types import AVALON_MODES, MinerType
from .validation import check_cgminer_pool, check_cgminer_text

if TYPE_CHECKING:
    from .snapshot import MinerSnapshot, PoolTarget

CGMINER_PORT: Final = 4028
VERSION_REFRESH_S: Final = 3600.0
NANO3S_WEB_USER: Final = "admin"
NANO3_WEB_USER: Final = "root"
NANO3_MODEL: Final = "Avalon Nano 3"
_COMMAND_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz+")


class CgminerClient:
    """Sends cgminer API commands to one host, one connection per command."""

    __slots__ = ("_lock", "host", "port", "timeout")

    def __init__(
        self, host: str, port: int = CGMINER_PORT, *, timeout: float = 10.0
    ) -> None:
        """Remember the address; connections are opened per command."""
        self.host = host
        self.port = port
        self.timeout = timeout
        self._lock = asyncio.Lock()

    async def command(
        self, command: str, parameter: str | None = None
    ) -> dict[str, Any]:
        """Send one command and return the decoded JSON reply."""
        return decode_cgminer_reply(await self.raw(command, parameter))

    async def raw(self, command: str, parameter: str | None = None) -> bytes:
        """Send one command (JSON request form) and return the raw reply bytes."""
        if not command or not _COMMAND_CHARS.issuperset(command):
            raise MinerUnsupportedError(f"not a cgminer command: {command!r}")
        request: dict[str, str] = {"command": command}
        if parameter is not None:
            # Callers validate values; this is the last line against NUL/controls.
            if not parameter.isprintable():
                raise MinerUnsupportedError(
                    "cgminer parameter holds control characters"
                )
            request["parameter"] = parameter
        payload = json.dumps(request).encode()
        async with self._lock:
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._exchange(payload)
            except TimeoutError as err:
                raise MinerTimeoutError(
                    f"{self.host}:{self.port}: no reply in time"
                ) from err
            except (OSError, ValueError) as err:  # ValueError: unencodable host name
                raise MinerConnectionError(
                    f"{self.host}:{self.port}: {type(err).__name__}"
                ) from err

    async def _exchange(self, payload: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(payload)
            await writer.drain()
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if b"\x00" in chunk:
                    break
                if size > MAX_REPLY_BYTES:
                    raise MinerResponseError("reply too large")
        finally:
            writer.close()
        if not chunks:
            raise MinerConnectionError(
                f"{self.host}:{self.port}: closed without a reply"
            )
        return b"".join(chunks)


def check_ascset_reply(reply: dict[str, Any]) -> str:
    """Raise unless an ``ascset`` reply means success; return its message."""
    letter, code, message = reply_status(reply)
    lowered = message.lower()
    if (
        "caling" in lowered
        or "calibrat" in lowered
        or "don't permit switch mode" in lowered
    ):
        raise MinerRefusedError(f"refused while calibrating: {message}", "calibrating")
    if letter in ("S", "I"):
        return message
    if code == 14:
        raise MinerUnsupportedError(f"the device does not know this command: {message}")
    if "max_mode" in lowered or "not support" in lowered:
        raise MinerRefusedError(f"mode not supported: {message}", "unsupported_mode")
    raise MinerRefusedError(f"the device refused: {message}", "refused")


def split_joined(reply: dict[str, Any], name: str) -> dict[str, Any] | None:
    """Return the reply to ``name`` inside a ``+``-joined reply, if present."""
    part = reply.get(name)
    if type(part) is list and part and type(part[0]) is dict:
        return part[0]
    return None


def setpool_credentials(
    model: str | None, web_user: str | None, web_password: str
) -> tuple[str, str]:
    """Return the (user, password) field pair ``setpool`` expects.

    The Nano 3S checks sha256(password) against its stored hash, so it gets the
    password itself with user ``admin``. The Nano 3 firmware expects user
    ``root`` and the token ``"ff0000ff" + sha256(password)[:24]`` (devices.md
    §3.3, from prcolaco/avalon-nano-cli; not confirmed on hardware).
    """
    if model == NANO3_MODEL:
        token = "ff0000ff" + hashlib.sha256(web_password.encode()).hexdigest()[:24]
        return check_cgminer_text("web user", web_user or NANO3_WEB_USER, 64), token
    return check_cgminer_text("web user", web_user or NANO3S_WEB_USER, 64), web_password


class AvalonNanoDriver(MinerDriver):
    """Avalon Nano 3 and Nano 3S over the cgminer API."""

    miner_type = MinerType.AVALON_NANO
    default_port = CGMINER_PORT

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        web_password: str | None = None,
        web_user: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        """No I/O here; the web password is only used by :meth:`switch_pool`.

        ``web_user`` None picks the model's user (``admin`` on the Nano 3S,
        ``root`` on the Nano 3).
        """
        super().__init__(host, port)
        self.client = CgminerClient(host, self.port, timeout=timeout)
        self._web_user = web_user
        self._web_password = web_password
        self._version: dict[str, Any] | None = None
        self._version_at = 0.0
        self._mode_command: str | None = None
        self._model: str | None = None
        self._join_reads = True
        self._uptime: int | None = None

    def __repr__(self) -> str:
        """Never show the web password."""
        return f"AvalonNanoDriver(host={self.host!r}, port={self.port})"

    @property
    def modes(self) -> tuple[str, ...]:
        """Return low / med / high (workmode or worklevel 0 / 1 / 2)."""
        return AVALON_MODES

    async def fetch(self) -> MinerSnapshot:
        """Poll ``summary``, ``estats``, ``pools`` (+ ``version`` once an hour).

        The reads go as one ``+``-joined command (one connection instead of
        three); firmware that refuses joins gets them one by one from then on.
        A reboot (uptime went down) may have been a firmware update: the
        cached ``version`` is read again at once.
        """
        now = time.monotonic()
        names = ["summary", "estats", "pools"]
        if self._version is None or now - self._version_at > VERSION_REFRESH_S:
            names.insert(0, "version")
        replies = await self._read(names)
        if names[0] == "version":
            self._version = replies.pop(0)
            self._version_at = now
        state = parse_avalon(self._version, *replies)
        uptime = state.snapshot.uptime_seconds
        if names[0] != "version" and rebooted(self._uptime, uptime):
            self._version = await self.client.command("version")
            self._version_at = now
            state = parse_avalon(self._version, *replies)
        if uptime is not None:
            self._uptime = uptime
        self._mode_command = state.mode_command
        self._model = state.snapshot.model
        return state.snapshot

    async def _read(self, names: list[str]) -> list[dict[str, Any]]:
        if self._join_reads:
            joined = await self.client.command("+".join(names))
            parts = [split_joined(joined, name) for name in names]
            if all(part is not None for part in parts):
                return parts  # type: ignore[return-value]
            self._join_reads = False
        return [await self.client.command(name) for name in names]

    async def set_mode(self, mode: str) -> None:
        """Switch workmode (3S) / worklevel (Nano 3); refused while calibrating."""
        if mode not in AVALON_MODES:
            raise MinerUnsupportedError(f"unknown mode {mode!r}")
        if self._mode_command is None:
            mm = find_mm(await self.client.command("estats"))
            self._mode_command = (
                "workmode"
                if "WORKMODE" in mm
                else "worklevel"
                if "WORKLEVEL" in mm
                else None
            )
        if self._mode_command is None:
            raise MinerUnsupportedError(
                "the device reports neither WORKMODE nor WORKLEVEL"
            )
        level = AVALON_MODES.index(mode)
        reply = await self.client.command(
            "ascset", f"0,{self._mode_command},set,{level}"
        )
        check_ascset_reply(reply)

    async def switch_pool(self, pool: PoolTarget) -> None:
        """Write pool slot 0 with ``setpool`` (needs the web password), then reboot."""
        host, port, user, password = check_cgminer_pool(pool)
        if not self._web_password:
            raise MinerAuthError("changing pools on an Avalon needs its web password")
        web_password = check_cgminer_text("web password", self._web_password, 128)
        if self._model is None:
            await self.fetch()
        web_user, web_secret = setpool_credentials(
            self._model, self._web_user, web_password
        )
        parameter = (
            f"{web_user},{web_secret},0,stratum+tcp://{host}:{port},{user},{password}"
        )
        reply = await self.client.command("setpool", parameter)
        # The reply text echoes the password: only the status and code are used.
        letter, code, _ = reply_status(reply)
        if code == 132:
            raise MinerAuthError("the Avalon refused the web user or password")
        if letter != "S":
            raise MinerRefusedError(f"setpool failed (code {code})", "refused")
        await self.restart()

    async def restart(self) -> None:
        """Reboot now (``ascset|0,reboot,0``)."""
        check_ascset_reply(await self.client.command("ascset", "0,reboot,0"))
        self._version = None
