"""The per-miner energy sensor: integration over (frozen, stepped) time, restore."""

from __future__ import annotations

from datetime import timedelta
import itertools

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    ATTR_DEVICE_CLASS,
    ATTR_UNIT_OF_MEASUREMENT,
    STATE_UNAVAILABLE,
    UnitOfEnergy,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import restore_state
import pytest
from pytest_homeassistant_custom_component.common import (
    mock_restore_cache_with_extra_data,
)

from custom_components.home_miner_manager.entities.energy_sensor import ENERGY_MAX_GAP
from hmm_sim import AxeOSSimulator, Fault, NMMinerSimulator

from .conftest import HubFactory
from .test_entities import add_axeos, add_nmminer, number, poll, state, sync_sim_clock

ENERGY = "sensor.bitaxe_energy"
STEP_H = 30 / 3600  # one polling interval in hours


def exact_total(hass: HomeAssistant, entity_id: str = ENERGY) -> float:
    """The unrounded total a restart would restore (the state shows whole Wh)."""
    for stored in restore_state.async_get(hass).async_get_stored_states():
        if stored.state.entity_id == entity_id:
            assert stored.extra_data is not None
            total = stored.extra_data.as_dict()["native_value"]
            assert isinstance(total, float)
            return total
    raise AssertionError(f"{entity_id} keeps nothing to restore")


def served_power(sim: AxeOSSimulator) -> float:
    """The power the Bitaxe reported in its last answer."""
    power: float = sim.served["/api/system/info"]["power"]
    return power


async def test_energy_is_integrated_from_device_power(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """Trapezoids between polls, following a power change (mode eco → standard)."""
    sync_sim_clock(axeos_sim)
    await add_axeos(setup_hub, axeos_sim)
    state_now = hass.states.get(ENERGY)
    assert state_now is not None
    assert state_now.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENERGY
    assert state_now.attributes["state_class"] == SensorStateClass.TOTAL_INCREASING
    assert state_now.attributes[ATTR_UNIT_OF_MEASUREMENT] == UnitOfEnergy.KILO_WATT_HOUR
    assert number(hass, ENERGY) == 0.0

    powers = [served_power(axeos_sim)]
    for _ in range(3):
        await poll(hass, freezer)
        powers.append(served_power(axeos_sim))
    # Lower the clock behind Home Assistant's back: the next readings differ.
    axeos_sim.device.frequency = 400
    for _ in range(2):
        await poll(hass, freezer)
        powers.append(served_power(axeos_sim))
    assert powers[-1] < powers[0]

    expected_kwh = sum(
        (a + b) / 2 * STEP_H / 1000 for a, b in itertools.pairwise(powers)
    )
    assert exact_total(hass) == pytest.approx(expected_kwh, abs=1e-9)
    # The state moves in whole watt-hours: finer digits were a write per poll.
    assert number(hass, ENERGY) == round(expected_kwh, 3)


async def test_unreachable_time_is_not_counted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """While the miner does not answer, energy is unavailable and does not grow."""
    sync_sim_clock(axeos_sim)
    await add_axeos(setup_hub, axeos_sim)
    await poll(hass, freezer)
    before = exact_total(hass)
    assert before > 0

    await axeos_sim.set_fault(Fault.HTTP_500)
    for _ in range(4):
        await poll(hass, freezer)
    assert state(hass, ENERGY) == STATE_UNAVAILABLE

    await axeos_sim.clear_fault()
    await poll(hass, freezer)
    # Back with the old total: the two minutes of silence added nothing.
    assert exact_total(hass) == before
    assert number(hass, ENERGY) == round(before, 3)
    await poll(hass, freezer)
    assert exact_total(hass) == pytest.approx(
        before + served_power(axeos_sim) * STEP_H / 1000, abs=1e-9
    )


async def test_long_gap_is_not_counted(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """Two readings further apart than the cap are not bridged."""
    sync_sim_clock(axeos_sim)
    entry = await add_axeos(setup_hub, axeos_sim)
    (coordinator,) = entry.runtime_data.coordinators.values()
    await poll(hass, freezer)
    before = exact_total(hass)
    assert before > 0

    freezer.tick(ENERGY_MAX_GAP + timedelta(seconds=1))
    await coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert exact_total(hass) == before


async def test_energy_from_manual_estimate(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
) -> None:
    """A miner without a power meter integrates the user's estimate."""
    sync_sim_clock(nmminer_sim)
    await add_nmminer(setup_hub, nmminer_sim, manual_power_watts=12)
    for _ in range(4):
        await poll(hass, freezer)
    assert exact_total(hass, "sensor.nmminer_energy") == pytest.approx(
        12 * 4 * STEP_H / 1000, abs=1e-9
    )


async def test_energy_restored_after_restart(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """The total survives a Home Assistant restart and keeps growing from it."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(ENERGY, "12.5"),
                {"native_value": 12.5, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    sync_sim_clock(axeos_sim)
    await add_axeos(setup_hub, axeos_sim)
    assert number(hass, ENERGY) == 12.5
    await poll(hass, freezer)
    assert exact_total(hass) == pytest.approx(
        12.5 + served_power(axeos_sim) * STEP_H / 1000, abs=1e-9
    )


async def test_restart_keeps_the_fraction_of_a_watt_hour(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
) -> None:
    """The state shows whole Wh; what a restart restores is the exact total."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(ENERGY, "12.500"),
                {"native_value": 12.5004, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    await add_axeos(setup_hub, axeos_sim)
    assert number(hass, ENERGY) == 12.5
    assert exact_total(hass) == 12.5004


@pytest.mark.parametrize("restored", ["garbage", "-3.0", "nan"])
async def test_unusable_restored_value_is_ignored(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    restored: str,
) -> None:
    """A corrupt or negative stored total starts over instead of poisoning the sum."""
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(ENERGY, restored),
                {"native_value": restored, "native_unit_of_measurement": "kWh"},
            )
        ],
    )
    await add_axeos(setup_hub, axeos_sim)
    assert number(hass, ENERGY) == 0.0
