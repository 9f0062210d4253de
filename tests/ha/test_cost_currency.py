"""Energy cost sensors in the prices' currency: EUR on Nord Pool, GBP on Octopus."""

from __future__ import annotations

from datetime import date, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.miner.coordinator import MinerCoordinator
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry
from .strategy_support import HUB_ID, entity_id, entity_options, flat_day, set_day
from .tariff_standin import NordPool
from .test_entities import sync_sim_clock


def _state(hass: HomeAssistant, unique_id: str) -> tuple[float, str, str]:
    state = hass.states.get(entity_id(hass, "sensor", unique_id))
    assert state is not None
    attrs = state.attributes
    return float(state.state), attrs["unit_of_measurement"], attrs["device_class"]


async def _five_minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, coordinator: MinerCoordinator
) -> float:
    """Poll every 30 s for five minutes; return the kWh the mean power makes."""
    watts = []
    for _ in range(10):
        freezer.tick(timedelta(seconds=30))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        watts.append(coordinator.power_watts)
    return sum(watts) / len(watts) * (5 / 60) / 1000


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_cost_in_euros_on_nord_pool(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await hass.config.async_update(time_zone="Europe/Stockholm", currency="EUR")
    nordpool = NordPool(hass, "SE3", lambda _moment: 30.0)  # 30 €/MWh = 3 c/kWh
    nordpool.published = {date(2026, 12, 4)}
    sync_sim_clock(axeos_sim)
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)],
        options={"price_source": "octopus_entity", "price_entity": nordpool.entity_id},
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    kwh = await _five_minutes(hass, freezer, coordinator)
    value, unit, device_class = _state(hass, f"{BITAXE_UID}_cost_today")
    assert (unit, device_class) == ("EUR", "monetary")
    # c/kWh / 100: euros (was 3 c/kWh read as pence, labelled GBP).
    assert value == pytest.approx(kwh * 3 / 100, rel=0.25)
    assert value > 0
    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    for key in ("cost_today", "cost_month"):
        hub_value, hub_unit, _ = _state(hass, f"{HUB_ID}_{key}")
        assert hub_unit == "EUR"
        assert hub_value == pytest.approx(value)


@pytest.mark.freeze_time("2026-03-10 12:10:00+00:00")
async def test_cost_in_pounds_on_octopus(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await hass.config.async_update(currency="GBP")
    set_day(hass, flat_day(20.0))
    sync_sim_clock(axeos_sim)
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)],
        options=entity_options(),
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    kwh = await _five_minutes(hass, freezer, coordinator)
    value, unit, device_class = _state(hass, f"{BITAXE_UID}_cost_month")
    assert (unit, device_class) == ("GBP", "monetary")
    assert value == pytest.approx(kwh * 20 / 100, rel=0.25)


@pytest.mark.freeze_time("2026-03-10 12:10:00+00:00")
async def test_octopus_stays_in_pounds_on_a_euro_hub(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Octopus prices are pence whatever Home Assistant's currency says."""
    await hass.config.async_update(currency="EUR")
    set_day(hass, flat_day(20.0))
    sync_sim_clock(axeos_sim)
    await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)],
        options=entity_options(),
    )
    assert _state(hass, f"{HUB_ID}_cost_today")[1] == "GBP"


@pytest.mark.freeze_time("2026-12-04 09:50:00+00:00")
async def test_a_pound_total_is_not_carried_into_euros(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Octopus → Nord Pool in place: the unit follows, the GBP total restarts."""
    await hass.config.async_update(time_zone="Europe/Stockholm", currency="EUR")
    set_day(hass, flat_day(1000.0))  # dear pence: a total that shows
    nordpool = NordPool(hass, "SE3", lambda _moment: 30.0)
    nordpool.published = {date(2026, 12, 4)}
    sync_sim_clock(axeos_sim)
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)],
        options=entity_options(),
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    pounds_kwh = await _five_minutes(hass, freezer, coordinator)
    pounds, unit, _ = _state(hass, f"{BITAXE_UID}_cost_today")
    assert unit == "GBP"
    assert pounds == pytest.approx(pounds_kwh * 10, rel=0.25)
    hass.config_entries.async_update_entry(
        entry,
        options={
            **entry.options,
            "price_source": "octopus_entity",
            "price_entity": nordpool.entity_id,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    euros_kwh = await _five_minutes(hass, freezer, coordinator)
    euros, unit, _ = _state(hass, f"{BITAXE_UID}_cost_today")
    assert unit == "EUR"
    assert euros == pytest.approx(euros_kwh * 0.03, rel=0.3)
    assert euros < pounds / 10
