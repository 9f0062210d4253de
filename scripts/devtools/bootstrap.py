"""Configure the development instance through Home Assistant's real flows.

Waits for Home Assistant, logs in, creates the Home Miner Manager hub with the
config flow and adds one miner subentry per simulated device with the subentry
flow, all over the HTTP API the frontend uses. Idempotent: an existing hub is
reused, a miner or pool whose title already exists is skipped, options already
set are not saved again, and a miner is pointed at a pool only on the first
bootstrap (never again at later starts: the user may have switched it since).
Also on the first bootstrap only: the stand-in tariff (``sensor.dev_tariff``)
becomes the price source, and the Energy dashboard lists every miner's energy
sensor as an individual device (``energy/save_prefs``).

Usage: bootstrap.py --fleet FLEET_JSON [--url URL] [--user U] [--password P]
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import sys
from typing import Any

import aiohttp
from ha_client import (
    DEFAULT_PASSWORD,
    DEFAULT_URL,
    DEFAULT_USER,
    HAClient,
    HAError,
    wait_until_serving,
)

DOMAIN = "home_miner_manager"
SUBENTRY_MINER = "miner"
SUBENTRY_POOL = "pool"
# The dev fleet's Avalon simulator accepts this web password (hmm_sim default).
AVALON_WEB_PASSWORD = "admin"


def miner_inputs(device: dict[str, Any]) -> dict[str, Any]:
    """Subentry flow input for one simulated device."""
    miner_type = str(device["miner_type"])
    inputs: dict[str, Any] = {
        "name": device_title(device),
        "miner_type": miner_type,
        "host": str(device["host"]),
        "port": int(device["port"]),
    }
    if miner_type == "avalon_nano":
        inputs["web_password"] = AVALON_WEB_PASSWORD
    return inputs


# Simulator names are "bitaxe-1", "avalon-1", ...: shown as "Bitaxe 1", ...
_LABELS = {
    "bitaxe": "Bitaxe",
    "nerdqaxe": "NerdQAxe",
    "avalon": "Avalon Nano",
    "nmminer": "NMMiner",
}


def device_title(device: dict[str, Any]) -> str:
    """A stable, readable miner name derived from the simulator's name."""
    prefix, _, number = str(device["name"]).rpartition("-")
    label = _LABELS.get(prefix)
    return f"{label} {number}" if label and number.isdigit() else str(device["name"])


async def run_flow(
    client: HAClient, index_path: str, handler: Any, inputs: dict[str, Any]
) -> dict[str, Any]:
    """Start a flow and answer each form with the inputs its schema asks for."""
    result: dict[str, Any] = await client.post(index_path, {"handler": handler})
    seen: set[str] = set()
    while result.get("type") in ("form", "menu"):
        if result["type"] == "menu":
            # A pool not answering yet (the fleet still starting): save it.
            if "save_anyway" not in result.get("menu_options", []):
                raise HAError(f"flow stopped at menu {result['step_id']!r}")
            result = await client.post(
                f"{index_path}/{result['flow_id']}", {"next_step_id": "save_anyway"}
            )
            continue
        step = str(result["step_id"])
        if step in seen or result.get("errors"):
            raise HAError(f"flow stuck at step {step!r}: {result.get('errors')}")
        seen.add(step)
        wanted = {field["name"] for field in result.get("data_schema", [])}
        answer = {key: value for key, value in inputs.items() if key in wanted}
        result = await client.post(f"{index_path}/{result['flow_id']}", answer)
    if result.get("type") != "create_entry":
        raise HAError(f"flow ended with {result.get('type')}: {result.get('reason')}")
    return result


async def ensure_hub(client: HAClient) -> str:
    """Return the hub's entry id, creating the hub with its config flow if needed."""
    entries = await client.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    if entries:
        return str(entries[0]["entry_id"])
    # Defaults only: the hub keeps its SQLite file in the config directory.
    result = await run_flow(client, "/api/config/config_entries/flow", DOMAIN, {})
    print(f"created hub {result['result']['entry_id']}")
    return str(result["result"]["entry_id"])


async def ensure_miners(
    client: HAClient, entry_id: str, devices: list[dict[str, Any]]
) -> int:
    """Add a miner subentry for each device whose title is not there yet."""
    existing = await client.ws("config_entries/subentries/list", entry_id=entry_id)
    titles = {
        sub["title"] for sub in existing if sub["subentry_type"] == SUBENTRY_MINER
    }
    added = 0
    for device in devices:
        title = device_title(device)
        if title in titles:
            continue
        await run_flow(
            client,
            "/api/config/config_entries/subentries/flow",
            [entry_id, SUBENTRY_MINER],
            miner_inputs(device),
        )
        print(f"added miner {title} at {device['host']}:{device['port']}")
        added += 1
    return added


# The simulated pools, as the pool flow asks for them (any user is accepted).
DEV_POOLS = (
    ("Solo BTC", "BTC", 0),
    ("Solo DGB", "DGB", 0),
)
DEV_POOL_USER = "bc1qdevelopmentwalletaddress"


async def ensure_pools(client: HAClient, entry_id: str, fleet: dict[str, Any]) -> int:
    """Point network difficulties at the fleet's stats server; add its pools.

    The statistics server keeps the instance from asking solopool.org.
    """
    if "pool_stats" not in fleet:
        return 0
    await ensure_pool_options(client, entry_id, fleet["pool_stats"])
    existing = await client.ws("config_entries/subentries/list", entry_id=entry_id)
    titles = {sub["title"] for sub in existing if sub["subentry_type"] == SUBENTRY_POOL}
    added = 0
    for (name, coin, priority), pool in zip(DEV_POOLS, fleet["pools"], strict=False):
        if name in titles:
            continue
        await run_flow(
            client,
            "/api/config/config_entries/subentries/flow",
            [entry_id, SUBENTRY_POOL],
            {
                "name": name,
                "url": f"stratum+tcp://{pool['host']}:{pool['port']}",
                "port": int(pool["port"]),
                "user": DEV_POOL_USER,
                "password": "x",
                "coin": coin,
                "priority": priority,
                "enabled": True,
                "keep_user": False,
            },
        )
        print(f"added pool {name} at {pool['host']}:{pool['port']}")
        added += 1
    if added:
        # First bootstrap: one miner on the first pool, so its device page
        # shows live figures. Not at later starts: a switch is a user's choice
        # (and each one restarts the miner).
        await switch_pool(client, device_title(fleet["devices"][0]), DEV_POOLS[0][0])
    return added


POOL_OPTIONS_MINUTES = 5


async def ensure_pool_options(client: HAClient, entry_id: str, stats_url: str) -> None:
    """Save the pools options once; leave them alone when already set."""
    flow_path = "/api/config/config_entries/options/flow"
    options = await client.post(flow_path, {"handler": entry_id})
    step = await client.post(
        f"{flow_path}/{options['flow_id']}", {"next_step_id": "pools"}
    )
    shown = {
        field["name"]: (field.get("description") or {}).get(
            "suggested_value", field.get("default")
        )
        for field in step.get("data_schema", [])
    }
    wanted = {"pool_check_minutes": POOL_OPTIONS_MINUTES, "pool_stats_url": stats_url}
    if shown == wanted:
        await client.delete(f"{flow_path}/{options['flow_id']}")
        return
    await client.post(f"{flow_path}/{options['flow_id']}", wanted)
    print(f"pool statistics from {stats_url}")


async def switch_pool(client: HAClient, miner: str, pool: str) -> None:
    """Point a miner at a pool with the integration's own action."""
    for device in await client.ws("config/device_registry/list"):
        if device.get("name") == miner:
            await client.post(
                f"/api/services/{DOMAIN}/switch_pool",
                {"device_id": device["id"], "pool": pool},
            )
            print(f"switched {miner} to {pool}")
            return


DEV_TARIFF = "sensor.dev_tariff"  # config/configuration.yaml's template sensor


async def ensure_prices(client: HAClient, entry_id: str) -> None:
    """First bootstrap: take the stand-in tariff as the price source.

    Later starts leave the option alone (the user may have picked another).
    """
    entries = await client.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    hub = next((e for e in entries if e["entry_id"] == entry_id), None)
    if hub is None or await _has_price_source(client, entry_id):
        return
    for _ in range(60):  # the trigger-based sensor fills in after start-up
        state = await client.get(f"/api/states/{DEV_TARIFF}")
        if state.get("attributes", {}).get("prices"):
            break
        await asyncio.sleep(1.0)
    flow_path = "/api/config/config_entries/options/flow"
    options = await client.post(flow_path, {"handler": entry_id})
    await client.post(f"{flow_path}/{options['flow_id']}", {"next_step_id": "prices"})
    result = await client.post(
        f"{flow_path}/{options['flow_id']}",
        {"price_source": "octopus_entity", "price_entity": DEV_TARIFF},
    )
    if result.get("type") != "create_entry":
        raise HAError(f"price source refused: {result.get('errors')}")
    print(f"prices from {DEV_TARIFF}")


async def _has_price_source(client: HAClient, entry_id: str) -> bool:
    flow_path = "/api/config/config_entries/options/flow"
    options = await client.post(flow_path, {"handler": entry_id})
    step = await client.post(
        f"{flow_path}/{options['flow_id']}", {"next_step_id": "prices"}
    )
    await client.delete(f"{flow_path}/{options['flow_id']}")
    for field in step.get("data_schema", []):
        if field["name"] == "price_entity":
            return bool((field.get("description") or {}).get("suggested_value"))
    return False


async def ensure_energy_devices(client: HAClient) -> None:
    """First bootstrap: every miner's energy sensor as an individual device.

    Only when the Energy dashboard was never saved: later starts, and a user's
    own energy settings, are left alone.
    """
    try:
        await client.ws("energy/get_prefs")
    except HAError:
        pass  # no preferences stored yet
    else:
        return
    sensors = sorted(
        ent["entity_id"]
        for ent in await client.ws("config/entity_registry/list")
        if ent["platform"] == DOMAIN
        and ent["entity_id"].startswith("sensor.")
        and ent["unique_id"].endswith("_energy")
        and not ent.get("disabled_by")
    )
    if not sensors:
        return
    await client.ws(
        "energy/save_prefs",
        device_consumption=[{"stat_consumption": sensor} for sensor in sensors],
    )
    print(f"energy dashboard: {len(sensors)} miners as individual devices")


def load_fleet(path: Path) -> dict[str, Any]:
    """Read what the fleet printed (its ``--json`` line)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {"devices": data}


async def main() -> int:
    """Parse arguments and configure the instance."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleet", type=Path, required=True)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--user", default=DEFAULT_USER)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    args = parser.parse_args()

    fleet = load_fleet(args.fleet)
    devices = list(fleet["devices"])
    async with aiohttp.ClientSession() as session:
        await wait_until_serving(session, args.url)
        client = await HAClient.login(session, args.url, args.user, args.password)
        try:
            entry_id = await ensure_hub(client)
            added = await ensure_miners(client, entry_id, devices)
            await ensure_pools(client, entry_id, fleet)
            await ensure_prices(client, entry_id)
            await ensure_energy_devices(client)
        finally:
            await client.close()
    print(f"Home Miner Manager has {len(devices)} simulated miners ({added} added now)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except HAError as err:
        print(f"bootstrap failed: {err}", file=sys.stderr)
        sys.exit(1)
