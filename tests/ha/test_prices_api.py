"""Prices from Octopus Energy's public API (a local fake server), through a hub."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import EnergyPrice
from hmm_sim.octopus import OctopusAPISimulator, agile_price

from .conftest import HubFactory, rows
from .strategy_support import HUB_ID, entity_id, uk_midnight

NOW = "2026-03-10 12:10:00+00:00"
OPTIONS = {"price_source": "octopus_api", "region": "C"}


@pytest.fixture
async def octopus(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[OctopusAPISimulator]:
    """The fake API, small pages (paging exercised), as the hub's base URL."""
    async with OctopusAPISimulator(page_size=20) as sim:
        monkeypatch.setattr(const, "OCTOPUS_API_URL", sim.base_url)
        yield sim


def _serve(sim: OctopusAPISimulator, days: int) -> None:
    start = uk_midnight().astimezone(dt_util.UTC)
    sim.generate_rates("AGILE-24-10-01", "C", start, start + timedelta(days=days))


def _price(hass: HomeAssistant) -> str:
    state = hass.states.get(entity_id(hass, "sensor", f"{HUB_ID}_current_price"))
    assert state is not None
    return state.state


@pytest.mark.freeze_time(NOW)
async def test_api_prices_paged_and_stored(
    hass: HomeAssistant, setup_hub: HubFactory, octopus: OctopusAPISimulator
) -> None:
    _serve(octopus, 1)
    entry = await setup_hub(options=OPTIONS)
    slot = dt_util.parse_datetime("2026-03-10 12:00:00+00:00")
    assert slot is not None
    assert float(_price(hass)) == agile_price(slot)
    rate_requests = [p for p, _ in octopus.requests if "standard-unit-rates" in p]
    assert len(rate_requests) == 3  # 48 slots in pages of 20
    # The product was discovered among the traps (export, business, future).
    assert "/v1/products/AGILE-24-10-01/" in rate_requests[0]
    stored = await rows(hass, entry, EnergyPrice)
    assert len(stored) == 48
    assert {r.region for r in stored} == {"C"}


@pytest.mark.freeze_time(NOW)
async def test_api_refreshes_after_four_for_tomorrow(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    octopus: OctopusAPISimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    _serve(octopus, 1)
    entry = await setup_hub(options=OPTIONS)
    before = len(octopus.requests)
    _serve(octopus, 2)  # tomorrow published
    freezer.move_to(dt_util.parse_datetime("2026-03-10 16:00:30+00:00"))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(octopus.requests) > before
    assert len(await rows(hass, entry, EnergyPrice)) == 96


@pytest.mark.freeze_time(NOW)
async def test_api_stale_raises_issue_after_grace(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    octopus: OctopusAPISimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    _serve(octopus, 1)
    octopus.mode = "stale"
    await setup_hub(options=OPTIONS)
    assert _price(hass) == "unavailable"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown") is None
    freezer.tick(timedelta(minutes=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown")
    assert issue is not None
    assert issue.translation_key == "price_unknown_api_stale"
    # The API recovers: the next try fetches and the issue goes.
    octopus.mode = "ok"
    freezer.tick(timedelta(minutes=6))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _price(hass) != "unavailable"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown") is None
