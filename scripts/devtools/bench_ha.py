"""Benchmark: Home Assistant with many simulated miners (not a test).

Starts a fleet of simulators (AxeOS and cgminer devices) in a separate process,
boots a real Home Assistant core in this process with a temporary config folder
and measures:

* ``setup_s``: hub set-up time with every miner subentry (first polls run in
  the background and are not waited for; ``first_polls_s`` is how long until
  every answering miner had its first answer);
* ``restart_setup_s``: the same hub unloaded and set up again after the
  cycles, as at each Home Assistant start after the first (registries and
  restore states already hold the miners);
* ``max_loop_stall_ms`` and ``median_loop_stall_ms``: the longest event-loop
  stall seen by a 1 ms ticker while every coordinator refreshes at once and the
  database writer flushes, worst and median over ``--cycles`` cycles (worst
  case; a cycle spread the way Home Assistant schedules coordinators, 50-500 ms
  apart, is printed beside it);
* ``rss_per_miner_kb``: (RSS with N miners - RSS of the hub with 0 miners) / N;
* ``poll_cycle_s``: how long the all-at-once refresh took until every answering
  miner was polled (``--hang N`` makes N of them silent) (the hub bounds polls in flight to ``max_concurrent_polls`` and starts
  or processes ``poll_steps_per_turn`` of them per event-loop iteration).

``full_gc_ms`` is one full garbage collection after the cycles (the pause
Python's collector adds now and then at this size); ``setup_cpu_s`` and
``cycle_cpu_s`` are CPU seconds (all threads) of set-up and of one cycle,
steadier than wall time on a loaded machine. ``--gc freeze|off`` shows what
``gc.freeze()`` after set-up, or no collector at all, would change.

The last line printed is one JSON object with exactly those figures and
``miners``. ``--diagnose`` runs asyncio in debug mode and lists the callbacks that
held the loop longest (slower figures; only for finding what blocks);
``--profile`` prints where the event loop spends its time during the cycles.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import logging
import os
from pathlib import Path
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from types import MappingProxyType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Import the integration from the working tree, as tests do, before Home Assistant
# looks for a `custom_components` package of its own.
sys.path.insert(0, str(ROOT))

from homeassistant import (  # noqa: E402
    bootstrap,
    config_entries,
    core_config,
    loader,
    runner,
)
from homeassistant.auth import auth_manager_from_config  # noqa: E402
from homeassistant.components.network.network import async_get_network  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers import device_registry as dr  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402
from loop_metrics import (  # noqa: E402
    GcPauses,
    SlowCallbackLog,
    StallMeter,
    StateWrites,
    settled_rss_kb,
)

import custom_components.home_miner_manager as hmm  # noqa: E402
from custom_components.home_miner_manager import const as hmm_const  # noqa: E402
from custom_components.home_miner_manager.pool import (  # noqa: E402
    best_shares as share_tracker,
)

DOMAIN = "home_miner_manager"
SUBENTRY_MINER = "miner"
STALL_GOAL_MS = 10.0
# Addresses of the simulators made silent with --hang (filled by start_fleet).
SILENT_HOSTS: set[str] = set()
SILENT_PORTS: set[int] = set()
# CPU seconds each add_hub() call took (the last one: the fleet's).
SETUP_CPU_S: list[float] = []


# -- simulated fleet ----------------------------------------------------------


def start_fleet(
    counts: dict[str, int], hang: int = 0
) -> tuple[subprocess.Popen[str], list[Any]]:
    """Start the simulators in their own process; return it and its devices.

    The fleet gives every device its own MAC (NMMiner: hostname), so the
    device registry sees as many devices as there are miners. No UDP
    broadcasts (the NMMiners are polled), no control endpoint.
    """
    args = [sys.executable, "-m", "hmm_sim", "--json"]
    args += ["--udp-port", "0", "--control-port", "-1"]
    for kind, number in counts.items():
        args += [f"--{kind}", str(number)]
    # Silent miners (accept, never answer): the first Bitaxes.
    for index in range(1, hang + 1):
        args += ["--fault", f"bitaxe-{index}=timeout"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait()
        raise RuntimeError(f"the fleet did not start (exit {proc.returncode})")
    data = json.loads(line)
    devices = list(data["devices"] if isinstance(data, dict) else data)
    silent = {f"bitaxe-{index}" for index in range(1, hang + 1)}
    for device in devices:
        if device.get("id", device.get("name")) in silent:
            SILENT_HOSTS.add(device["host"])
            SILENT_PORTS.add(int(device["port"]))
    return proc, devices


def stop_fleet(proc: subprocess.Popen[str]) -> None:
    """Stop the fleet process it started."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def miner_subentries(devices: list[dict[str, Any]]) -> list[Any]:
    """One miner subentry per simulated device, as the subentry flow stores it."""
    subentries: list[Any] = []
    for number, device in enumerate(devices):
        data: dict[str, Any] = {
            "name": f"{device['name']} #{number}",
            "miner_type": device["miner_type"],
            "host": device["host"],
            "port": int(device["port"]),
        }
        subentries.append(
            {
                "data": data,
                "subentry_type": SUBENTRY_MINER,
                "title": data["name"],
                "unique_id": f"bench-{number}",
            }
        )
    return subentries


# -- Home Assistant -----------------------------------------------------------


async def boot_home_assistant(config_dir: Path) -> HomeAssistant:
    """A real core with registries and storage in ``config_dir`` (no HTTP)."""
    # The shared HTTP client session needs the network adapters; loopback only
    # keeps its zeroconf resolver out of the LAN's multicast groups.
    storage = config_dir / ".storage"
    storage.mkdir()
    (storage / "core.network").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 1,
                "key": "core.network",
                "data": {"configured_adapters": ["lo"]},
            }
        ),
        encoding="utf-8",
    )
    # A benchmark reaches nothing past 127.0.0.1: no default network-difficulty
    # server (solopool.org); a hub option pointing at a local one still works.
    share_tracker.SOLOPOOL_SOURCES = MappingProxyType({})
    hass = HomeAssistant(str(config_dir))
    loader.async_setup(hass)
    hass.config.skip_pip = True
    hass.config_entries = config_entries.ConfigEntries(hass, {})
    await loader.async_get_custom_components(hass)
    await bootstrap.async_load_base_functionality(hass)
    hass.auth = await auth_manager_from_config(hass, [{"type": "homeassistant"}], [])
    await core_config.async_process_ha_core_config(
        hass,
        {
            "name": "bench",
            "time_zone": "Europe/London",
            "unit_system": "metric",
            "currency": "GBP",
            "country": "GB",
            "latitude": 53.48,
            "longitude": -2.24,
            "elevation": 38,
        },
    )
    assert await async_setup_component(hass, "homeassistant", {})
    # The adapters only: the network integration itself would bring up HTTP.
    await async_get_network(hass)
    await hass.async_start()
    return hass


def hub_entry(subentries: list[Any]) -> config_entries.ConfigEntry[Any]:
    """The hub entry as its config flow would create it (default SQLite file)."""
    return config_entries.ConfigEntry(
        domain=DOMAIN,
        title="Home Miner Manager",
        data={},
        options={},
        source=config_entries.SOURCE_USER,
        version=1,
        minor_version=1,
        unique_id=None,
        discovery_keys=MappingProxyType({}),
        subentries_data=subentries,
    )


async def add_hub(
    hass: HomeAssistant, subentries: list[Any]
) -> tuple[Any, float, float]:
    """Add and set up the hub.

    Returns the entry, the set-up time and the time until every miner that
    answers had its first poll (both in s, from the start of set-up).
    """
    entry = hub_entry(subentries)
    start = time.perf_counter()
    cpu_start = time.process_time()
    await hass.config_entries.async_add(entry)
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - start
    # CPU seconds (all threads): steadier than wall time on a loaded machine.
    SETUP_CPU_S.append(time.process_time() - cpu_start)
    if entry.state is not config_entries.ConfigEntryState.LOADED:
        raise RuntimeError(f"hub did not load: {entry.state} {entry.reason}")
    coordinators = list(entry.runtime_data.coordinators.values())
    first_polls = elapsed
    # Silent miners time out in the background; wait for the others only.
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        pending = [c for c in coordinators if c.data is None and c.last_update_success]
        if not pending or all(
            c.driver.host in SILENT_HOSTS and c.driver.port in SILENT_PORTS
            for c in pending
        ):
            first_polls = time.perf_counter() - start
            break
        await asyncio.sleep(0.01)
    return entry, elapsed, first_polls


async def set_up_again(hass: HomeAssistant, entry: Any) -> tuple[float, float]:
    """Unload the hub and set it up again, as at a Home Assistant restart.

    The entity and device registries and the restore-state cache already hold
    every miner, as they do at each start after the first: set-up then skips
    creating registry entries (and the sensors' first display-precision
    updates), which a first set-up pays once. Returns (wall s, CPU s).
    """
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    start = time.perf_counter()
    cpu_start = time.process_time()
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    if entry.state is not config_entries.ConfigEntryState.LOADED:
        raise RuntimeError(f"hub did not load again: {entry.state} {entry.reason}")
    return elapsed, cpu


def check_devices(hass: HomeAssistant, entry: Any, miners: int) -> None:
    """One device per miner plus the hub's (shared MACs would merge devices)."""
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    if len(devices) != miners + 1:
        raise RuntimeError(f"{len(devices)} devices for {miners} miners and the hub")


async def flush_database(hass: HomeAssistant, entry: Any) -> None:
    """Wait until the database writer has committed what was queued."""
    database = entry.runtime_data.database
    if hasattr(database, "async_flush"):
        await database.async_flush()
    else:
        await hass.async_add_executor_job(database.flush)


async def poll_and_persist(hass: HomeAssistant, entry: Any) -> tuple[float, float, int]:
    """Refresh every coordinator at once, flush.

    Returns (max stall ms, seconds until every answering miner was polled,
    failures).
    """
    coordinators = list(entry.runtime_data.coordinators.values())
    meter = StallMeter()
    meter.start()
    await asyncio.sleep(0.05)  # the ticker is running before the burst starts
    start = time.perf_counter()
    answered: list[float] = []

    async def refresh(coordinator: Any) -> None:
        await coordinator.async_refresh()
        if coordinator.last_update_success:
            answered.append(time.perf_counter() - start)

    await asyncio.gather(*(refresh(c) for c in coordinators))
    cycle = max(answered, default=0.0)
    await flush_database(hass, entry)
    await hass.async_block_till_done()
    stall = await meter.stop()
    failed = sum(1 for c in coordinators if not c.last_update_success)
    return stall, cycle, failed


async def staggered_poll(hass: HomeAssistant, entry: Any) -> float:
    """One cycle as Home Assistant schedules it: each coordinator at its own
    50-500 ms offset within the second. Returns the max stall in ms."""
    coordinators = list(entry.runtime_data.coordinators.values())
    loop = asyncio.get_running_loop()
    meter = StallMeter()
    meter.start()
    await asyncio.sleep(0.05)
    tasks: list[asyncio.Task[None]] = []

    def _start(coordinator: Any) -> None:
        tasks.append(loop.create_task(coordinator.async_refresh()))

    for coordinator in coordinators:
        offset = coordinator._microsecond  # noqa: SLF001 - HA's own jitter
        loop.call_later(offset, _start, coordinator)
    await asyncio.sleep(0.55)
    await asyncio.gather(*tasks)
    await flush_database(hass, entry)
    await hass.async_block_till_done()
    return await meter.stop()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark and return the figures."""
    counts = {
        "bitaxe": args.bitaxe,
        "nerdqaxe": args.nerdqaxe,
        "avalon": args.avalon,
        "nmminer": args.nmminer,
    }
    miners = sum(counts.values())
    loop = asyncio.get_running_loop()
    slow_log: SlowCallbackLog | None = None
    if args.diagnose:
        loop.slow_callback_duration = args.slow_ms / 1000.0
        slow_log = SlowCallbackLog()
        logging.getLogger("asyncio").addHandler(slow_log)

    fleet, devices = await loop.run_in_executor(None, start_fleet, counts, args.hang)
    try:
        with tempfile.TemporaryDirectory(prefix="hmm-bench-") as tmp:
            hass = await boot_home_assistant(Path(tmp))
            try:
                # Baseline: the hub with no miners (modules and platforms loaded).
                empty, _, _ = await add_hub(hass, [])
                rss_empty = await settled_rss_kb()
                await hass.config_entries.async_remove(empty.entry_id)
                await hass.async_block_till_done()

                setup_profiler = cProfile.Profile() if args.profile else None
                if setup_profiler is not None:
                    setup_profiler.enable()
                entry, setup_s, first_polls_s = await add_hub(
                    hass, miner_subentries(devices)
                )
                if setup_profiler is not None:
                    setup_profiler.disable()
                    print("event-loop thread CPU during set-up (cProfile, own time):")
                    pstats.Stats(setup_profiler, stream=sys.stdout).sort_stats(
                        "tottime"
                    ).print_stats(args.top)
                loaded = len(entry.runtime_data.coordinators)
                print(
                    f"hub set up with {loaded} miners in {setup_s:.2f} s; every "
                    f"answering miner read {first_polls_s:.2f} s after set-up began"
                )
                # Let silent miners' first polls time out before measuring.
                await hass.async_block_till_done(wait_background_tasks=True)
                rss_full = await settled_rss_kb()
                check_devices(hass, entry, miners)

                meter = StallMeter()
                meter.start()
                await asyncio.sleep(2.0)
                idle = await meter.stop()
                print(
                    f"idle loop (noise floor on this machine): max stall {idle:.1f} ms"
                )

                if slow_log is not None:
                    slow_log.worst.clear()  # only what runs during the cycles
                if args.gc == "freeze":
                    gc.freeze()  # what set-up built is never traversed again
                elif args.gc == "off":
                    gc.disable()  # diagnosis only: what the collector costs
                profiler = cProfile.Profile() if args.profile else None
                stalls = []
                cycles = []
                writes = StateWrites(hass)
                gc_pauses = GcPauses()
                gc_pauses.__enter__()
                cycles_cpu = time.process_time()
                for cycle in range(args.cycles):
                    if profiler is not None:
                        profiler.enable()
                    stall, cycle_s, failed = await poll_and_persist(hass, entry)
                    if profiler is not None:
                        profiler.disable()
                    stalls.append(stall)
                    cycles.append(cycle_s)
                    print(
                        f"poll+persist cycle {cycle + 1} (all at once): max loop "
                        f"stall {stall:.1f} ms, every answering miner polled "
                        f"in {cycle_s:.2f} s, {failed} miners failed"
                    )
                gc_pauses.__exit__()
                cycle_cpu_s = (time.process_time() - cycles_cpu) / args.cycles
                # What the collector's occasional full pass costs at this size
                # (Python 3.13 has no incremental collection).
                started = time.perf_counter()
                gc.collect()
                full_gc_ms = (time.perf_counter() - started) * 1000.0
                print(f"one full garbage collection: {full_gc_ms:.0f} ms")
                writes.stop()
                print(
                    f"state writes during the cycles: {writes.changed} changed a "
                    f"state, {writes.unchanged} repeated it unchanged "
                    f"({writes.unchanged / max(1, writes.changed + writes.unchanged):.0%})"
                )
                print(
                    "garbage collector during the cycles: longest pause per "
                    "generation "
                    + ", ".join(
                        f"{gen}: {ms:.1f} ms ({gc_pauses.count[gen]}x)"
                        for gen, ms in gc_pauses.longest_ms.items()
                    )
                )
                if profiler is None:
                    spread = await staggered_poll(hass, entry)
                    print(
                        "poll+persist cycle as HA schedules it (50-500 ms jitter): "
                        f"max loop stall {spread:.1f} ms"
                    )
                restart_s, restart_cpu_s = await set_up_again(hass, entry)
                print(
                    f"hub set up again as at a restart in {restart_s:.2f} s "
                    f"({restart_cpu_s:.2f} s CPU)"
                )
            finally:
                await hass.async_stop()
    finally:
        await loop.run_in_executor(None, stop_fleet, fleet)

    max_stall = max(stalls)
    median_stall = statistics.median(stalls)
    if profiler is not None:
        print("event-loop thread CPU during the cycles (cProfile, by own time):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(
            args.top
        )
    if slow_log is not None:
        print(f"slowest callbacks (>= {args.slow_ms} ms, debug mode):")
        worst = sorted(slow_log.worst.items(), key=lambda item: -item[1])
        for what, ms in worst[: args.top]:
            print(f"  {ms:7.1f} ms  {what}")
    elif max_stall > STALL_GOAL_MS:
        print(f"stall over {STALL_GOAL_MS:.0f} ms: rerun with --diagnose for sources")
    return {
        "miners": miners,
        "setup_s": round(setup_s, 3),
        "first_polls_s": round(first_polls_s, 3),
        "hang": args.hang,
        "max_loop_stall_ms": round(max_stall, 2),
        "median_loop_stall_ms": round(median_stall, 2),
        "poll_cycle_s": round(max(cycles), 3),
        "max_concurrent_polls": hmm_const.MAX_CONCURRENT_POLLS,
        "poll_steps_per_turn": hmm_const.POLL_STEPS_PER_TURN,
        "rss_per_miner_kb": round((rss_full - rss_empty) / miners, 1),
        "full_gc_ms": round(full_gc_ms, 1),
        "setup_cpu_s": round(SETUP_CPU_S[-1], 2),
        "restart_setup_s": round(restart_s, 3),
        "restart_setup_cpu_s": round(restart_cpu_s, 2),
        "cycle_cpu_s": round(cycle_cpu_s, 3),
    }


def main() -> int:
    """Parse arguments, run, print the figures (last line: JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bitaxe", type=int, default=80)
    parser.add_argument("--nerdqaxe", type=int, default=40)
    parser.add_argument("--avalon", type=int, default=60)
    parser.add_argument("--nmminer", type=int, default=20)
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument(
        "--hang",
        type=int,
        default=0,
        help="this many Bitaxes never answer (each poll waits out the driver timeout)",
    )
    parser.add_argument(
        "--max-polls",
        type=int,
        default=None,
        help="override the hub's bound on polls in flight (MAX_CONCURRENT_POLLS)",
    )
    parser.add_argument(
        "--per-turn",
        type=int,
        default=None,
        help="override POLL_STEPS_PER_TURN (poll starts or finishes per loop iteration)",
    )
    parser.add_argument("--diagnose", action="store_true")
    parser.add_argument(
        "--gc",
        choices=("on", "freeze", "off"),
        default="on",
        help="after set-up: leave the garbage collector as it is, gc.freeze() "
        "what set-up built, or switch the collector off (to see its share)",
    )
    parser.add_argument(
        "--write-all",
        action="store_true",
        help="miner entities write their state on every poll (the behaviour "
        "before issue 15), for a comparison",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the event loop's cycles"
    )
    parser.add_argument("--slow-ms", type=float, default=5.0)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    # Quiet Home Assistant; the figures are the output.
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s %(message)s"
    )
    os.chdir(ROOT)
    # Read at hub set-up.
    if args.max_polls is not None:
        hmm_const.MAX_CONCURRENT_POLLS = args.max_polls
    if args.per_turn is not None:
        hmm_const.POLL_STEPS_PER_TURN = args.per_turn
    if args.write_all:
        from homeassistant.helpers.update_coordinator import (  # noqa: PLC0415
            CoordinatorEntity,
        )

        from custom_components.home_miner_manager.entity import (  # noqa: PLC0415
            MinerEntity,
        )

        MinerEntity._handle_coordinator_update = (  # type: ignore[method-assign]  # noqa: SLF001
            CoordinatorEntity._handle_coordinator_update  # noqa: SLF001
        )
    # Home Assistant's own loop set-up: its executor (64 workers), its handler.
    policy = runner.HassEventLoopPolicy(debug=args.diagnose)
    figures = asyncio.run(run(args), loop_factory=policy.new_event_loop)
    # The settings behind the figures first; the last line has the headline.
    headline = (
        "miners",
        "hang",
        "setup_s",
        "restart_setup_s",
        "max_loop_stall_ms",
        "median_loop_stall_ms",
        "rss_per_miner_kb",
    )
    print(json.dumps({k: v for k, v in figures.items() if k not in headline}))
    print(json.dumps({k: figures[k] for k in headline}))
    return 0


if __name__ == "__main__":
    assert hmm.__name__  # imported first on purpose (see above)
    sys.exit(main())
