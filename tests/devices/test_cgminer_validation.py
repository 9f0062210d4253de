"""Values placed in cgminer commands are validated before anything is sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import hashlib
import json

import pytest

from custom_components.home_miner_manager.devices.cgminer import (
    AvalonNanoDriver,
    CgminerClient,
)
from custom_components.home_miner_manager.devices.exceptions import (
    InvalidCommandValueError,
    MinerAuthError,
    MinerError,
    MinerRefusedError,
    MinerUnsupportedError,
)
from custom_components.home_miner_manager.devices.snapshot import PoolTarget
from custom_components.home_miner_manager.devices.validation import (
    check_cgminer_pool,
    check_pool,
)

from . import parse_fixtures as fx


class RecordingServer:
    """A 127.0.0.1 TCP peer that records each request.

    Read commands get the devices.md fixtures of ``reads``; writes get the queued
    ``replies`` (default: ascset OK).
    """

    def __init__(self) -> None:
        self.reads: dict[str, bytes] = {
            "version": fx.NANO3S_VERSION,
            "summary": fx.NANO3S_SUMMARY,
            "estats": fx.NANO3S_ESTATS,
            "pools": fx.NANO3S_POOLS,
        }
        self.requests: list[dict[str, str]] = []
        self.join_supported = True
        self.replies: list[dict[str, object]] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    def writes(self) -> list[dict[str, str]]:
        """The requests that were not reads."""
        return [
            r for r in self.requests if r["command"].split("+")[0] not in self.reads
        ]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        data = await reader.read(65536)
        request = json.loads(data)
        self.requests.append(request)
        names = request["command"].split("+")
        if len(names) > 1 and not self.join_supported:
            writer.write(
                json.dumps(_status("E", 14, "Invalid command")).encode() + b"\x00"
            )
        elif len(names) > 1:  # a joined read: {"summary": [reply], ...}
            joined = {name: [json.loads(self.reads[name][:-1])] for name in names}
            writer.write(json.dumps(joined).encode() + b"\x00")
        elif request["command"] in self.reads:
            writer.write(self.reads[request["command"]])
        else:
            reply = (
                self.replies.pop(0)
                if self.replies
                else _status("S", 119, "ASC 0 set OK")
            )
            writer.write(json.dumps(reply).encode() + b"\x00")
        await writer.drain()
        writer.close()


def _status(letter: str, code: int, msg: str) -> dict[str, object]:
    return {"STATUS": [{"STATUS": letter, "Code": code, "Msg": msg}], "id": 1}


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[RecordingServer]:
    srv = RecordingServer()
    await srv.start()
    yield srv
    await srv.stop()


GOOD = PoolTarget(
    url="public-pool.io", port=21496, user="bc1qwallet.nano3s", password="x"
)

BAD_POOLS = [
    PoolTarget(url="pool,evil", port=3333, user="u"),
    PoolTarget(url="pool|reboot", port=3333, user="u"),
    PoolTarget(url="pool\x00x", port=3333, user="u"),
    PoolTarget(url="pool example", port=3333, user="u"),
    PoolTarget(url="", port=3333, user="u"),
    PoolTarget(url="p" * 300, port=3333, user="u"),
    PoolTarget(url="pool.example", port=0, user="u"),
    PoolTarget(url="pool.example", port=70000, user="u"),
    PoolTarget(url="pool.example:1234", port=3333, user="u"),
    PoolTarget(url="pool.example", port=3333, user="wallet,worker"),
    PoolTarget(url="pool.example", port=3333, user="wallet|ascset"),
    PoolTarget(url="pool.example", port=3333, user="wallet\nworker"),
    PoolTarget(url="pool.example", port=3333, user="wallet worker"),
    PoolTarget(url="pool.example", port=3333, user=""),
    PoolTarget(url="pool.example", port=3333, user="u" * 500),
    PoolTarget(url="pool.example", port=3333, user="wället"),
    PoolTarget(url="pool.example", port=3333, user="u", password="a,b"),
    PoolTarget(url="pool.example", port=3333, user="u", password="a|b"),
    PoolTarget(url="pool.example", port=3333, user="u", password="a\\b"),
    PoolTarget(url="pool.example", port=3333, user="u", password="a\x7fb"),
    PoolTarget(url="pool.example", port=3333, user="u", password="a\tb"),
    PoolTarget(url="pool.example", port=3333, user="u", password="p" * 200),
]


@pytest.mark.parametrize("pool", BAD_POOLS, ids=range(len(BAD_POOLS)))
async def test_bad_pool_values_send_nothing(
    server: RecordingServer, pool: PoolTarget
) -> None:
    driver = AvalonNanoDriver(
        "127.0.0.1", server.port, web_password="secret", timeout=2
    )
    with pytest.raises(InvalidCommandValueError) as info:
        await driver.switch_pool(pool)
    assert server.requests == []
    # The message never quotes the value (it may be a password).
    assert pool.password not in str(info.value) or pool.password == "x"


@pytest.mark.parametrize("web_password", ["a,b", "a|b", "bad\x00", "x" * 200])
async def test_bad_web_password_sends_nothing(
    server: RecordingServer, web_password: str
) -> None:
    driver = AvalonNanoDriver(
        "127.0.0.1", server.port, web_password=web_password, timeout=2
    )
    with pytest.raises(InvalidCommandValueError):
        await driver.switch_pool(GOOD)
    assert server.requests == []


@pytest.mark.parametrize("web_password", [None, ""])
async def test_missing_web_password_is_auth_error(
    server: RecordingServer, web_password: str | None
) -> None:
    driver = AvalonNanoDriver(
        "127.0.0.1", server.port, web_password=web_password, timeout=2
    )
    with pytest.raises(MinerAuthError):
        await driver.switch_pool(GOOD)
    assert server.requests == []


async def test_good_pool_sends_setpool_then_reboot(server: RecordingServer) -> None:
    server.replies = [
        _status("S", 133, "Pool set info: pool 0 success ... workerpassword is x ..."),
        _status("S", 119, "ASC 0 set OK"),
    ]
    driver = AvalonNanoDriver(
        "127.0.0.1", server.port, web_password="s3cret", timeout=2
    )
    await driver.switch_pool(GOOD)
    assert server.writes() == [
        {
            "command": "setpool",
            "parameter": "admin,s3cret,0,stratum+tcp://public-pool.io:21496,bc1qwallet.nano3s,x",
        },
        {"command": "ascset", "parameter": "0,reboot,0"},
    ]
    assert "s3cret" not in repr(driver)


async def test_nano3_setpool_uses_root_and_token(server: RecordingServer) -> None:
    server.reads.update(version=fx.NANO3_VERSION, estats=fx.NANO3_ESTATS)
    driver = AvalonNanoDriver(
        "127.0.0.1", server.port, web_password="s3cret", timeout=2
    )
    await driver.switch_pool(GOOD)
    token = "ff0000ff" + hashlib.sha256(b"s3cret").hexdigest()[:24]
    assert server.writes()[0]["parameter"].split(",")[:3] == ["root", token, "0"]
    assert all("s3cret" not in r.get("parameter", "") for r in server.requests)


async def test_setpool_auth_error_hides_reply(server: RecordingServer) -> None:
    server.replies = [_status("E", 132, "Pool set error: userpass err s3cret")]
    driver = AvalonNanoDriver(
        "127.0.0.1", server.port, web_password="s3cret", timeout=2
    )
    with pytest.raises(MinerAuthError) as info:
        await driver.switch_pool(GOOD)
    assert "s3cret" not in str(info.value)
    assert len(server.writes()) == 1  # no reboot after a refusal


async def test_setpool_other_error_is_refused(server: RecordingServer) -> None:
    server.replies = [_status("E", 134, "echo x")]
    driver = AvalonNanoDriver(
        "127.0.0.1", server.port, web_password="s3cret", timeout=2
    )
    with pytest.raises(MinerRefusedError):
        await driver.switch_pool(GOOD)


async def test_unknown_mode_sends_nothing(server: RecordingServer) -> None:
    driver = AvalonNanoDriver("127.0.0.1", server.port, timeout=2)
    with pytest.raises(MinerUnsupportedError):
        await driver.set_mode("turbo")
    assert server.requests == []


async def test_client_refuses_odd_commands(server: RecordingServer) -> None:
    client = CgminerClient("127.0.0.1", server.port, timeout=2)
    for command, parameter in [
        ("ver sion", None),
        ("", None),
        ("ascset", "0,reboot,0\x00"),
    ]:
        with pytest.raises(MinerError):
            await client.raw(command, parameter)
    assert server.requests == []


def test_pool_checks_strip_scheme_and_matching_port() -> None:
    assert check_pool(
        PoolTarget(url="stratum+tcp://pool.example", port=3333, user="u")
    ) == ("pool.example", 3333, "u", "x")
    assert check_pool(PoolTarget(url="pool.example:3333", port=3333, user="u"))[0] == (
        "pool.example"
    )
    assert (
        check_pool(PoolTarget(url="[fd00::1]", port=3333, user="u"))[0] == "[fd00::1]"
    )
    assert check_cgminer_pool(GOOD) == (
        "public-pool.io",
        21496,
        "bc1qwallet.nano3s",
        "x",
    )
    # Characters AxeOS can carry but cgminer cannot.
    assert (
        check_pool(PoolTarget(url="p.example", port=1, user="u", password="a,b"))[3]
        == "a,b"
    )
    with pytest.raises(InvalidCommandValueError):
        check_cgminer_pool(
            PoolTarget(url="p.example", port=1, user="u", password="a,b")
        )


async def test_firmware_without_joined_reads_gets_single_commands(
    server: RecordingServer,
) -> None:
    """A joined read answered with 'Invalid command' is not tried again."""
    server.join_supported = False
    driver = AvalonNanoDriver("127.0.0.1", server.port, timeout=2)
    first = await driver.fetch()
    second = await driver.fetch()
    assert first.model == second.model == "Avalon Nano 3S"
    assert [r["command"] for r in server.requests] == [
        "version+summary+estats+pools",
        "version",
        "summary",
        "estats",
        "pools",
        "summary",
        "estats",
        "pools",
    ]
