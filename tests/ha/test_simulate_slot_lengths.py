"""simulate_strategy over 15- and 60-minute slots, costs in the hub's currency."""

from __future__ import annotations

from datetime import date
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.home_miner_manager.const import DOMAIN
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry
from .strategy_support import entity_id
from .tariff_standin import NordPool
from .test_entities import sync_sim_clock


async def _euro_hub(
    hass: HomeAssistant, setup_hub: HubFactory, sim: AxeOSSimulator
) -> None:
    await hass.config.async_update(time_zone="Europe/Stockholm", currency="EUR")
    nordpool = NordPool(hass, "SE3", lambda _moment: 30.0)
    nordpool.published = {date(2026, 12, 4)}
    sync_sim_clock(sim)
    await setup_hub(
        [
            miner_subentry(
                sim,
                "bitaxe",
                title="Bitaxe",
                unique_id=BITAXE_UID,
                power_switch="switch.plug",
            )
        ],
        options={"price_source": "octopus_entity", "price_entity": nordpool.entity_id},
    )
    await hass.services.async_call(
        "switch",
        "turn_on",
        {"entity_id": entity_id(hass, "switch", f"{BITAXE_UID}_strategy_enrolled")},
        blocking=True,
    )


async def _simulate(hass: HomeAssistant, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, "simulate_strategy", data, blocking=True, return_response=True
    )


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_quarter_hour_items(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """An hour at 25 c (OFF), two at 3 c (BTC), as quarter-hour items."""
    await _euro_hub(hass, setup_hub, axeos_sim)
    prices = [
        {"start": f"2026-12-05T{h:02d}:{m:02d}:00+01:00", "price": price}
        for h, price in ((0, 25.0), (1, 3.0), (2, 3.0))
        for m in (0, 15, 30, 45)
    ]
    response = await _simulate(hass, {"prices": prices})
    assert len(response["slots"]) == 12
    assert [s["band"] for s in response["slots"]] == ["OFF >=20c"] * 4 + ["BTC <4c"] * 8
    (miner,) = response["miners"]
    assert miner["hours_on"] == 2.0  # eight quarter-hours, not eight half hours
    assert response["currency"] == "EUR"
    assert response["price_unit"] == "c/kWh"
    # 3 c/kWh for two hours, in euros: the miner's draw x 2 h x 0.03.
    watts = miner["kwh"] / 2 * 1000
    assert miner["cost"] == pytest.approx(watts * 2 / 1000 * 0.03, abs=1e-4)
    assert miner["saving"] > 0


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_hourly_numbers(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Three hourly prices: an hour OFF, two hours of BTC."""
    await _euro_hub(hass, setup_hub, axeos_sim)
    response = await _simulate(
        hass,
        {
            "start": "2026-12-05 00:00:00",
            "prices": [25.0, 3.0, 3.0],
            "slot_minutes": 60,
        },
    )
    starts = [s["start"] for s in response["slots"]]
    assert starts == [
        "2026-12-04T23:00:00+00:00",
        "2026-12-05T00:00:00+00:00",
        "2026-12-05T01:00:00+00:00",
    ]
    assert [s["band"] for s in response["slots"]] == ["OFF >=20c", "BTC <4c", "BTC <4c"]
    (miner,) = response["miners"]
    assert miner["hours_on"] == 2.0
    assert miner["always_on_kwh"] == pytest.approx(miner["kwh"] * 3 / 2, abs=2e-4)
