"""Share difficulties: one format everywhere; the hub's best is the all-time best."""

from __future__ import annotations

from homeassistant.components.sensor import SensorStateClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest

from hmm_sim import AxeOSSimulator, NMMinerSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry
from .test_entities import NMMINER_UID

HUB_BEST = "sensor.home_miner_manager_best_share"


def _shown_as(
    entity_registry: er.EntityRegistry, hass: HomeAssistant, entity_id: str
) -> tuple[object, object]:
    """(state class, display precision) as the frontend gets them."""
    entry = entity_registry.async_get(entity_id)
    assert entry is not None, entity_id
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    precision = entry.options.get("sensor", {}).get("suggested_display_precision")
    return state.attributes.get("state_class"), precision


@pytest.mark.usefixtures("all_entities_enabled")  # best difficulties are off
async def test_every_difficulty_is_shown_alike(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """ "Best share ever" beside "Best difficulty": same class, same precision."""
    await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    measurement = (SensorStateClass.MEASUREMENT, 0)
    for entity_id in (
        "sensor.desk_best_difficulty",
        "sensor.desk_session_best_difficulty",
        "sensor.desk_best_share_ever",
        HUB_BEST,
    ):
        assert _shown_as(entity_registry, hass, entity_id) == measurement
    # The same number, whichever sensor shows it.
    best = hass.states.get("sensor.desk_best_difficulty")
    ever = hass.states.get("sensor.desk_best_share_ever")
    assert best is not None
    assert ever is not None
    assert best.state == ever.state == str(int(axeos_sim.device.counters.best_ever))


async def test_hub_best_share_is_the_all_time_best(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Nothing stored yet: the miner's own all-time best, not a session value."""
    counters = axeos_sim.device.counters
    counters.pool_difficulty = 1e-6  # no random share rises meanwhile
    counters.best_ever = 4_290_000_000.0
    counters.best_session = 36_071_194.0
    await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    state = hass.states.get(HUB_BEST)
    assert state is not None
    assert float(state.state) == 4_290_000_000
    assert state.attributes["miner"] == "Desk"


async def test_lottery_miner_keeps_its_decimals(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """An NMMiner's 2.1104 must not be shown as 2: no fixed precision there."""
    await setup_hub(
        [miner_subentry(nmminer_sim, "nmminer", title="Nerd", unique_id=NMMINER_UID)]
    )
    for entity_id in ("sensor.nerd_best_share_ever", HUB_BEST):
        assert _shown_as(entity_registry, hass, entity_id) == (
            SensorStateClass.MEASUREMENT,
            None,
        )
    state = hass.states.get("sensor.nerd_best_share_ever")
    assert state is not None
    assert not float(state.state).is_integer()  # decimals kept
