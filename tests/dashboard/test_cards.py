"""The dashboard generator: plain data in, Lovelace configuration out."""

from __future__ import annotations

from typing import Any

from custom_components.home_miner_manager.dashboard import (
    BandInfo,
    DashboardInput,
    DeviceEntities,
    build_dashboard,
)
from custom_components.home_miner_manager.dashboard.cards import band_colours

BUILT_IN = {
    "entities",
    "glance",
    "gauge",
    "history-graph",
    "statistics-graph",
    "markdown",
    "calendar",
    "logbook",
}


def _miner(name: str, slug: str, **extra: str) -> DeviceEntities:
    keys = ("status", "hashrate", "temperature", "power", "health", "cost_today")
    entities = {key: f"sensor.{slug}_{key}" for key in keys}
    entities["mode"] = f"select.{slug}_mode"
    entities["pool"] = f"select.{slug}_pool"
    entities.update(extra)
    return DeviceEntities(name, entities, device_id=f"dev-{slug}")


HUB = DeviceEntities(
    "Home Miner Manager",
    {
        "current_price": "sensor.hmm_current_price",
        "next_price": "sensor.hmm_next_price",
        "price_band": "sensor.hmm_price_band",
        "cost_today": "sensor.hmm_cost_today",
        "cost_month": "sensor.hmm_cost_month",
        "best_share": "sensor.hmm_best_share",
    },
    device_id="dev-hub",
)
BANDS = (
    BandInfo("BTC <4p", None, 4.0, off=False),
    BandInfo("DGB 4-20p", 4.0, 20.0, off=False),
    BandInfo("OFF >=20p", 20.0, None, off=True),
)


def _cards(config: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for view in config["views"]:
        found.extend(view["cards"])
    return found


def _ids(card: dict[str, Any]) -> list[str]:
    return [row["entity"] if isinstance(row, dict) else row for row in card["entities"]]


def _all_entities(card: dict[str, Any]) -> list[str]:
    rows = card.get("entities", [])
    ids = [row["entity"] if isinstance(row, dict) else row for row in rows]
    return ids + ([card["entity"]] if "entity" in card else [])


def test_fleet_tiles_one_per_miner_in_order() -> None:
    """Each miner gets a card with status, hashrate, temperature, power, mode, pool, health."""
    config = build_dashboard(
        DashboardInput(hub=HUB, miners=[_miner("Bitaxe 1", "b1"), _miner("Nano", "n")])
    )
    fleet = config["views"][0]
    assert config["title"] == "Home Miner Manager"
    tiles = [
        card for card in fleet["cards"] if card.get("title") in {"Bitaxe 1", "Nano"}
    ]
    assert [tile["title"] for tile in tiles] == ["Bitaxe 1", "Nano"]
    assert tiles[0]["entities"][0] == {"entity": "sensor.b1_status", "name": "Status"}
    assert _ids(tiles[0]) == [
        "sensor.b1_status",
        "sensor.b1_hashrate",
        "sensor.b1_temperature",
        "sensor.b1_power",
        "select.b1_mode",
        "select.b1_pool",
        "sensor.b1_health",
    ]


def test_only_built_in_cards_and_only_existing_entities() -> None:
    """No custom card; every entity named is one the input has."""
    miners = [_miner("Bitaxe 1", "b1"), _miner("NMMiner", "nm")]
    data = DashboardInput(hub=HUB, miners=miners, bands=BANDS)
    known = {e for dev in (HUB, *miners) for e in dev.entities.values()}
    for card in _cards(build_dashboard(data)):
        assert card["type"] in BUILT_IN
        assert set(_all_entities(card)) <= known


def test_missing_entities_leave_rows_and_cards_out() -> None:
    """A miner without temperature/mode has no such row; no price: no price view."""
    bare = DeviceEntities("NMMiner", {"status": "sensor.nm_status"})
    config = build_dashboard(
        DashboardInput(hub=DeviceEntities("Home Miner Manager", {}), miners=[bare])
    )
    assert [view["path"] for view in config["views"]] == ["fleet", "costs", "shares"]
    tile = next(c for c in config["views"][0]["cards"] if c.get("title") == "NMMiner")
    assert _ids(tile) == ["sensor.nm_status"]


def test_plan_calendar_and_reason_included_when_they_exist() -> None:
    """The strategy_plan calendar and each miner's strategy_reason are picked up."""
    hub = DeviceEntities(
        HUB.name, {**HUB.entities, "strategy_plan": "calendar.hmm_strategy_plan"}
    )
    miner = _miner("Bitaxe 1", "b1", strategy_reason="sensor.b1_strategy_reason")
    config = build_dashboard(DashboardInput(hub=hub, miners=[miner], bands=BANDS))
    cards = _cards(config)
    calendar = next(card for card in cards if card["type"] == "calendar")
    assert calendar["entities"] == ["calendar.hmm_strategy_plan"]
    tile = next(card for card in cards if card.get("title") == "Bitaxe 1")
    assert _ids(tile)[:2] == ["sensor.b1_status", "sensor.b1_strategy_reason"]

    without = _cards(
        build_dashboard(DashboardInput(hub=HUB, miners=[_miner("B", "b")]))
    )
    assert not [card for card in without if card["type"] == "calendar"]


def test_prices_view_has_gauge_bands_plan_and_graphs() -> None:
    """Band colours on the gauge; the plan reads the upcoming attribute."""
    config = build_dashboard(DashboardInput(hub=HUB, bands=BANDS))
    prices = next(view for view in config["views"] if view["path"] == "prices")
    types = [card["type"] for card in prices["cards"]]
    assert types == [
        "gauge",
        "entities",
        "markdown",
        "history-graph",
    ]
    gauge = prices["cards"][0]
    assert gauge["segments"] == [
        {"from": -100, "color": "#039be5"},
        {"from": 4.0, "color": "#43a047"},
        {"from": 20.0, "color": "#e53935"},
    ]
    plan = prices["cards"][2]["content"]
    assert "state_attr('sensor.hmm_current_price', 'upcoming')" in plan
    assert "'DGB 4-20p'" in plan
    assert "p/kWh" in plan


def test_band_colours_off_is_red_and_mining_bands_cycle_cheapest_first() -> None:
    """Off bands are red wherever they sit; mining bands take the palette in order."""
    colours = band_colours(BANDS)
    assert [emoji for emoji, _ in colours] == ["🟦", "🟩", "🟥"]


def test_costs_per_miner_and_total() -> None:
    """Cost today/this month per miner and for the hub."""
    miner = _miner("Bitaxe 1", "b1", cost_month="sensor.b1_cost_month")
    config = build_dashboard(DashboardInput(hub=HUB, miners=[miner]))
    costs = next(view for view in config["views"] if view["path"] == "costs")
    total, per_miner = costs["cards"][:2]
    assert _ids(total) == ["sensor.hmm_cost_today", "sensor.hmm_cost_month"]
    assert per_miner["entities"] == [
        {"entity": "sensor.b1_cost_today", "name": "Bitaxe 1 today"},
        {"entity": "sensor.b1_cost_month", "name": "Bitaxe 1 this month"},
    ]


def test_shares_view_lists_pools_and_a_logbook_of_the_devices() -> None:
    """Best shares per miner, pools, and alerts in the devices' logbook."""
    miner = _miner("Bitaxe 1", "b1", best_share_ever="sensor.b1_best")
    pool = DeviceEntities("Solo BTC", {"reachable": "binary_sensor.solo_reachable"})
    config = build_dashboard(DashboardInput(hub=HUB, miners=[miner], pools=[pool]))
    shares = next(view for view in config["views"] if view["path"] == "shares")
    titles = [card.get("title") for card in shares["cards"]]
    assert titles == ["Fleet", "Bitaxe 1", "Solo BTC", "Alerts and events"]
    assert shares["cards"][-1]["target"] == {"device_id": ["dev-hub", "dev-b1"]}


def test_no_miner_yet_says_how_to_add_one() -> None:
    """Right after adding the hub the fleet view is not empty."""
    config = build_dashboard(DashboardInput(hub=HUB))
    assert any(
        "Add miner" in card.get("content", "") for card in config["views"][0]["cards"]
    )
