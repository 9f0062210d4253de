"""Check a pool the way a miner meets it: stratum V1 subscribe + authorize.

Upstream timed a bare TCP connect and called it the response time; here the
response time is the ``mining.subscribe`` round trip, and the pool must also
accept the credentials. Replies are matched by ``id``: pools push
``mining.set_difficulty`` / ``mining.notify`` at any time, even between a
request and its reply. Messages never contain the user or the password.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import errno
import json
import re
import socket
import time
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..devices.snapshot import PoolTarget

DEFAULT_TIMEOUT: Final = 10.0
CLIENT_NAME: Final = "hmm/1.0"
MAX_LINE: Final = 64 * 1024  # mining.notify with a long merkle branch stays far below
MAX_MESSAGES: Final = 200  # notifications tolerated while waiting for one reply
MAX_POOL_TEXT: Final = 120  # of a pool's own error message, after scrubbing

ERROR_CANNOT_CONNECT: Final = "cannot_connect"
ERROR_NOT_STRATUM: Final = "not_stratum"
ERROR_AUTH_FAILED: Final = "auth_failed"

# Why a ``cannot_connect`` check failed (the flow words each one for people).
CAUSE_TIMEOUT: Final = "timeout"
CAUSE_REFUSED: Final = "refused"
CAUSE_DNS: Final = "dns"
CAUSE_CLOSED: Final = "closed"
CAUSE_NETWORK: Final = "network"

_SUBSCRIBE_ID: Final = 1
_AUTHORIZE_ID: Final = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class StratumCheck:
    """The outcome of one check.

    ``reachable``: a stratum server answered ``mining.subscribe``;
    ``response_time_ms``: that round trip (None when there was no answer);
    ``authorized``: ``mining.authorize`` returned true;
    ``error``: None, ``cannot_connect`` (refused, timeout, DNS, closed before an
    answer), ``not_stratum`` (an answer that is not stratum JSON) or
    ``auth_failed`` (subscribe or authorize refused); ``message``: a short
    English explanation without secrets, for logs and ``PoolHealth.error_message``;
    ``cause``: for ``cannot_connect``, one of the ``CAUSE_*`` keys.
    """

    reachable: bool
    response_time_ms: float | None = None
    authorized: bool = False
    error: str | None = None
    message: str | None = None
    cause: str | None = None

    @property
    def ok(self) -> bool:
        """True when the pool answered and accepted the credentials."""
        return self.error is None and self.authorized


class _CheckError(Exception):
    """Ends a check early with an error key (internal)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


class _Session:
    """One connection: send requests, read lines until the matching reply."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.reader = reader
        self.writer = writer

    async def call(self, msg_id: int, method: str, params: list[Any]) -> Any:
        """Send one request; return its whole reply object."""
        line = json.dumps({"id": msg_id, "method": method, "params": params})
        self.writer.write(line.encode() + b"\n")
        await self.writer.drain()
        for _ in range(MAX_MESSAGES):
            message = await self._read_message(method)
            if message is None:
                continue
            if "method" in message:
                continue  # a notification or a server request: not our reply
            reply_id = message.get("id")
            if type(reply_id) is int and reply_id == msg_id:  # True == 1 otherwise
                return message
        raise _CheckError(ERROR_NOT_STRATUM, f"no reply to {method} among the messages")

    async def _read_message(self, method: str) -> dict[str, Any] | None:
        try:
            raw = await self.reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as err:
            if err.partial.strip():
                raise _CheckError(
                    ERROR_NOT_STRATUM, f"unterminated data instead of a {method} reply"
                ) from err
            raise _CheckError(
                ERROR_CANNOT_CONNECT, f"connection closed before the {method} reply"
            ) from err
        except asyncio.LimitOverrunError as err:
            raise _CheckError(ERROR_NOT_STRATUM, "line longer than allowed") from err
        text = raw.strip()
        if not text:
            return None
        try:
            message = json.loads(text)
        except (ValueError, RecursionError) as err:  # also bad UTF-8
            raise _CheckError(ERROR_NOT_STRATUM, "reply is not JSON") from err
        if type(message) is not dict:
            raise _CheckError(ERROR_NOT_STRATUM, "reply is not a JSON object")
        return message


def _scrub(text: object, secrets: tuple[str, ...]) -> str:
    """Make a pool's own message printable and bounded, credentials removed."""
    clean = "".join(ch if ch.isprintable() else " " for ch in str(text))
    for secret in secrets:
        if secret:
            # Any case: pools may echo a (case-blind bech32) address upper-cased.
            clean = re.sub(re.escape(secret), "***", clean, flags=re.IGNORECASE)
    return clean[:MAX_POOL_TEXT]


def _refusal(error: Any, secrets: tuple[str, ...]) -> str:
    """Describe a stratum error (``[code, "message", data]`` or anything else)."""
    if isinstance(error, list) and len(error) >= 2:
        code = error[0] if type(error[0]) is int else None
        text = _scrub(error[1], secrets)
        return f"code {code}: {text}" if code is not None else text
    return _scrub(error, secrets) if error is not None else "refused"


def _secrets(pool: PoolTarget) -> tuple[str, ...]:
    # The address part alone identifies a wallet too; longest first so the
    # whole user is replaced before its address part.
    address = pool.user.partition(".")[0]
    return tuple(
        sorted({pool.user, address, pool.password} - {"", "x"}, key=len, reverse=True)
    )


@dataclass(slots=True)
class _Progress:
    """How far a check got, so a timeout or reset can still report it."""

    stage: str = "connect"
    response_time_ms: float | None = None

    def failed(self, key: str, message: str, cause: str | None = None) -> StratumCheck:
        return StratumCheck(
            reachable=self.response_time_ms is not None,
            response_time_ms=self.response_time_ms,
            error=key,
            message=message,
            cause=cause,
        )


async def _handshake(
    session: _Session, pool: PoolTarget, client_name: str, progress: _Progress
) -> StratumCheck:
    secrets = _secrets(pool)
    progress.stage = "subscribe"
    started = time.perf_counter()
    reply = await session.call(_SUBSCRIBE_ID, "mining.subscribe", [client_name])
    progress.response_time_ms = (time.perf_counter() - started) * 1000.0
    if reply.get("error") is not None:
        return progress.failed(
            ERROR_AUTH_FAILED, "subscribe refused: " + _refusal(reply["error"], secrets)
        )
    if not isinstance(reply.get("result"), list):
        progress.response_time_ms = None  # whatever answered, it is not a pool
        raise _CheckError(ERROR_NOT_STRATUM, "subscribe result is not a stratum list")
    progress.stage = "authorize"
    reply = await session.call(
        _AUTHORIZE_ID, "mining.authorize", [pool.user, pool.password]
    )
    if reply.get("result") is True and reply.get("error") is None:
        return StratumCheck(
            reachable=True, response_time_ms=progress.response_time_ms, authorized=True
        )
    return progress.failed(
        ERROR_AUTH_FAILED,
        "authorize refused: " + _refusal(reply.get("error"), secrets),
    )


def _cause(err: OSError) -> str:
    if isinstance(err, ConnectionRefusedError):
        return CAUSE_REFUSED
    if isinstance(err, (ConnectionResetError, ConnectionAbortedError)):
        return CAUSE_CLOSED
    # Several addresses (IPv4 and IPv6) all refusing come as one plain OSError
    # ("Multiple exceptions: [Errno 111] Connect call failed ..., ...").
    text = str(err)
    if f"[Errno {errno.ECONNREFUSED}]" in text or "refused" in text.lower():
        return CAUSE_REFUSED
    return CAUSE_NETWORK


async def check_stratum(
    pool: PoolTarget,
    *,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (the whole check's budget)
    client_name: str = CLIENT_NAME,
) -> StratumCheck:
    """Connect, subscribe and authorize within ``timeout`` seconds; never raises.

    ``pool.url`` is a bare host (as :func:`.url.parse_pool` returns it).
    """
    writer: asyncio.StreamWriter | None = None
    progress = _Progress()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                pool.url.strip("[]"), pool.port, limit=MAX_LINE
            )
            return await _handshake(
                _Session(reader, writer), pool, client_name, progress
            )
    except TimeoutError:
        return progress.failed(
            ERROR_CANNOT_CONNECT,
            f"no {progress.stage} answer within {timeout:g} s",
            CAUSE_TIMEOUT,
        )
    except _CheckError as failure:
        cause = CAUSE_CLOSED if failure.key == ERROR_CANNOT_CONNECT else None
        return progress.failed(failure.key, failure.message, cause)
    except socket.gaierror:
        return progress.failed(ERROR_CANNOT_CONNECT, "DNS lookup failed", CAUSE_DNS)
    except OSError as err:  # refused, reset, unreachable network
        reason = err.strerror or type(err).__name__
        return progress.failed(
            ERROR_CANNOT_CONNECT, f"{progress.stage} failed: {reason}", _cause(err)
        )
    finally:
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)


async def check_stratum_pools(
    pools: Iterable[PoolTarget],
    *,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 (the whole check's budget)
    concurrency: int = 64,
) -> list[StratumCheck]:
    """Check many pools side by side; results in the order of ``pools``."""
    gate = asyncio.Semaphore(concurrency)

    async def one(pool: PoolTarget) -> StratumCheck:
        async with gate:
            return await check_stratum(pool, timeout=timeout)

    return list(await asyncio.gather(*(one(pool) for pool in pools)))
