"""Assist / LLM tools through the real core: each tool via ``llm.async_get_api``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import llm
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from voluptuous_openapi import convert

from custom_components.home_miner_manager.db.models import Telemetry
from custom_components.home_miner_manager.db.prices_rows import upsert_energy_prices
from custom_components.home_miner_manager.db.rollup_models import TelemetryHourly
from custom_components.home_miner_manager.db.share_rows import record_high_diff_share
from custom_components.home_miner_manager.prices.slots import PriceSlot
from hmm_sim import CgminerSimulator, Fleet
from hmm_sim.axeos_device import new_pool
from tests.plugins.simulators import AVALON_WEB_PASSWORD

from .conftest import HubFactory, closed_port, miner_subentry
from .strategy_support import UK, entity_options, pool_subentry, set_day
from .test_entities import sync_sim_clock

NOW = "2026-03-10 12:10:00+00:00"
# 15p until noon, 25p (OFF) until 14:00, 10p until 17:00, then 3p.
DAY = [15.0] * 24 + [25.0] * 4 + [10.0] * 6 + [3.0] * 14
WALLET = "bc1qsecretwalletaddress"
POOL_PASSWORD = "pool-secret-pass"


def llm_context() -> llm.LLMContext:
    """What a conversation agent passes."""
    return llm.LLMContext(
        platform="test",
        context=Context(),
        language="en",
        assistant="conversation",
        device_id=None,
    )


async def call(hass: HomeAssistant, tool: str, **args: Any) -> dict[str, Any]:
    """Call one tool the way a conversation agent does."""
    api = await llm.async_get_api(hass, "home_miner_manager", llm_context())
    return dict(await api.async_call_tool(llm.ToolInput(tool, args)))


def dgb_pool(port: int) -> Any:
    """The pool the Bitaxe mines on, with a wallet as its user."""
    pool = pool_subentry("DGB", port)
    data = {**pool["data"], "name": "Solo DGB", "user": WALLET}
    data["password"] = POOL_PASSWORD
    return {**pool, "data": data, "title": "Solo DGB", "unique_id": f"dgb:{port}"}


async def add_share(
    hub: Any, miner: Any, difficulty: float, when: datetime, *, block: bool = False
) -> None:
    """A DGB share of ``miner`` on the Solo DGB pool (a block: 8e12 network)."""
    await hub.database.async_run(
        partial(
            record_high_diff_share,
            miner_id=miner.miner_id,
            miner_name=miner.name,
            miner_type="bitaxe",
            coin="DGB",
            pool_name="Solo DGB",
            difficulty=difficulty,
            network_difficulty=8e12 if block else None,
            was_block_solve=block,
            timestamp=when,
        )
    )


async def fleet_hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
    avalon_sim: CgminerSimulator,
    *extra: ConfigSubentryData,
) -> MockConfigEntry:
    """The development fleet (Bitaxe, NerdQAxe, Avalon Nano) with prices and pools."""
    await hass.config.async_set_time_zone("Europe/London")
    fleet = await sim_fleet(bitaxe=1, nerdqaxe=1)
    bitaxe, nerdqaxe = fleet.devices
    pool_port = closed_port()
    # The Bitaxe mines on our DGB pool: the tools name it, never its address.
    bitaxe.device.pools[0] = new_pool(  # type: ignore[attr-defined]
        "127.0.0.1", pool_port, f"{WALLET}.garage", POOL_PASSWORD
    )
    for sim in (bitaxe, nerdqaxe):
        sync_sim_clock(sim)
    set_day(hass, DAY)
    return await setup_hub(
        [
            miner_subentry(bitaxe, "bitaxe", title="Garage Bitaxe", unique_id="mac:1"),
            miner_subentry(
                nerdqaxe, "nerdqaxe", title="Loft NerdQAxe", unique_id="mac:2"
            ),
            miner_subentry(
                avalon_sim,
                "avalon_nano",
                title="Avalon Nano",
                unique_id="mac:3",
                web_password=AVALON_WEB_PASSWORD,
            ),
            dgb_pool(pool_port),
            pool_subentry("BCH", closed_port()),
            pool_subentry("BTC", closed_port()),
            *extra,
        ],
        options=entity_options(),
    )


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    sim_fleet: Callable[..., Awaitable[Fleet]],
    avalon_sim: CgminerSimulator,
) -> MockConfigEntry:
    """The development fleet's hub (``fleet_hub``), at the test's frozen time."""
    return await fleet_hub(hass, setup_hub, sim_fleet, avalon_sim)


@pytest.mark.freeze_time(NOW)
async def test_fleet_status(
    hass: HomeAssistant,
    entry: MockConfigEntry,
) -> None:
    answer = await call(hass, "get_miner_fleet_status")
    miners = {line["name"]: line for line in answer["miners"]}
    assert list(miners) == ["Avalon Nano", "Garage Bitaxe", "Loft NerdQAxe"]
    by_name = {c.name: c for c in entry.runtime_data.coordinators.values()}
    for name, line in miners.items():
        data = by_name[name].data
        assert line["status"] == "mining"
        assert line["hashrate_th_s"] == round(data.hashrate_ghs / 1000, 3)
        assert line["temperature_c"] == round(data.temperature, 1)
        assert line["power_w"] == round(by_name[name].power_watts, 1)
        assert line["mode"] == data.mode
        assert "health_score" in line
    assert miners["Garage Bitaxe"]["pool"] == "Solo DGB"
    # The hourly health score, once there is one.
    assert entry.runtime_data.health is not None
    entry.runtime_data.health.scores[by_name["Garage Bitaxe"].miner_id] = {
        "timestamp": dt_util.utcnow(),
        "overall_score": 87.25,
    }
    again = await call(hass, "get_miner_fleet_status", miner="garage")
    assert again["health_score"] == 87.2
    assert miners["Garage Bitaxe"]["type"] == "Bitaxe"
    # A pool the user has not set up is said so, without its address.
    assert miners["Loft NerdQAxe"]["pool"] == "a pool not set up in Home Miner Manager"
    assert answer["totals"]["miners"] == 3
    assert answer["totals"]["mining"] == 3
    # One miner, by a forgiving name.
    one = await call(hass, "get_miner_fleet_status", miner="loft")
    assert one["name"] == "Loft NerdQAxe"
    # Offered to conversation agents, each tool's schema as they convert it.
    (api,) = [a for a in llm.async_get_apis(hass) if a.id == "home_miner_manager"]
    assert api.name == "Home Miner Manager"
    instance = await llm.async_get_api(hass, "home_miner_manager", llm_context())
    schemas = {
        tool.name: convert(tool.parameters, custom_serializer=llm.selector_serializer)
        for tool in instance.tools
    }
    assert schemas["explain_miner_state"]["required"] == ["miner"]
    assert set(schemas["get_mining_energy_cost"]["properties"]["period"]["enum"]) == {
        "today",
        "yesterday",
        "this_month",
        "last_month",
        "range",
    }
    assert "Garage Bitaxe" in instance.api_prompt


@pytest.mark.freeze_time(NOW)
async def test_unknown_and_ambiguous_names(
    hass: HomeAssistant,
    entry: MockConfigEntry,
) -> None:
    for tool in ("explain_miner_state", "get_miner_fleet_status"):
        answer = await call(hass, tool, miner="Antminer S21")
        assert answer["error"] == "unknown_miner"
        assert answer["known_miners"] == [
            "Avalon Nano",
            "Garage Bitaxe",
            "Loft NerdQAxe",
        ]
        assert "Antminer S21" in answer["message"]
        assert "Garage Bitaxe" in answer["message"]
    answer = await call(hass, "get_mining_energy_cost", miner="nobody")
    assert answer["error"] == "unknown_miner"
    # Not a name at all: an answer too, never an exception.
    answer = await call(hass, "explain_miner_state", miner=42)
    assert answer["error"] == "invalid_arguments"
    answer = await call(hass, "explain_miner_state", miner="GARAGE bitaxe")
    assert answer["miner"] == "Garage Bitaxe"


@pytest.mark.freeze_time(NOW)
async def test_price_plan_follows_the_decision(
    hass: HomeAssistant,
    entry: MockConfigEntry,
) -> None:
    answer = await call(hass, "get_mining_price_plan")
    assert answer["strategy"] == "off"
    assert answer["now"] == {
        "price_per_kwh": 25.0,
        "band": "OFF >=20p",
        "decision_reason": "off_band",
    }
    periods = [(p["start"], p["end"], p["band"]) for p in answer["periods"]]
    assert periods == [
        ("2026-03-10T12:00:00+00:00", "2026-03-10T14:00:00+00:00", "OFF >=20p"),
        ("2026-03-10T14:00:00+00:00", "2026-03-10T17:00:00+00:00", "DGB 7-12p"),
        ("2026-03-10T17:00:00+00:00", "2026-03-11T00:00:00+00:00", "BTC <4p"),
    ]
    assert answer["periods"][1]["what_miners_do"].startswith("enrolled miners mine DGB")
    assert "switched off" in answer["periods"][0]["what_miners_do"]
    assert answer["prices_known_until"] == "2026-03-11T00:00:00+00:00"
    assert answer["price_range_per_kwh"] == {"min": 3.0, "max": 25.0, "mean": 8.42}


@pytest.mark.freeze_time(NOW)
async def test_why_is_a_miner_off_or_on(
    hass: HomeAssistant,
    entry: MockConfigEntry,
) -> None:
    runner = entry.runtime_data.strategy
    assert runner is not None
    answer = await call(hass, "explain_miner_state", miner="garage")
    assert answer["reason"] == "strategy_off"
    assert answer["status"] == "mining"
    bitaxe = next(
        c
        for c in runner.entry.runtime_data.coordinators.values()
        if c.name == "Garage Bitaxe"
    )
    await runner.async_set_enrolled(bitaxe, True, None)
    await runner.async_set_enabled(True, None)
    await hass.async_block_till_done(wait_background_tasks=True)
    answer = await call(hass, "explain_miner_state", miner="Garage")
    assert answer["reason"] == "off_price"
    assert answer["band"] == "OFF >=20p"
    assert answer["price_per_kwh"] == 25.0
    # No power switch: it runs at its lowest mode, and says so.
    assert "lowest mode" in answer["explanation"]
    assert answer["target_band"] == "DGB 7-12p"
    assert answer["changes_at"] == "2026-03-10T14:00:00+00:00"
    answer = await call(hass, "explain_miner_state", miner="loft nerd")
    assert answer["reason"] == "not_enrolled"
    assert "not enrolled" in answer["explanation"]


@pytest.mark.freeze_time(NOW)
async def test_energy_cost_today_and_a_past_range(
    hass: HomeAssistant,
    entry: MockConfigEntry,
) -> None:
    hub = entry.runtime_data
    assert hub.prices is not None
    region = hub.prices.region
    by_name = {c.name: c for c in hub.coordinators.values()}
    garage = by_name["Garage Bitaxe"].miner_id
    midnight = datetime(2026, 3, 10, tzinfo=UK)
    # 1 kW from midnight to 02:00, a sample every 5 minutes: held 10 min after.
    for minutes in range(0, 125, 5):
        hub.database.queue_insert(
            Telemetry,
            miner_id=garage,
            timestamp=midnight + timedelta(minutes=minutes),
            power_watts=1000.0,
        )
    # Long ago: only the hourly rollup is left, priced at its slots' mean.
    old = datetime(2026, 2, 20, tzinfo=UK)
    hub.database.queue_insert(
        TelemetryHourly, miner_id=garage, period_start=old, energy_kwh=2.0
    )
    slots = [
        PriceSlot(old, old + timedelta(minutes=30), 20.0),
        PriceSlot(old + timedelta(minutes=30), old + timedelta(hours=1), 10.0),
    ]
    await hub.database.async_run(
        partial(upsert_energy_prices, region=region, slots=slots)
    )
    answer = await call(hass, "get_mining_energy_cost")
    assert answer["from"] == "2026-03-10T00:00:00+00:00"
    assert answer["to"] == "2026-03-10T12:10:00+00:00"
    lines = {line["name"]: line for line in answer["miners"]}
    # 2 h 10 min at 1 kW, at 15p.
    assert lines["Garage Bitaxe"]["energy_kwh"] == pytest.approx(2.167, abs=0.001)
    assert lines["Garage Bitaxe"]["cost"] == pytest.approx(0.325, abs=0.001)
    assert answer["total"]["cost"] == pytest.approx(
        sum(line["cost"] for line in lines.values()), abs=0.001
    )
    past = await call(
        hass,
        "get_mining_energy_cost",
        period="range",
        start_date="2026-02-20",
        end_date="2026-02-20",
        miner="garage",
    )
    assert past["miners"] == [{"name": "Garage Bitaxe", "energy_kwh": 2.0, "cost": 0.3}]
    month = await call(hass, "get_mining_energy_cost", period="this_month")
    assert month["from"] == "2026-03-01T00:00:00+00:00"
    bad = await call(hass, "get_mining_energy_cost", period="range", start_date="soon")
    assert bad["error"] == "invalid_period"


@pytest.mark.freeze_time(NOW)
async def test_leaderboard_and_unload(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    hub = entry.runtime_data
    garage = next(c for c in hub.coordinators.values() if c.name == "Garage Bitaxe")
    for difficulty, block in ((5e6, False), (9e12, True), (7e8, False)):
        await add_share(
            hub, garage, difficulty, dt_util.utcnow() - timedelta(days=1), block=block
        )
    answer = await call(hass, "get_best_share_leaderboard", count=2)
    assert [(s["rank"], s["difficulty"], s["block"]) for s in answer["shares"]] == [
        (1, 9e12, True),
        (2, 7e8, False),
    ]
    assert answer["shares"][0]["pool"] == "Solo DGB"
    assert answer["shares"][0]["when"] == "2026-03-09T12:10:00+00:00"
    assert answer["blocks_found"] == 1
    assert (await call(hass, "get_best_share_leaderboard", coin="btc"))["shares"] == []
    # Gone with the entry.
    assert await hass.config_entries.async_unload(entry.entry_id)
    freezer.tick(timedelta(seconds=1))
    async_fire_time_changed(hass)
    with pytest.raises(HomeAssistantError):
        await llm.async_get_api(hass, "home_miner_manager", llm_context())


@pytest.mark.freeze_time(NOW)
async def test_without_a_price_source(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    """No prices set up: every tool still answers, and says what is missing."""
    await setup_hub(
        [
            miner_subentry(
                avalon_sim,
                "avalon_nano",
                title="Avalon Nano",
                web_password=AVALON_WEB_PASSWORD,
            )
        ]
    )
    plan = await call(hass, "get_mining_price_plan")
    assert plan["strategy"] == "not_configured"
    why = await call(hass, "explain_miner_state", miner="avalon")
    assert why["reason"] == "strategy_off"
    assert why["band"] is None
    cost = await call(hass, "get_mining_energy_cost", period="yesterday")
    assert cost["total"] == {"energy_kwh": 0.0, "cost": 0.0}
    fleet = await call(hass, "get_miner_fleet_status")
    assert fleet["miners"][0]["pool"] is not None
