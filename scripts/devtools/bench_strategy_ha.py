"""Benchmark: a slot change commanding 200 enrolled miners (not a test).

Boots a real Home Assistant core (``bench_ha.boot_home_assistant``) with a
hub whose price source is a stand-in Octopus ``event.*_current_day_rates``
entity, N simulated Bitaxes (``--latency-ms`` per request, default 150) all
enrolled, and DGB/BCH/BTC pool subentries. Once every miner runs the DGB
eco band, the current slot's price drops into the DGB standard band and the
strategy decides and commands every miner. Figures:

* ``slot_change_wall_s``: from the price change to the last device's
  acknowledgement of its mode command;
* ``single_latency_s``: one miner's mode command through the same code path
  on its own, to the device's acknowledgement;
* ``slot_change_done_s``: until every command is also audited, its Miner row
  written and the miner re-polled (``commands.async_set_mode`` does those
  after the device answered);
* ``slot_change_first_ack_s``: until the first acknowledgement (the part
  before it is the strategy's decision and the first send);
* ``wall_ratio``: the two divided (goal: at most 1.5);
* ``slot_change_cpu_s``: CPU seconds of the Home Assistant process (all its
  threads) from the price change to the last acknowledgement: steadier than
  wall time when the machine is loaded (the simulators run apart).

Every miner's driver keeps one connection alive to its device, warmed by the
polls before the slot change, as in real life: the commands open none.
``--profile N`` prints the top N functions (cProfile) of the slot change;
``--diagnose`` prints, from the same profile, the strategy's own functions
(``agile/``, its entities) with their call counts: how often each miner is
read and planned per slot change, and what that costs.

Prints one JSON line last.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
from datetime import timedelta
import json
import logging
import os
from pathlib import Path
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_ha import boot_home_assistant, hub_entry  # noqa: E402
from homeassistant import runner  # noqa: E402
from homeassistant.util import dt as dt_util  # noqa: E402

import custom_components.home_miner_manager as hmm  # noqa: E402
from custom_components.home_miner_manager.agile.miner_plan import async_apply  # noqa: E402
from custom_components.home_miner_manager.strategy.plan import (  # noqa: E402
    Action,
    Command,
)

ENTITY = "event.octopus_energy_electricity_21l1234567_1200012345678_current_day_rates"
SLOT = timedelta(minutes=30)
GOAL_RATIO = 1.5


def start_fleet(
    count: int, latency_ms: float
) -> tuple[subprocess.Popen[str], list[Any]]:
    """Bitaxe simulators in their own process (own event loop)."""
    args = [sys.executable, "-m", "hmm_sim", "--json", "--bitaxe", str(count)]
    args += ["--latency-ms", str(latency_ms), "--udp-port", "0", "--control-port", "-1"]
    args += ["--restart-downtime", "0.2"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        raise RuntimeError(f"the fleet did not start (exit {proc.returncode})")
    data = json.loads(line)
    return proc, list(data["devices"] if isinstance(data, dict) else data)


def stop_fleet(proc: subprocess.Popen[str]) -> None:
    """Stop the fleet process."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def subentries(devices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Miner subentries, and one pool per coin the default bands use."""
    miners = [
        {
            "data": {
                "name": f"bitaxe #{n}",
                "miner_type": device["miner_type"],
                "host": device["host"],
                "port": int(device["port"]),
            },
            "subentry_type": "miner",
            "title": f"bitaxe #{n}",
            "unique_id": f"bench-{n}",
        }
        for n, device in enumerate(devices)
    ]
    pools = [
        {
            "data": {
                "name": coin,
                "url": "127.0.0.1",
                "port": 3333 + n,
                "user": "bc1qbench",
                "password": "x",
                "coin": coin,
                "priority": 0,
                "enabled": True,
            },
            "subentry_type": "pool",
            "title": f"{coin} pool",
            "unique_id": f"127.0.0.1:{3333 + n}:bc1qbench",
        }
        for n, coin in enumerate(("DGB", "BCH", "BTC"))
    ]
    return [*miners, *pools]


def publish(hass: Any, current_pence: float, later_pence: float) -> None:
    """Today's rates: this slot at ``current_pence``, every later one at ``later_pence``."""
    now = dt_util.utcnow()
    start = now.replace(minute=30 if now.minute >= 30 else 0, second=0, microsecond=0)
    rates = []
    for n in range(-2, 8):
        begin = dt_util.as_local(start + n * SLOT)
        end = dt_util.as_local(begin + SLOT)
        pence = current_pence if n <= 0 else later_pence
        rates.append({"start": begin, "end": end, "value_inc_vat": pence / 100})
    hass.states.async_set(
        ENTITY,
        now.isoformat(),
        {"rates": rates, "tariff_code": "E-1R-AGILE-24-10-01-C"},
    )


async def until(check: Any, limit: float) -> float:
    """Wait for ``check()``; return the seconds it took."""
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > limit:
            raise RuntimeError("timed out waiting")
        await asyncio.sleep(0.01)
    return time.perf_counter() - start


def executed(strategy: Any) -> bool:
    """No fleet execution running (strategy_fleet keeps its task)."""
    task = strategy.executor._task  # noqa: SLF001 - a benchmark may look inside
    return task is None or task.done()


def watch_acks(coordinator: Any, acks: list[float]) -> None:
    """Note when the device acknowledges each mode command."""
    driver = coordinator.driver
    set_mode = driver.set_mode

    async def timed(mode: str) -> None:
        await set_mode(mode)
        acks.append(time.perf_counter())

    driver.set_mode = timed


def all_in(entry: Any, mode: str) -> bool:
    """Every miner answers, in ``mode``, on the DGB pool (rebooted after it)."""
    return all(
        c.available
        and c.data.mode == mode
        and (c.data.pool_in_use or "").endswith(":3333")
        for c in entry.runtime_data.coordinators.values()
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Set up, settle in eco, then change the band and time the commands."""
    loop = asyncio.get_running_loop()
    fleet, devices = await loop.run_in_executor(
        None, start_fleet, args.miners, args.latency_ms
    )
    try:
        with tempfile.TemporaryDirectory(prefix="hmm-bench-strategy-") as tmp:
            hass = await boot_home_assistant(Path(tmp))
            try:
                publish(hass, 15.0, 15.0)  # DGB eco (12-20 p)
                entry = hub_entry(subentries(devices))
                # The price source is an option of the hub entry.
                object.__setattr__(
                    entry,
                    "options",
                    {"price_source": "octopus_entity", "price_entity": ENTITY},
                )
                await hass.config_entries.async_add(entry)
                await hass.async_block_till_done()
                strategy = entry.runtime_data.strategy
                coordinators = list(entry.runtime_data.coordinators.values())
                await until(lambda: all(c.data is not None for c in coordinators), 120)
                for coordinator in coordinators:
                    await strategy.async_set_enrolled(coordinator, True, None)
                await strategy.async_set_enabled(True, None)
                settle = await until(lambda: all_in(entry, "eco"), 300)
                await hass.async_block_till_done()
                await until(lambda: executed(strategy), 120)
                print(
                    f"{len(coordinators)} miners enrolled, in eco after {settle:.1f} s"
                )
                # Slot changes are 30 minutes apart: let the reboot watches end.
                await asyncio.sleep(args.quiet)
                await hass.async_block_till_done()

                # When each device acknowledged its command (the driver call
                # returned); the audit, Miner row and re-poll follow it.
                acks: list[float] = []
                for coordinator in coordinators:
                    watch_acks(coordinator, acks)

                # The slot changes: this slot's price falls into DGB standard.
                profiling = args.profile or args.diagnose
                profiler = cProfile.Profile() if profiling else None
                if profiler is not None:
                    profiler.enable()
                start = time.perf_counter()
                cpu0 = time.process_time()
                publish(hass, 10.0, 10.0)
                await until(lambda: len(acks) >= len(coordinators), 60)
                cpu = time.process_time() - cpu0
                if profiler is not None:
                    profiler.disable()
                    stats = pstats.Stats(profiler, stream=sys.stdout)
                    stats.sort_stats("cumulative")
                    if args.profile:
                        stats.print_stats(args.profile)
                    if args.diagnose:
                        stats.print_stats(r"agile/|entities/strategy", 40)
                await until(
                    lambda: all(
                        (run := strategy.miner_state(c)) is not None
                        and "set_mode:standard" in (run.last_command or "")
                        for c in coordinators
                    ),
                    60,
                )
                done_s = time.perf_counter() - start
                wall = max(acks) - start
                first = min(acks) - start
                done = sum(
                    1
                    for c in coordinators
                    if (run := strategy.miner_state(c))
                    and run.last_command
                    and "set_mode:standard" in run.last_command
                )
                print(
                    f"slot change: first device acknowledged after {first:.3f} s, "
                    f"{len(acks)} devices in {wall:.3f} s; "
                    f"{done} miners' commands done (audited, row, re-polled) "
                    f"in {done_s:.3f} s"
                )

                # One miner alone, the same path, back to eco and again standard.
                one = coordinators[0]
                singles = []
                for mode in ("eco", "standard", "eco"):
                    acks.clear()
                    t0 = time.perf_counter()
                    await async_apply(
                        hass, entry, one, (Command(Action.SET_MODE, mode),)
                    )
                    singles.append(acks[0] - t0)
                single = min(singles)
                print(
                    f"one miner's mode command: {', '.join(f'{s:.3f}' for s in singles)} s"
                )
            finally:
                await hass.async_stop()
    finally:
        await loop.run_in_executor(None, stop_fleet, fleet)
    return {
        "miners": args.miners,
        "commanded": done,
        "slot_change_wall_s": round(wall, 3),
        "slot_change_first_ack_s": round(first, 3),
        "slot_change_done_s": round(done_s, 3),
        "slot_change_cpu_s": round(cpu, 3),
        "single_latency_s": round(single, 3),
        "wall_ratio": round(wall / single, 2),
        "goal_ratio": GOAL_RATIO,
    }


def main() -> int:
    """Parse arguments, run, print the figures (last line: JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--miners", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument(
        "--quiet", type=float, default=15.0, help="seconds of calm before the change"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="cProfile the slot change until the last acknowledgement; top N",
    )
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="the strategy's own functions in the slot change, with call counts",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s %(message)s"
    )
    os.chdir(ROOT)
    policy = runner.HassEventLoopPolicy(debug=False)
    figures = asyncio.run(run(args), loop_factory=policy.new_event_loop)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    assert hmm.__name__
    sys.exit(main())
