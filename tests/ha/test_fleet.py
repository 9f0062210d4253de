"""What follows every miner (or pool) hears of them through one fleet coordinator."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping
from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.home_miner_manager.const import DOMAIN, LOGGER
from custom_components.home_miner_manager.miner.fleet import FleetCoordinator
from hmm_sim import AxeOSSimulator

from .conftest import (
    BITAXE_UID,
    HubFactory,
    add_subentry,
    closed_port,
    miner_subentry,
)

NOT_MINING = "sensor.home_miner_manager_miners_not_mining"


@pytest.mark.parametrize(("follow", "expected"), [(True, [1, 1, 0]), (False, [1, 0])])
async def test_fleet_tells_of_members_and_their_updates(
    hass: HomeAssistant, follow: bool, expected: list[int]
) -> None:
    """Added and removed members always; a member's update only when followed,
    and never once it was removed."""
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    fleet: FleetCoordinator[DataUpdateCoordinator[int]] = FleetCoordinator(
        hass, entry, name="test", follow_members=follow
    )
    heard: list[int] = []
    fleet.async_add_listener(lambda: heard.append(len(fleet.data)))
    member: DataUpdateCoordinator[int] = DataUpdateCoordinator(
        hass, LOGGER, config_entry=entry, name="member", update_interval=None
    )
    fleet.async_add("a", member)
    member.async_set_updated_data(1)
    assert fleet.async_remove("a") is member
    member.async_set_updated_data(2)
    assert heard == expected
    assert fleet.data == {}


async def _settle(hass: HomeAssistant) -> None:
    """Let the hub-wide sensors write (at most once a second)."""
    await hass.async_block_till_done(wait_background_tasks=True)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()


async def test_hub_sensor_follows_miners_added_and_removed(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    online = miner_subentry(axeos_sim, "bitaxe", title="Online", unique_id=BITAXE_UID)
    entry = await setup_hub([online])
    await _settle(hass)
    assert hass.states.get(NOT_MINING).state == "0"  # type: ignore[union-attr]

    offline = miner_subentry(axeos_sim, "bitaxe", title="Offline", port=closed_port())
    add_subentry(hass, entry, offline)
    await _settle(hass)
    state = hass.states.get(NOT_MINING)
    assert state is not None
    assert (state.state, state.attributes["unreachable"]) == ("1", ["Offline"])

    offline_id = next(
        sid for sid, sub in entry.subentries.items() if sub.title == "Offline"
    )
    hass.config_entries.async_remove_subentry(entry, offline_id)
    await _settle(hass)
    state = hass.states.get(NOT_MINING)
    assert state is not None
    assert state.state == "0"
    assert "unreachable" not in state.attributes


class _CountingMiners(Mapping[str, Any]):
    """The hub's live miner dict, counting the walks over it."""

    def __init__(self, miners: Mapping[str, Any]) -> None:
        self.miners = miners
        self.walks = 0

    def __getitem__(self, key: str) -> Any:
        return self.miners[key]

    def __iter__(self) -> Iterator[str]:
        self.walks += 1
        return iter(self.miners)

    def __len__(self) -> int:
        return len(self.miners)

    def keys(self) -> KeysView[str]:
        self.walks += 1
        return self.miners.keys()

    def items(self) -> ItemsView[str, Any]:
        self.walks += 1
        return self.miners.items()


async def test_alerts_walk_the_miners_only_when_one_is_added_or_removed(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Every poll tells the alerts' poll follower; only a changed fleet makes it
    look at every miner (at 500 miners the walk per poll cost ~35 ms a cycle)."""
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    hub = entry.runtime_data
    polls = hub.alerts._polls
    counting = _CountingMiners(hub.coordinators)
    polls._coordinators = counting
    (coordinator,) = hub.coordinators.values()
    for _ in range(3):
        await coordinator.async_refresh()
    assert counting.walks == 0

    add_subentry(
        hass,
        entry,
        miner_subentry(axeos_sim, "bitaxe", title="Shelf", port=closed_port()),
    )
    await hass.async_block_till_done()
    assert counting.walks > 0
    assert polls.tracked.keys() == hub.coordinators.keys()
    assert len(polls.tracked) == 2
