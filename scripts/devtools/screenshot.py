"""Capture screenshots of the running development instance (scripts/develop).

Logs in with the browser like a user, then saves the integration page (hub with
its miner subentries) and one miner's device page into docs/images/. Before the
device page is captured, waits until that miner's entities report live values.
Then the "Home Miner Manager" dashboard (which the integration's strategy module
creates in that first browser session) view by view, and the calendar panel
with the strategy's plan.

Uses Debian's chromium through the playwright package (never `playwright
install`, which downloads a browser).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import sys
import time
from typing import Any

import aiohttp
from ha_client import DEFAULT_PASSWORD, DEFAULT_URL, DEFAULT_USER, HAClient, HAError
from playwright.async_api import Page, async_playwright

DOMAIN = "home_miner_manager"
CHROMIUM = "/usr/bin/chromium"
# Keep chromium from reaching anything but the local instance.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOT_LIVE = {"unavailable", "unknown"}
# Stateless until pressed: "unknown" is their normal state.
STATELESS_DOMAINS = ("button.",)


async def pick_device(client: HAClient, prefer: str) -> dict[str, Any]:
    """Return a miner or pool device of the hub (name containing ``prefer`` first)."""
    entries = await client.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    if not entries:
        raise HAError("no Home Miner Manager entry: run scripts/develop first")
    entry_id = entries[0]["entry_id"]
    devices: list[dict[str, Any]] = [
        dev
        for dev in await client.ws("config/device_registry/list")
        # Miners are tied to a subentry; the hub itself has none.
        if any(dev.get("config_entries_subentries", {}).get(entry_id, [None]))
    ]
    if not devices:
        raise HAError("the hub has no miner or pool devices yet")
    devices.sort(key=lambda dev: (prefer.lower() not in _name(dev).lower(), _name(dev)))
    return devices[0]


async def wait_for_live_values(
    client: HAClient, device_id: str, wait_s: float
) -> list[str]:
    """Wait until every enabled entity of the device has a real state."""
    entities = [
        ent["entity_id"]
        for ent in await client.ws("config/entity_registry/list")
        if ent["device_id"] == device_id
        and not ent.get("disabled_by")
        and not ent["entity_id"].startswith(STATELESS_DOMAINS)
    ]
    deadline = time.monotonic() + wait_s
    while True:
        states = {
            ent: (await client.get(f"/api/states/{ent}"))["state"] for ent in entities
        }
        dead = sorted(ent for ent, state in states.items() if state in NOT_LIVE)
        if (entities and not dead) or time.monotonic() > deadline:
            return dead
        await asyncio.sleep(2.0)


async def login(page: Page, url: str, user: str, password: str) -> None:
    """Log in through the frontend's login page."""
    await page.goto(url)
    await page.locator('input[name="username"]').fill(user)
    await page.locator('input[name="password"]').fill(password)
    await page.locator('input[name="password"]').press("Enter")
    await page.wait_for_url(lambda u: "auth_callback" not in u and "/auth/" not in u)
    await page.wait_for_load_state("networkidle")


async def capture(page: Page, url: str, wait_text: str, out: Path, height: int) -> None:
    """Open a frontend path, wait for ``wait_text`` to render, save a PNG.

    The frontend scrolls inside its own panel, not the document, so a full-page
    capture is only the viewport: the viewport is made as tall as the content.
    """
    await page.set_viewport_size({"width": 1400, "height": height})
    await page.goto(url)
    await page.wait_for_load_state("networkidle")
    await page.get_by_text(wait_text).first.wait_for(timeout=30_000)
    await asyncio.sleep(2.0)  # cards and graphs fill in after the first paint
    out.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(out), full_page=True)
    print(f"saved {out}")


async def main() -> int:
    """Parse arguments and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--user", default=DEFAULT_USER)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--device", default="Bitaxe 2", help="device name to prefer")
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--integration-height", type=int, default=1200)
    parser.add_argument("--device-height", type=int, default=1650)
    parser.add_argument("--pool", default="Solo BTC", help="pool device to capture")
    parser.add_argument("--pool-height", type=int, default=1000)
    parser.add_argument(
        "--only", choices=("all", "devices", "dashboard"), default="all"
    )
    args = parser.parse_args()
    devices = args.only in ("all", "devices")
    dashboards = args.only in ("all", "dashboard")

    async with aiohttp.ClientSession() as session:
        client = await HAClient.login(session, args.url, args.user, args.password)
        try:
            # Both looked up first: the websocket may close while we wait.
            device = await pick_device(client, args.device)
            pool: dict[str, Any] | None = None
            if args.pool:
                pool = await pick_device(client, args.pool)
                if args.pool.lower() not in _name(pool).lower():
                    pool = None  # no such pool configured: skip its picture
            dead = await wait_for_live_values(client, device["id"], args.timeout)
            if pool is not None:
                dead += await wait_for_live_values(client, pool["id"], args.timeout)
        finally:
            await client.close()
    if dead:
        print(f"warning: still not live after {args.timeout:.0f} s: {', '.join(dead)}")

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        await login(page, args.url, args.user, args.password)
        if dashboards:
            await capture_dashboard(page, args)
        if not devices:
            await browser.close()
            return 2 if dead else 0
        await capture(
            page,
            f"{args.url}/config/integrations/integration/{DOMAIN}",
            _name(device),
            args.out / "integration.png",
            args.integration_height,
        )
        await capture(
            page,
            f"{args.url}/config/devices/device/{device['id']}",
            _name(device),
            args.out / "device-page.png",
            args.device_height,
        )
        if pool is not None:
            await capture(
                page,
                f"{args.url}/config/devices/device/{pool['id']}",
                _name(pool),
                args.out / "pool-page.png",
                args.pool_height,
            )
        await browser.close()
    # The pictures are saved either way; a non-zero exit flags dead values.
    return 2 if dead else 0


# Dashboard views (path, file, viewport height) and the text each waits for.
DASHBOARD_VIEWS = (
    ("fleet", "dashboard-fleet.png", 1250, "Bitaxe 1"),
    ("prices", "dashboard-prices.png", 1450, "Today and tomorrow"),
    ("costs", "dashboard-costs.png", 1000, "Per miner"),
    ("shares", "dashboard-shares.png", 1300, "Alerts and events"),
)
DASHBOARD_URL = "home-miner-manager"


async def capture_dashboard(page: Page, args: argparse.Namespace) -> None:
    """The ready dashboard and the calendar panel.

    The strategy module creates the dashboard in this (administrator's)
    session: wait until its url answers, as a user would see it appear.
    """
    await page.goto(args.url)
    await page.wait_for_load_state("networkidle")
    await page.locator(f'a[href="/{DASHBOARD_URL}"]').first.wait_for(timeout=60_000)
    for path, name, height, wait_text in DASHBOARD_VIEWS:
        await capture(
            page,
            f"{args.url}/{DASHBOARD_URL}/{path}",
            wait_text,
            args.out / name,
            height,
        )
    await capture(
        page, f"{args.url}/calendar", "Strategy plan", args.out / "calendar.png", 1000
    )


def _name(device: dict[str, Any]) -> str:
    return str(device.get("name_by_user") or device.get("name") or "")


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except HAError as err:
        print(f"screenshot failed: {err}", file=sys.stderr)
        sys.exit(1)
