"""Each miner's kept-alive connection through the real core: reused, then closed."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_STATE_REPORTED
from homeassistant.core import Event, EventStateReportedData, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.const import CONF_PORT
from hmm_sim import AxeOSSimulator
from tests.plugins.simulators import FAST, wait_until

from .conftest import BITAXE_UID, HubFactory, miner_subentry


async def _poll(hass: HomeAssistant, seconds: int) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_polls_reuse_one_connection_closed_at_unload(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    for n in (1, 2, 3):
        await _poll(hass, 31 * n)
    assert axeos_sim.requests >= 4
    assert axeos_sim.connections == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await wait_until(lambda: axeos_sim.open_connections == 0)


async def test_removed_miner_connection_closed(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    (subentry_id,) = entry.subentries
    assert axeos_sim.open_connections == 1
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await wait_until(lambda: axeos_sim.open_connections == 0)


async def test_reconfigured_miner_closes_the_old_connection(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    (subentry,) = entry.subentries.values()
    async with AxeOSSimulator(axeos_sim.profile, **FAST) as moved:
        # The miner got a new address (same device, say after a DHCP change).
        hass.config_entries.async_update_subentry(
            entry, subentry, data={**subentry.data, CONF_PORT: moved.port}
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        await wait_until(lambda: axeos_sim.open_connections == 0)
        await wait_until(lambda: moved.requests > 0)
        assert moved.open_connections == 1
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_poll_writes_only_states_that_changed(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    reported: list[str] = []

    @callback
    def _reported(event: Event[EventStateReportedData]) -> None:
        reported.append(event.data["entity_id"])

    hass.bus.async_listen(EVENT_STATE_REPORTED, _reported, event_filter=_any)
    before = hass.states.get("sensor.miner_hashrate")
    requests = axeos_sim.requests
    for _ in range(3):
        freezer.tick(timedelta(seconds=31))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert axeos_sim.requests >= requests + 3
    # The polls changed what changes (the hashrate), and repeated nothing else.
    assert hass.states.get("sensor.miner_hashrate") != before
    # Only the miner's entities: the hub's own sensors are not MinerEntity.
    assert [e for e in reported if e.split(".")[1].startswith("miner_")] == []


@callback
def _any(_data: object) -> bool:
    return True
