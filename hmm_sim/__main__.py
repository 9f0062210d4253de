"""``python -m hmm_sim``: run a simulated fleet until SIGINT/SIGTERM.

    python -m hmm_sim --bitaxe 2 --nerdqaxe 1 --avalon 1 --nmminer 1 [--json]
    python -m hmm_sim ctl --control 127.0.0.1:PORT fault bitaxe-1 timeout

Prints one line per device (name, type, profile, host:port), or with ``--json``
a single JSON line ``{"devices": [...], "control": "host:port"}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import signal
import sys
from typing import Any
import urllib.request

from .avalon_device import PROFILES as AVALON_PROFILES
from .axeos_profiles import BITAXE_PROFILES, NERDQAXE_PROFILES
from .faults import Fault
from .fleet import (
    DEFAULT_AVALON_PROFILES,
    DEFAULT_BITAXE_PROFILES,
    DEFAULT_NERDQAXE_PROFILES,
    Fleet,
    fleet_spec,
)


def _profiles(allowed: tuple[str, ...] | list[str]):  # type: ignore[no-untyped-def]
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        for name in names:
            if name not in allowed:
                raise argparse.ArgumentTypeError(
                    f"{name!r} not in {', '.join(allowed)}"
                )
        return names

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The CLI."""
    parser = argparse.ArgumentParser(
        prog="python -m hmm_sim",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--bitaxe", type=int, default=0, help="number of Bitaxes")
    parser.add_argument("--nerdqaxe", type=int, default=0, help="number of NerdQAxes")
    parser.add_argument("--avalon", type=int, default=0, help="number of Avalon Nanos")
    parser.add_argument("--nmminer", type=int, default=0, help="number of NMMiners")
    parser.add_argument(
        "--bitaxe-profiles",
        type=_profiles(BITAXE_PROFILES),
        default=DEFAULT_BITAXE_PROFILES,
        help=f"comma list used in turn ({', '.join(BITAXE_PROFILES)})",
    )
    parser.add_argument(
        "--nerdqaxe-profiles",
        type=_profiles(NERDQAXE_PROFILES),
        default=DEFAULT_NERDQAXE_PROFILES,
    )
    parser.add_argument(
        "--avalon-profiles",
        type=_profiles(list(AVALON_PROFILES)),
        default=DEFAULT_AVALON_PROFILES,
        help="nano3s,nano3",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--base-port",
        type=int,
        default=0,
        help="device i listens on base+i (0 = free ports)",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--restart-downtime", type=float, default=5.0, help="seconds")
    parser.add_argument(
        "--udp-port",
        type=int,
        default=12345,
        help="NMMiner datagrams go to 127.0.0.1:PORT (0 = off)",
    )
    parser.add_argument("--udp-interval", type=float, default=5.0)
    parser.add_argument(
        "--control-port",
        type=int,
        default=0,
        help="control endpoint port (0 = a free port, -1 = none)",
    )
    parser.add_argument(
        "--no-keep-alive",
        action="store_true",
        help="HTTP devices answer 'Connection: close' and hang up after each reply",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=None,
        help="HTTP devices close connections idle this many seconds (default never)",
    )
    parser.add_argument("--otp", action="store_true", help="NerdQAxes require OTP")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=KIND",
        help=f"start with a fault ({', '.join(f.value for f in Fault)})",
    )
    parser.add_argument(
        "--pools",
        type=int,
        default=0,
        help="also start this many stratum pools and a pool statistics server",
    )
    parser.add_argument("--json", action="store_true", help="one JSON line")
    sub = parser.add_subparsers(dest="command")
    ctl = sub.add_parser("ctl", help="talk to a running fleet's control endpoint")
    ctl.add_argument("--control", required=True, help="host:port printed by the fleet")
    ctl.add_argument(
        "action", choices=("list", "fault", "clear", "restart", "calibrating", "otp")
    )
    ctl.add_argument("name", nargs="?")
    ctl.add_argument("value", nargs="?", help="fault kind, or on/off")
    ctl.add_argument("--delay", type=float, default=5.0)
    ctl.add_argument("--count", type=int)
    return parser


def _raise_fd_limit() -> None:
    # 200 miners = 200 listening sockets plus their connections.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    del soft


async def run_fleet(args: argparse.Namespace) -> None:
    """Start, print, wait for a signal, stop."""
    specs = fleet_spec(
        bitaxe=args.bitaxe,
        nerdqaxe=args.nerdqaxe,
        avalon=args.avalon,
        nmminer=args.nmminer,
        bitaxe_profiles=args.bitaxe_profiles,
        nerdqaxe_profiles=args.nerdqaxe_profiles,
        avalon_profiles=args.avalon_profiles,
    )
    fleet = Fleet(
        specs,
        host=args.host,
        base_port=args.base_port,
        latency=args.latency_ms / 1000.0,
        seed=args.seed,
        restart_downtime=args.restart_downtime,
        udp_port=args.udp_port or None,
        udp_interval=args.udp_interval,
        control_port=None if args.control_port < 0 else args.control_port,
        keep_alive=not args.no_keep_alive,
        idle_timeout=args.idle_timeout,
    )
    for sim in fleet.devices:
        if args.otp and getattr(getattr(sim, "profile", None), "nerdqaxe", False):
            sim.otp_enabled = True  # type: ignore[attr-defined]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with fleet, contextlib.AsyncExitStack() as stack:
        for item in args.fault:
            name, _, kind = item.partition("=")
            await fleet[name].set_fault(kind)
        listing = fleet.describe()
        if args.pools:
            listing.update(await _start_pools(stack, args))
        if args.json:
            print(json.dumps(listing, separators=(",", ":")), flush=True)
        else:
            for dev in listing["devices"]:
                print(
                    f"{dev['name']:<12} {dev['miner_type']:<12} {dev['profile']:<14} "
                    f"{dev['host']}:{dev['port']}",
                    flush=True,
                )
            if "control" in listing:
                print(f"control      {listing['control']}", flush=True)
        await stop.wait()


# Pool simulators sit after the miners' ports, before the control endpoint
# (base + 99), so a development instance finds them on the same ports again.
POOL_PORT_OFFSET = 90
STATS_PORT_OFFSET = 98


async def _start_pools(
    stack: contextlib.AsyncExitStack, args: argparse.Namespace
) -> dict[str, Any]:
    """Start ``--pools`` stratum pools and one statistics server (for the listing)."""
    from .pool_stats import PoolStatsSimulator  # noqa: PLC0415
    from .stratum import StratumPoolSimulator  # noqa: PLC0415

    fixed = args.base_port > 0
    pools = []
    for index in range(args.pools):
        port = args.base_port + POOL_PORT_OFFSET + index if fixed else 0
        sim = await stack.enter_async_context(
            StratumPoolSimulator(host=args.host, port=port, name=f"pool-{index + 1}")
        )
        pools.append({"name": sim.name, "host": sim.host, "port": sim.port})
    stats = await stack.enter_async_context(
        PoolStatsSimulator(
            host=args.host, port=args.base_port + STATS_PORT_OFFSET if fixed else 0
        )
    )
    return {"pools": pools, "pool_stats": stats.base_url()}


def run_ctl(args: argparse.Namespace) -> int:
    """One request to the control endpoint; prints the JSON answer."""
    base = f"http://{args.control}"
    method, path, body = "GET", "/devices", None
    if args.action != "list":
        if not args.name:
            print("a device name is needed", file=sys.stderr)
            return 2
        path = f"/devices/{args.name}/{'restart' if args.action == 'restart' else args.action}"
        method = "POST"
        if args.action == "fault":
            body = {"kind": args.value, "delay": args.delay, "count": args.count}
        elif args.action == "clear":
            method, path = "DELETE", f"/devices/{args.name}/fault"
        elif args.action == "calibrating":
            body = {"on": args.value != "off"}
        elif args.action == "otp":
            body = {"enabled": args.value != "off"}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (http:// URL built here)
        base + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        print(response.read().decode())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    if args.command == "ctl":
        return run_ctl(args)
    _raise_fd_limit()
    asyncio.run(run_fleet(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
