"""The benchmark's simulated fleet: hmm_sim's Fleet with one MAC per device.

hmm_sim's profiles carry a fixed MAC each, so many devices on one profile would
share a MAC and Home Assistant's device registry would merge them into one
device. This runner gives every device its own locally administered MAC, prints
the same JSON line as ``python -m hmm_sim --json`` and runs until SIGINT/SIGTERM.

Usage: bench_fleet.py --bitaxe N --nerdqaxe N --avalon N --nmminer N
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from pathlib import Path
import signal
import sys
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hmm_sim.fleet import Fleet, fleet_spec


def unique_mac(index: int) -> str:
    """A locally administered MAC (02:...) that encodes the device index."""
    return f"02:48:4D:{(index >> 16) & 0xFF:02X}:{(index >> 8) & 0xFF:02X}:{index & 0xFF:02X}"


def give_own_mac(sim: Any, index: int) -> None:
    """Swap the device's profile for a copy with its own MAC (where it has one)."""
    profile = getattr(sim, "profile", None)
    if profile is None or not hasattr(profile, "mac"):
        return
    own = dataclasses.replace(profile, mac=unique_mac(index))
    sim.profile = own
    device = getattr(sim, "device", None)
    if device is not None and getattr(device, "profile", None) is profile:
        device.profile = own


async def run(args: argparse.Namespace) -> None:
    """Start the fleet, print its listing, wait for a signal."""
    specs = fleet_spec(
        bitaxe=args.bitaxe,
        nerdqaxe=args.nerdqaxe,
        avalon=args.avalon,
        nmminer=args.nmminer,
    )
    fleet = Fleet(specs, host="127.0.0.1", udp_port=None, control_port=None)
    for index, sim in enumerate(fleet.devices):
        give_own_mac(sim, index)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with fleet:
        print(json.dumps(fleet.describe()), flush=True)
        await stop.wait()


def main() -> int:
    """Parse the counts and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for kind in ("bitaxe", "nerdqaxe", "avalon", "nmminer"):
        parser.add_argument(f"--{kind}", type=int, default=0)
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
