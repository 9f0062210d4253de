"""The "Home Miner Manager" dashboard through the real Home Assistant core.

The generated configuration for a simulated fleet (websocket command), the
creation sequence the strategy module runs (Lovelace's public websocket
commands), and that a dashboard the user edited is never written again.
"""

from __future__ import annotations

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import template
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.home_miner_manager.hub.dashboard import (
    JS_URL,
    STRATEGY,
    URL_PATH,
)
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, closed_port, miner_subentry
from .strategy_support import entity_id, entity_options, pool_subentry, set_day
from .test_entities import sync_sim_clock

NOW = "2026-03-10 12:10:00+00:00"
# Cheap (BTC <4p... default bands), eco and off prices through the day.
DAY = [3.0] * 16 + [15.0] * 16 + [25.0] * 16


async def _hub(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    sim: AxeOSSimulator,
) -> MockConfigEntry:
    freezer.move_to(dt_util.parse_datetime(NOW))
    assert await async_setup_component(hass, "lovelace", {})
    set_day(hass, DAY)
    sync_sim_clock(sim)
    return await setup_hub(
        [
            miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID),
            pool_subentry("DGB", closed_port()),
        ],
        options=entity_options(),
    )


async def _ws(client: Any, msg_type: str, **fields: Any) -> Any:
    await client.send_json_auto_id({"type": msg_type, **fields})
    reply = await client.receive_json()
    assert reply["success"], reply
    return reply["result"]


def _cards(config: dict[str, Any], path: str) -> list[dict[str, Any]]:
    view = next(view for view in config["views"] if view["path"] == path)
    cards: list[dict[str, Any]] = view["cards"]
    return cards


async def test_dashboard_for_the_simulated_fleet(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Fleet tile, prices and plan, costs, shares: real entity ids, all present."""
    # Authenticated before the clock moves back (the token is issued now).
    client = await hass_ws_client(hass)
    await _hub(hass, freezer, setup_hub, axeos_sim)
    config = await _ws(client, "home_miner_manager/dashboard/config")

    assert [view["path"] for view in config["views"]] == [
        "fleet",
        "prices",
        "costs",
        "shares",
    ]
    tile = next(c for c in _cards(config, "fleet") if c.get("title") == "Bitaxe")
    wanted = [
        entity_id(hass, "sensor", f"{BITAXE_UID}_status"),
        entity_id(hass, "sensor", f"{BITAXE_UID}_hashrate"),
        entity_id(hass, "sensor", f"{BITAXE_UID}_temperature"),
        entity_id(hass, "sensor", f"{BITAXE_UID}_power"),
        entity_id(hass, "select", f"{BITAXE_UID}_mode"),
        entity_id(hass, "select", f"{BITAXE_UID}_pool"),
        entity_id(hass, "sensor", f"{BITAXE_UID}_health"),
    ]
    shown = [row["entity"] for row in tile["entities"]]
    assert [ent for ent in shown if ent in wanted] == wanted
    # Every entity the dashboard names exists in Home Assistant.
    named = _named_entities(config)
    assert named
    missing = [ent for ent in named if hass.states.get(ent) is None]
    assert not missing
    calendars = hass.states.async_entity_ids("calendar")
    assert ("calendar" in _types(config)) == bool(calendars)

    costs = _cards(config, "costs")
    assert costs[0]["title"] == "Total"
    assert any(row["name"] == "Bitaxe today" for row in costs[1]["entities"])
    shares = _cards(config, "shares")
    titles = [card.get("title") or "" for card in shares]
    assert titles[:2] == ["Fleet", "Bitaxe"]
    assert titles[2].startswith("DGB")
    assert titles[-1] == "Alerts and events"

    # The plan's template renders today's runs of one band, with the bands' names.
    plan = next(c for c in _cards(config, "prices") if c["type"] == "markdown")
    rendered = template.Template(plan["content"], hass).async_render(parse_result=False)
    assert "| When | Band |" in rendered
    assert "| 🟧 DGB 12-20p | 15.0 |" in rendered
    assert "| 🟥 OFF >=20p | 25.0 |" in rendered


def _named_entities(config: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for view in config["views"]:
        for card in view["cards"]:
            found.extend(
                row["entity"] if isinstance(row, dict) else row
                for row in card.get("entities", [])
            )
            if "entity" in card:
                found.append(card["entity"])
    return found


def _types(config: dict[str, Any]) -> set[str]:
    return {card["type"] for view in config["views"] for card in view["cards"]}


async def test_created_once_and_a_user_edit_is_kept(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The strategy module's sequence, then a user edit survives a second set-up."""
    client = await hass_ws_client(hass)
    entry = await _hub(hass, freezer, setup_hub, axeos_sim)
    offer = await _ws(client, "home_miner_manager/dashboard/offer")
    assert offer["create"] is True
    assert offer["url_path"] == URL_PATH

    # What hmm-dashboard.js sends.
    await _ws(
        client,
        "lovelace/dashboards/create",
        url_path=offer["url_path"],
        title=offer["title"],
        icon=offer["icon"],
        show_in_sidebar=True,
        require_admin=False,
        mode="storage",
    )
    await _ws(
        client,
        "lovelace/config/save",
        url_path=URL_PATH,
        config={"strategy": {"type": offer["strategy"]}},
    )
    await _ws(client, "home_miner_manager/dashboard/created")
    saved = await _ws(client, "lovelace/config", url_path=URL_PATH)
    assert saved == {"strategy": {"type": STRATEGY}}

    # The user takes control and edits it.
    edited = {"title": "Mine", "views": [{"title": "My view", "cards": []}]}
    await _ws(client, "lovelace/config/save", url_path=URL_PATH, config=edited)

    # A second set-up of the hub writes nothing and offers nothing.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    offer = await _ws(client, "home_miner_manager/dashboard/offer")
    assert offer["create"] is False
    assert await _ws(client, "lovelace/config", url_path=URL_PATH) == edited
    dashboards = await _ws(client, "lovelace/dashboards/list")
    assert [d["url_path"] for d in dashboards].count(URL_PATH) == 1


async def test_not_offered_without_a_loaded_hub(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    """Before a hub is set up there is nothing to show: no dashboard is created."""
    assert await async_setup_component(hass, "home_miner_manager", {})
    client = await hass_ws_client(hass)
    offer = await _ws(client, "home_miner_manager/dashboard/offer")
    assert offer["create"] is False


async def test_strategy_module_served_by_home_assistant(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """The frontend loads the strategy from Home Assistant itself (no CDN)."""
    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, "home_miner_manager", {})
    client = await hass_client()
    resp = await client.get(JS_URL)
    assert resp.status == 200
    body = await resp.text()
    assert "ll-strategy-dashboard-home-miner-manager" in body
    assert "home_miner_manager/dashboard/config" in body
