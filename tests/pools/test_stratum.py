"""The stratum check (pools/stratum.py) against the pool simulator, every mode."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Self

import pytest

from custom_components.home_miner_manager.devices.snapshot import PoolTarget
from custom_components.home_miner_manager.pools.stratum import (
    StratumCheck,
    check_stratum,
    check_stratum_pools,
)
from hmm_sim.stratum import PoolMode, StratumPoolSimulator

from .conftest import POOL_PASSWORD, POOL_USER


def assert_no_secrets(result: StratumCheck) -> None:
    text = f"{result!r} {result.message}"
    assert POOL_PASSWORD not in text
    assert POOL_USER not in text
    assert POOL_USER.partition(".")[0] not in text  # the wallet address alone


async def test_good_pool_is_reachable_and_authorized(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    result = await check_stratum(pool_target)
    assert result == StratumCheck(
        reachable=True,
        response_time_ms=result.response_time_ms,
        authorized=True,
    )
    assert result.ok
    assert result.response_time_ms is not None
    assert 0 < result.response_time_ms < 1000
    # What was sent: subscribe with our client name, then the credentials.
    assert stratum_pool.requests_log == [
        {"id": 1, "method": "mining.subscribe", "params": ["hmm/1.0"]},
        {"id": 2, "method": "mining.authorize", "params": [POOL_USER, POOL_PASSWORD]},
    ]
    # Each reply was preceded by set_difficulty, notify and a stray reply.
    assert stratum_pool.notifications_sent == 4
    assert stratum_pool.stray_replies_sent == 2


async def test_response_time_is_the_subscribe_round_trip(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    await stratum_pool.set_mode(PoolMode.SLOW, slow_delay=0.12)
    result = await check_stratum(pool_target)
    assert result.ok
    assert result.response_time_ms is not None
    # The TCP connect is instant on 127.0.0.1; the 120 ms are the reply's.
    assert result.response_time_ms >= 120


async def test_replies_are_matched_by_id_not_by_order(
    pool_target: PoolTarget, stratum_pool: StratumPoolSimulator
) -> None:
    # The stray reply (id 101, result false) arrives before the subscribe reply;
    # a client taking the first reply would call the pool "not stratum".
    assert stratum_pool.interleave
    result = await check_stratum(pool_target)
    assert result.ok
    stratum_pool.interleave = False
    assert (await check_stratum(pool_target)).ok


async def test_notifications_pushed_while_waiting_are_ignored(
    socket_enabled: None,
) -> None:
    async with StratumPoolSimulator(notify_interval=0.005) as sim:
        await sim.set_mode(PoolMode.SLOW, slow_delay=0.1)
        target = PoolTarget(url="127.0.0.1", port=sim.port, user="any")
        result = await check_stratum(target)
        assert result.ok
        assert sim.notifications_sent > 10


async def test_wrong_password_is_auth_failed_without_secrets(
    stratum_pool: StratumPoolSimulator,
) -> None:
    target = PoolTarget(
        url="127.0.0.1", port=stratum_pool.port, user=POOL_USER, password="wrong-pw"
    )
    result = await check_stratum(target)
    assert result.reachable
    assert not result.authorized
    assert result.error == "auth_failed"
    assert result.message is not None
    assert "code 24" in result.message
    assert "wrong-pw" not in result.message
    assert_no_secrets(result)


async def test_auth_reject_mode(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    await stratum_pool.set_mode(PoolMode.AUTH_REJECT)
    result = await check_stratum(pool_target)
    assert (result.reachable, result.authorized, result.error) == (
        True,
        False,
        "auth_failed",
    )
    assert result.response_time_ms is not None
    assert_no_secrets(result)
    # The simulator did echo them: the client is what removed them.
    assert stratum_pool.methods() == ["mining.subscribe", "mining.authorize"]


async def test_refused_connection(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    await stratum_pool.set_mode(PoolMode.REFUSE)
    result = await check_stratum(pool_target)
    assert result == StratumCheck(
        reachable=False,
        error="cannot_connect",
        message=result.message,
        cause="refused",  # worded for people by the pool flow
    )
    assert_no_secrets(result)
    # Back to normal on the same port.
    await stratum_pool.set_mode(PoolMode.NORMAL)
    assert (await check_stratum(pool_target)).ok


async def test_garbage_is_not_stratum(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    await stratum_pool.set_mode(PoolMode.GARBAGE)
    result = await check_stratum(pool_target)
    assert (result.reachable, result.error) == (False, "not_stratum")
    assert result.response_time_ms is None
    assert_no_secrets(result)


async def test_drop_after_subscribe(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    await stratum_pool.set_mode(PoolMode.DROP_AFTER_SUBSCRIBE)
    result = await check_stratum(pool_target)
    # The pool answered subscribe (reachable, timed) but never the credentials.
    assert result.reachable
    assert result.response_time_ms is not None
    assert not result.authorized
    assert result.error == "cannot_connect"
    assert result.cause == "closed"
    assert_no_secrets(result)


async def test_timeout_before_subscribe_reply(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    await stratum_pool.set_mode(PoolMode.SLOW, slow_delay=5.0)
    result = await check_stratum(pool_target, timeout=0.2)
    assert (result.reachable, result.error) == (False, "cannot_connect")
    assert result.message == "no subscribe answer within 0.2 s"
    assert result.cause == "timeout"


async def test_timeout_between_subscribe_and_authorize(
    stratum_pool: StratumPoolSimulator, pool_target: PoolTarget
) -> None:
    await stratum_pool.set_mode(PoolMode.SLOW, slow_delay=0.15)
    result = await check_stratum(pool_target, timeout=0.25)
    assert result.reachable
    assert result.response_time_ms is not None
    assert result.error == "cannot_connect"
    assert result.message == "no authorize answer within 0.25 s"


async def test_unknown_host(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The resolver says "no such name" without a real lookup (a DNS server is
    # outside 127.0.0.1).
    def no_such_name(host: object, *args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    target = PoolTarget(url="pool.invalid", port=3333, user=POOL_USER)
    result = await check_stratum(target, timeout=5)
    assert (result.reachable, result.error) == (False, "cannot_connect")
    assert result.cause == "dns"
    assert_no_secrets(result)


class RawPool:
    """A 127.0.0.1 peer that answers every line with fixed bytes."""

    def __init__(self, replies: list[bytes], close: bool = False) -> None:
        self.replies = replies
        self.close = close
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *args: object) -> None:
        assert self._server is not None
        self._server.close()
        self._server.abort_clients()
        await self._server.wait_closed()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        for reply in self.replies:
            if not await reader.readline():
                break
            writer.write(reply)
            await writer.drain()
        if self.close:
            writer.close()
        else:
            await reader.read()

    def target(self) -> PoolTarget:
        return PoolTarget(url="127.0.0.1", port=self.port, user=POOL_USER)


def line(message: object) -> bytes:
    return json.dumps(message).encode() + b"\n"


SUBSCRIBED = line(
    {"id": 1, "result": [[["mining.notify", "ab"]], "01", 4], "error": None}
)


@pytest.mark.parametrize(
    ("replies", "close", "reachable", "error"),
    [
        ([b"SSH-2.0-OpenSSH_9.6\r\n"], False, False, "not_stratum"),
        ([b"[1, 2, 3]\n"], False, False, "not_stratum"),
        ([line({"id": 1, "result": True, "error": None})], False, False, "not_stratum"),
        ([b'{"id": 1, "result": [[], "01"' + b" " * 70000 + b"\n"], False, False, "not_stratum"),
        ([b'{"id":1,"res'], True, False, "not_stratum"),  # cut mid-line
        ([], True, False, "cannot_connect"),  # closed before any answer
        ([line({"id": 1, "result": None, "error": [25, "Not subscribed", None]})], False, True, "auth_failed"),
        ([SUBSCRIBED, line({"id": 2, "result": False, "error": None})], False, True, "auth_failed"),
        ([SUBSCRIBED, line({"id": 2, "result": None, "error": None})], False, True, "auth_failed"),
        ([SUBSCRIBED, line({"id": 2, "result": True, "error": [20, "x", None]})], False, True, "auth_failed"),
        # "id": true must not pass for id 1 (True == 1 in Python).
        ([line({"id": True, "result": [[], "01", 4], "error": None})], True, False, "cannot_connect"),
        ([SUBSCRIBED, b"\n\n" + line({"id": 2, "result": True, "error": None})], False, True, None),
        # A server request that reuses our id is not our reply (it has a method).
        ([line({"id": 1, "method": "client.get_version", "params": []}) + SUBSCRIBED, line({"id": 2, "result": True, "error": None})], False, True, None),
    ],
)  # fmt: skip
async def test_odd_servers(
    socket_enabled: None,
    replies: list[bytes],
    close: bool,
    reachable: bool,
    error: str | None,
) -> None:
    async with RawPool(replies, close) as pool:
        result = await check_stratum(pool.target(), timeout=2)
    assert (result.reachable, result.error) == (reachable, error)
    assert result.authorized is (error is None)
    assert_no_secrets(result)


async def test_pool_messages_are_bounded_and_printable(socket_enabled: None) -> None:
    long_error = [24, "bad\x00\x1b[31m" + "x" * 5000 + POOL_USER, None]
    replies = [SUBSCRIBED, line({"id": 2, "result": False, "error": long_error})]
    async with RawPool(replies) as pool:
        result = await check_stratum(pool.target(), timeout=2)
    assert result.error == "auth_failed"
    assert result.message is not None
    assert result.message.isprintable()
    assert len(result.message) < 200


async def test_many_pools_are_checked_side_by_side(socket_enabled: None) -> None:
    sims = [StratumPoolSimulator(latency=0.1) for _ in range(12)]
    for sim in sims:
        await sim.start()
    try:
        await sims[3].set_mode(PoolMode.REFUSE)
        targets = [
            PoolTarget(url="127.0.0.1", port=sim.port, user=f"u{i}")
            for i, sim in enumerate(sims)
        ]
        results = await check_stratum_pools(targets)
    finally:
        for sim in sims:
            await sim.stop()
    assert [r.ok for r in results] == [i != 3 for i in range(12)]  # order kept
    assert results[3].error == "cannot_connect"
    # Side by side: every pool got its subscribe before any pool was sent an
    # authorize (one after the other, pool 0 would authorize before pool 1
    # subscribes). An ordering of events, not a timing threshold.
    answering = [sim for i, sim in enumerate(sims) if i != 3]
    last_subscribe = max(sim.request_times[0] for sim in answering)
    first_authorize = min(sim.request_times[1] for sim in answering)
    assert [sim.methods() for sim in answering] == [
        ["mining.subscribe", "mining.authorize"]
    ] * 11
    assert last_subscribe < first_authorize
    # Each pool saw its own user.
    assert sims[5].requests_log[1]["params"][0] == "u5"


async def test_simulator_pushes_between_request_and_reply(
    stratum_pool: StratumPoolSimulator,
) -> None:
    """The simulator really interleaves (so the id tests above mean something)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", stratum_pool.port)
    try:
        writer.write(line({"id": 7, "method": "mining.subscribe", "params": []}))
        messages = [json.loads(await reader.readline()) for _ in range(4)]
    finally:
        writer.close()
    assert [m.get("method") for m in messages[:2]] == [
        "mining.set_difficulty",
        "mining.notify",
    ]
    assert messages[2]["id"] == 107  # the stray reply
    assert messages[3]["id"] == 7
    assert messages[3]["result"][0] == [["mining.notify", "67e5f117"]]
    assert messages[3]["result"][2] == 8


async def test_simulator_refuses_at_the_socket(
    stratum_pool: StratumPoolSimulator,
) -> None:
    await stratum_pool.set_mode("refuse")
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", stratum_pool.port), timeout=1),
    ):
        pass


BARE_ADDRESS = "bc1qbarewalletaddress00000000000000000000"
WORKER_USER = f"{BARE_ADDRESS}.rig-7"
SECRET_PASSWORD = "d=4096;pw=hunter2"


def _refusals(echo: str) -> list[tuple[str, list[bytes]]]:
    """Every shape a pool's error can take, each echoing ``echo``."""
    refused = f"Unauthorized worker {echo}"
    return [
        ("subscribe list", [line({"id": 1, "result": None, "error": [24, refused, None]})]),
        ("authorize list", [SUBSCRIBED, line({"id": 2, "result": False, "error": [24, refused, None]})]),
        ("authorize list, no code", [SUBSCRIBED, line({"id": 2, "result": False, "error": ["x", refused]})]),
        ("authorize dict", [SUBSCRIBED, line({"id": 2, "result": False, "error": {"code": 24, "message": refused}})]),
        ("authorize string", [SUBSCRIBED, line({"id": 2, "result": None, "error": refused})]),
        ("authorize true with error", [SUBSCRIBED, line({"id": 2, "result": True, "error": [21, refused, None]})]),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("user", "password", "echo"),
    [
        # A bare wallet address as the user (no ".worker"): the address is the user.
        (BARE_ADDRESS, "x", BARE_ADDRESS),
        (BARE_ADDRESS, SECRET_PASSWORD, f"{BARE_ADDRESS} password {SECRET_PASSWORD}"),
        # address.worker: the whole user, and the address alone.
        (WORKER_USER, "x", WORKER_USER),
        (WORKER_USER, "x", f"{BARE_ADDRESS} (worker unknown)"),
        (WORKER_USER, SECRET_PASSWORD, f"{BARE_ADDRESS}/{SECRET_PASSWORD}"),
        # Pools that change the case of what they echo (bech32 is case-blind).
        (BARE_ADDRESS, "x", BARE_ADDRESS.upper()),
        (WORKER_USER, "x", WORKER_USER.upper()),
    ],
)
async def test_no_wallet_or_password_in_any_error_form(
    socket_enabled: None, user: str, password: str, echo: str
) -> None:
    """Whatever form the pool's refusal takes, the credentials are scrubbed."""
    address = user.partition(".")[0]
    for form, replies in _refusals(echo):
        async with RawPool(replies) as pool:
            target = PoolTarget(
                url="127.0.0.1", port=pool.port, user=user, password=password
            )
            result = await check_stratum(target, timeout=2)
        assert result.error == "auth_failed", form
        text = f"{result!r} {result.message}".lower()
        assert address.lower() not in text, form
        assert user.lower() not in text, form
        if password != "x":
            assert password.lower() not in text, form
        assert "unauthorized worker ***" in text, form


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (
            ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 3333)"),
            "refused",
        ),
        # IPv4 and IPv6 both refusing: one plain OSError naming both.
        (
            OSError(
                "Multiple exceptions: [Errno 111] Connect call failed ('::1', 3333), "
                "[Errno 111] Connect call failed ('127.0.0.1', 3333)"
            ),
            "refused",
        ),
        (ConnectionResetError(104, "Connection reset by peer"), "closed"),
        (OSError(113, "No route to host"), "network"),
    ],
)
async def test_connect_failure_causes(
    monkeypatch: pytest.MonkeyPatch, error: OSError, cause: str
) -> None:
    """How a failed connect is told apart (the flow words each for people)."""

    async def fail(*args: object, **kwargs: object) -> object:
        raise error

    monkeypatch.setattr(asyncio, "open_connection", fail)
    target = PoolTarget(url="127.0.0.1", port=3333, user=POOL_USER)
    result = await check_stratum(target, timeout=5)
    assert (result.error, result.cause) == ("cannot_connect", cause)
