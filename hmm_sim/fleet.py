"""Many simulated miners in one process, plus an HTTP control endpoint."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
import itertools
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from .avalon_device import PROFILES as AVALON_PROFILES
from .axeos import AxeOSSimulator
from .axeos_profiles import PROFILES as AXEOS_PROFILES
from .base import Simulator, bind_socket
from .cgminer import CgminerSimulator
from .http import json_response
from .nmminer import NMMinerSimulator

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from types import TracebackType

# Locally administered MAC prefix ("HM") for devices that need an identity of
# their own; the last three octets are the device's index in the fleet.
LOCAL_MAC_PREFIX = (0x02, 0x48, 0x4D)

DEFAULT_BITAXE_PROFILES = ("bitaxe_v2_9", "bitaxe_v2_15")
DEFAULT_NERDQAXE_PROFILES = ("nerdqaxe_pp",)
DEFAULT_AVALON_PROFILES = ("nano3s", "nano3")


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """One simulated device: ``kind`` axeos/cgminer/nmminer, a profile, a name."""

    kind: str
    profile: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)


def fleet_spec(
    *,
    bitaxe: int = 0,
    nerdqaxe: int = 0,
    avalon: int = 0,
    nmminer: int = 0,
    bitaxe_profiles: Sequence[str] = DEFAULT_BITAXE_PROFILES,
    nerdqaxe_profiles: Sequence[str] = DEFAULT_NERDQAXE_PROFILES,
    avalon_profiles: Sequence[str] = DEFAULT_AVALON_PROFILES,
) -> list[DeviceSpec]:
    """Devices by count; profiles are used in turn (bitaxe-1 on the first, ...)."""
    specs: list[DeviceSpec] = []
    groups = (
        ("bitaxe", "axeos", bitaxe, bitaxe_profiles),
        ("nerdqaxe", "axeos", nerdqaxe, nerdqaxe_profiles),
        ("avalon", "cgminer", avalon, avalon_profiles),
        ("nmminer", "nmminer", nmminer, ("nmminer_v2",)),
    )
    for label, kind, count, profiles in groups:
        cycle = itertools.cycle(profiles)
        specs.extend(
            DeviceSpec(kind=kind, profile=next(cycle), name=f"{label}-{i}")
            for i in range(1, count + 1)
        )
    return specs


def local_mac(index: int, *, sep: str = ":") -> str:
    """A locally administered MAC that encodes a fleet index (uppercase hex)."""
    octets = (
        *LOCAL_MAC_PREFIX,
        (index >> 16) & 0xFF,
        (index >> 8) & 0xFF,
        index & 0xFF,
    )
    return sep.join(f"{octet:02X}" for octet in octets)


def device_identity(kind: str, profile: str, index: int, repeat: int) -> dict[str, Any]:
    """Constructor arguments giving a fleet device an identity of its own.

    The first device on a profile keeps the profile's identity (tests and the
    development instance's stored miners know it); every further one gets a
    MAC (Avalon: MAC and DNA; NMMiner: hostname) derived from its fleet index,
    so Home Assistant sees distinct devices and reruns see the same ones.
    """
    if repeat == 0:
        return {}
    if kind == "axeos":
        return {"profile": replace(AXEOS_PROFILES[profile], mac=local_mac(index))}
    if kind == "cgminer":
        avalon = AVALON_PROFILES[profile]
        return {
            "profile": replace(
                avalon,
                mac=local_mac(index, sep="").lower(),
                dna=f"{avalon.dna[:8]}{index:08x}",
            )
        }
    if kind == "nmminer":
        return {"hostname": f"nm-cyd-{index:06x}"}
    return {}


class Fleet:
    """``async with Fleet(fleet_spec(bitaxe=2)) as fleet: fleet.devices``."""

    def __init__(
        self,
        specs: Iterable[DeviceSpec],
        *,
        host: str = "127.0.0.1",
        base_port: int = 0,
        latency: float = 0.0,
        seed: int = 0,
        restart_downtime: float = 5.0,
        udp_port: int | None = 12345,
        udp_interval: float = 5.0,
        control_port: int | None = None,
        keep_alive: bool = True,
        idle_timeout: float | None = None,
    ) -> None:
        """``base_port`` 0 = free ports; else device i listens on base_port + i.

        ``keep_alive`` and ``idle_timeout``: the HTTP devices' connection
        behaviour (:mod:`hmm_sim.http`).
        """
        self.host = host
        self.control_port = control_port
        self.devices: list[Simulator] = []
        repeats: Counter[tuple[str, str]] = Counter()
        for index, spec in enumerate(specs):
            identity = device_identity(
                spec.kind, spec.profile, index, repeats[spec.kind, spec.profile]
            )
            repeats[spec.kind, spec.profile] += 1
            profile: Any = identity.pop("profile", spec.profile)
            common: dict[str, Any] = {
                "host": host,
                "port": base_port + index if base_port else 0,
                "latency": latency,
                "seed": seed + index,
                "restart_downtime": restart_downtime,
                "name": spec.name,
            }
            common |= identity | spec.options
            http = {"keep_alive": keep_alive, "idle_timeout": idle_timeout}
            sim: Simulator
            if spec.kind == "axeos":
                sim = AxeOSSimulator(profile, **http, **common)
            elif spec.kind == "cgminer":
                sim = CgminerSimulator(profile, **common)
            elif spec.kind == "nmminer":
                sim = NMMinerSimulator(
                    diff_format="suffixed"
                    if spec.profile.endswith("suffixed")
                    else "plain",
                    udp_port=udp_port,
                    udp_interval=udp_interval,
                    **http,
                    **common,
                )
            else:
                raise ValueError(f"unknown device kind {spec.kind!r}")
            self.devices.append(sim)
        self._control: web.AppRunner | None = None

    def __getitem__(self, name: str) -> Simulator:
        """The device called ``name``."""
        for sim in self.devices:
            if sim.name == name:
                return sim
        raise KeyError(name)

    async def start(self) -> Self:
        """Start every device (and the control endpoint when asked for)."""
        await asyncio.gather(*(sim.start() for sim in self.devices))
        if self.control_port is not None:
            await self._start_control()
        return self

    async def stop(self) -> None:
        """Stop everything."""
        if self._control is not None:
            await self._control.cleanup()
            self._control = None
        await asyncio.gather(*(sim.stop() for sim in self.devices))

    async def __aenter__(self) -> Self:
        """Start the fleet."""
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the fleet."""
        await self.stop()

    def describe(self) -> dict[str, Any]:
        """The listing printed by the CLI (``--json``)."""
        listing: dict[str, Any] = {"devices": [sim.describe() for sim in self.devices]}
        if self._control is not None:
            listing["control"] = f"{self.host}:{self.control_port}"
        return listing

    # -- control endpoint ----------------------------------------------------

    async def _start_control(self) -> None:
        app = web.Application()
        app.router.add_get("/devices", self._ctl_list)
        app.router.add_post("/devices/{name}/fault", self._ctl_fault)
        app.router.add_delete("/devices/{name}/fault", self._ctl_clear)
        app.router.add_post("/devices/{name}/restart", self._ctl_restart)
        app.router.add_post("/devices/{name}/calibrating", self._ctl_calibrating)
        app.router.add_post("/devices/{name}/otp", self._ctl_otp)
        sock = bind_socket(self.host, self.control_port or 0)
        self.control_port = sock.getsockname()[1]
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._control = runner

    def _device(self, request: web.Request) -> Simulator:
        try:
            return self[request.match_info["name"]]
        except KeyError:
            raise web.HTTPNotFound(text="no such device") from None

    async def _body(self, request: web.Request) -> dict[str, Any]:
        if not request.can_read_body:
            return {}
        body = await request.json()
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return body

    async def _ctl_list(self, request: web.Request) -> web.Response:
        return json_response(self.describe())

    async def _ctl_fault(self, request: web.Request) -> web.Response:
        sim = self._device(request)
        body = await self._body(request)
        try:
            await sim.set_fault(
                body["kind"],
                delay=float(body.get("delay", 5.0)),
                count=body.get("count"),
            )
        except (KeyError, ValueError) as err:
            raise web.HTTPBadRequest(text=f"bad fault: {err}") from None
        return json_response({"name": sim.name, "fault": sim.faults.kind.value})

    async def _ctl_clear(self, request: web.Request) -> web.Response:
        sim = self._device(request)
        await sim.clear_fault()
        return json_response({"name": sim.name, "fault": "none"})

    async def _ctl_restart(self, request: web.Request) -> web.Response:
        sim = self._device(request)
        sim.schedule_restart(0.0)
        return json_response({"name": sim.name, "restarting": True})

    async def _ctl_calibrating(self, request: web.Request) -> web.Response:
        sim = self._device(request)
        if not isinstance(sim, CgminerSimulator):
            raise web.HTTPBadRequest(text="only Avalon devices calibrate")
        sim.calibrating = bool((await self._body(request)).get("on", True))
        return json_response({"name": sim.name, "calibrating": sim.calibrating})

    async def _ctl_otp(self, request: web.Request) -> web.Response:
        sim = self._device(request)
        if not isinstance(sim, AxeOSSimulator) or not sim.profile.nerdqaxe:
            raise web.HTTPBadRequest(text="only NerdQAxe devices have OTP")
        sim.otp_enabled = bool((await self._body(request)).get("enabled", True))
        return json_response({"name": sim.name, "otp": sim.otp_enabled})
