"""NMMiner simulator: the v2 HTTP API and the v1.x UDP telemetry broadcaster.

The broadcaster only ever sends to 127.0.0.1 (never a broadcast address).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Self

from aiohttp import web

from .http import HttpSimulator, json_response
from .mining import MiningCounters, si_string

LOCALHOST = "127.0.0.1"
DEFAULT_HOSTNAME = "nm-cyd-a1b2c3"
MINING_KEYS = (
    "PrimaryPool",
    "PrimaryAddress",
    "PrimaryPassword",
    "SecondaryPool",
    "SecondaryAddress",
    "SecondaryPassword",
)


class NMMinerDevice:
    """Counters and pool settings of one ESP32 lottery miner."""

    def __init__(self, counters: MiningCounters, rng: Any) -> None:
        """About 1 MH/s, like a CYD board."""
        self.counters = counters
        self.rng = rng
        self.settings: dict[str, str] = {
            "PrimaryPool": "stratum+tcp://public-pool.io:21496",
            "PrimaryAddress": "bc1qsimwallet.cyd1",
            "PrimaryPassword": "x",
            "SecondaryPool": "stratum+tcp://solo.ckpool.org:3333",
            "SecondaryAddress": "bc1qsimwallet.cyd1",
            "SecondaryPassword": "x",
        }
        self.active = dict(self.settings)
        self.hashrate_hs = 0.0
        self.temp = 49.8
        self.tick()

    def tick(self) -> None:
        """One status read or one broadcast."""
        self.hashrate_hs = round(1_004_310 * self.rng.uniform(0.97, 1.03), 0)
        self.temp = round(47.0 + self.rng.uniform(0.0, 3.0), 1)
        self.counters.tick(self.hashrate_hs / 1e9)

    @property
    def pool(self) -> str:
        """``host:port`` of the pool in use."""
        return self.active["PrimaryPool"].split("://", 1)[-1]

    def boot(self) -> None:
        """Reboot: settings become active, session counters start over."""
        self.active = dict(self.settings)
        self.counters.reboot()
        self.tick()


def _uptime_text(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days:03d}d {hours:02d}:{minutes:02d}:{secs:02d}"


def udp_datagram(
    device: NMMinerDevice, ip: str, *, ip_key: str = "ip"
) -> dict[str, Any]:
    """A v1.x telemetry datagram (devices.md §4.1, §4.4)."""
    c = device.counters
    total = c.accepted + c.rejected
    percent = 100.0 * c.rejected / total if total else 0.0
    return {
        ip_key: ip,
        "BoardType": "NM-TV-154",
        "HashRate": si_string(device.hashrate_hs, "H/s"),
        "Share": f"{c.rejected}/{c.accepted}/{percent:.1f}%",
        "NetDiff": "126.27T",
        "PoolDiff": f"{c.pool_difficulty:g}",
        "LastDiff": "0.0021",
        "BestDiff": si_string(c.best_session),
        "Valid": 0,
        "Progress": 0.31,
        "Temp": device.temp,
        "RSSI": -63,
        "FreeHeap": 81.2,
        "Uptime": _uptime_text(c.uptime),
        "Version": "v1.8.23",
        "PoolInUse": device.pool,
    }


class _Sender(asyncio.DatagramProtocol):
    pass


class UdpBroadcaster:
    """Sends NMMiner datagrams to ``127.0.0.1:target_port`` every ``interval`` s."""

    def __init__(
        self,
        device: NMMinerDevice,
        *,
        target_port: int = 12345,
        interval: float = 5.0,
        ip: str = LOCALHOST,
        ip_key: str = "ip",
    ) -> None:
        """``ip`` is what the datagram claims (the device's own address)."""
        self.device = device
        self.target_port = target_port
        self.interval = interval
        self.ip = ip
        self.ip_key = ip_key
        self.sent = 0
        self.last: dict[str, Any] | None = None
        self._transport: asyncio.DatagramTransport | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, periodic: bool = True) -> None:
        """Open the socket; with ``periodic`` send every ``interval``."""
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            _Sender, remote_addr=(LOCALHOST, self.target_port)
        )
        if periodic and self.interval > 0:
            self._task = loop.create_task(self._run(), name="nmminer-udp")

    async def stop(self) -> None:
        """Stop sending and close the socket."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def _run(self) -> None:
        while True:
            self.send_now()
            await asyncio.sleep(self.interval)

    def send_now(self) -> dict[str, Any]:
        """Send one datagram at once and return what was sent."""
        self.device.tick()
        payload = udp_datagram(self.device, self.ip, ip_key=self.ip_key)
        self.send_raw(json.dumps(payload, separators=(",", ":")).encode())
        self.last = payload
        return payload

    def send_raw(self, data: bytes) -> None:
        """Send arbitrary bytes (malformed datagram tests)."""
        if self._transport is None:
            raise RuntimeError("broadcaster not started")
        self._transport.sendto(data)
        self.sent += 1

    async def __aenter__(self) -> Self:
        """Start sending."""
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop sending."""
        await self.stop()


class NMMinerSimulator(HttpSimulator):
    """An NMMiner v2 (HTTP API), optionally also broadcasting v1.x UDP telemetry.

    ``diff_format``: ``"plain"`` decimal strings (vendor wiki) or ``"suffixed"``
    (``"92.67T"``, vendor repo doc). ``udp_port`` None = no broadcaster.
    """

    kind = "nmminer"
    miner_type = "nmminer"

    def __init__(
        self,
        *,
        diff_format: str = "plain",
        udp_port: int | None = None,
        udp_interval: float = 5.0,
        hostname: str = DEFAULT_HOSTNAME,
        **kwargs: Any,
    ) -> None:
        """See the class docstring; ``hostname`` is the device's identity."""
        kwargs.setdefault("name", "nmminer")
        kwargs.setdefault("restart_reply_delay", 0.05)
        super().__init__(**kwargs)
        self.diff_format = diff_format
        self.hostname = hostname
        counters = MiningCounters(
            rng=self.rng,
            uptime_offset=7322,
            accepted=212,
            rejected=1,
            best_session=0.03815,
            best_ever=2.1104,
            pool_difficulty=0.0005,
        )
        self.device = NMMinerDevice(counters, self.rng)
        self.udp: UdpBroadcaster | None = None
        if udp_port is not None:
            self.udp = UdpBroadcaster(
                self.device, target_port=udp_port, interval=udp_interval, ip=self.host
            )

    @property
    def profile_name(self) -> str:
        """``nmminer_v2`` or ``nmminer_v2_suffixed``."""
        return "nmminer_v2" if self.diff_format == "plain" else "nmminer_v2_suffixed"

    @property
    def active_pool(self) -> str:
        """``host:port`` in use."""
        return self.device.pool

    def _on_boot(self) -> None:
        self.device.boot()

    async def _after_start(self) -> None:
        if self.udp is not None:
            await self.udp.start()

    async def _before_stop(self) -> None:
        if self.udp is not None:
            await self.udp.stop()

    def describe(self) -> dict[str, object]:
        """Fleet listing entry (with the UDP target when broadcasting)."""
        extra = {"udp_target_port": self.udp.target_port} if self.udp else {}
        return super().describe() | extra

    def _diff(self, value: float) -> str:
        if self.diff_format == "plain":
            return f"{value:.5f}" if value < 1000 else f"{value:.1f}"
        return si_string(value)

    def _routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/api/system/info", self._info)
        r.add_get("/probe", self._probe)
        r.add_post("/api/system/restart", self._restart)
        r.add_get("/api/setting/mining", self._get_mining)
        r.add_post("/api/setting/mining", self._post_mining)

    async def _info(self, request: web.Request) -> web.Response:
        d = self.device
        d.tick()
        c = d.counters
        body = {
            "identity": {
                "hwModel": "NMMiner",
                "hostName": self.hostname,
                "fwVersion": "v2.0.04",
                "rssi": -55,
            },
            "miner": {
                "hashRate": round(d.hashrate_hs / 1e9, 6),
                "sAccepted": c.accepted,
                "sRejected": c.rejected,
                "uptimeSeconds": c.uptime,
                "uptimeEver": 912004 + c.uptime,
                "networkDiff": self._diff(126271255279307.0),
                "poolDiff": self._diff(c.pool_difficulty),
                "lastDiff": self._diff(0.0021),
                "bestDiffSession": self._diff(c.best_session),
                "bestDiffEver": self._diff(c.best_ever),
                "blkhits": 0,
                "freeHeap": 117024,
                "minFreeHeap": 93184,
            },
            "stratum": {"url": d.pool, "user": d.active["PrimaryAddress"]},
            "temps": {"vcore": d.temp, "asic": None},
            "storage": {"fsTotal": 1048576, "fsUsed": 262144},
        }
        return self.serve("/api/system/info", body, request["fault"])

    async def _probe(self, request: web.Request) -> web.Response:
        d = self.device
        c = d.counters
        body = {
            "model": "NMMiner",
            "hostname": self.hostname,
            "ver": "v2.0.04",
            "sw": 320,
            "sh": 240,
            "hr": d.hashrate_hs,
            "sbd": c.best_session,
            "ebd": c.best_ever,
            "ut": c.uptime,
        }
        return self.serve("/probe", body, request["fault"])

    async def _restart(self, request: web.Request) -> web.Response:
        self.schedule_restart()
        return json_response({"status": "ok"})

    async def _get_mining(self, request: web.Request) -> web.Response:
        # The device returns the stored pool passwords (no auth) — realistic.
        return self.serve(
            "/api/setting/mining", dict(self.device.settings), request["fault"]
        )

    async def _post_mining(self, request: web.Request) -> web.Response:
        body = request["json"]
        if not isinstance(body, dict) or not all(
            isinstance(body[k], str) for k in body if k in MINING_KEYS
        ):
            return web.Response(status=400, text="Bad Request")
        for key in MINING_KEYS:
            if key in body:
                self.device.settings[key] = body[key]
        return web.Response(text="OK")
