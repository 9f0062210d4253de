"""What follows every miner (or pool) hears of them through one fleet coordinator."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import timedelta
import socket

from homeassistant.config_entries import ConfigSubentry
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
from hmm_sim.stratum import StratumPoolSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry
from .test_pools import pool_subentry

NOT_MINING = "sensor.home_miner_manager_miners_not_mining"


@pytest.fixture
async def pool_sim(socket_enabled: None) -> AsyncGenerator[StratumPoolSimulator]:
    """A stratum pool on 127.0.0.1."""
    async with StratumPoolSimulator() as sim:
        yield sim


def _member(hass: HomeAssistant, entry: MockConfigEntry) -> DataUpdateCoordinator[int]:
    return DataUpdateCoordinator(
        hass, LOGGER, config_entry=entry, name="member", update_interval=None
    )


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
    member = _member(hass, entry)
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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    online = miner_subentry(axeos_sim, "bitaxe", title="Online", unique_id=BITAXE_UID)
    entry = await setup_hub([online])
    await _settle(hass)
    assert hass.states.get(NOT_MINING).state == "0"  # type: ignore[union-attr]

    offline = miner_subentry(axeos_sim, "bitaxe", title="Offline", port=closed_port)
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=offline["data"],
            subentry_type=offline["subentry_type"],
            title=offline["title"],
            unique_id=None,
        ),
    )
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


async def test_pool_select_follows_pools_added_and_removed(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    pool_sim: StratumPoolSimulator,
) -> None:
    bitaxe = miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)
    entry = await setup_hub([bitaxe, pool_subentry(pool_sim)])
    assert "Solo BTC" in hass.states.get("select.desk_pool").attributes["options"]  # type: ignore[union-attr]
    assert "Second" not in hass.states.get("select.desk_pool").attributes["options"]  # type: ignore[union-attr]

    second = pool_subentry(pool_sim, name="Second")
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=second["data"],
            subentry_type=second["subentry_type"],
            title=second["title"],
            unique_id=second["unique_id"],
        ),
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Second" in hass.states.get("select.desk_pool").attributes["options"]  # type: ignore[union-attr]

    second_id = next(
        sid for sid, sub in entry.subentries.items() if sub.title == "Second"
    )
    hass.config_entries.async_remove_subentry(entry, second_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Second" not in hass.states.get("select.desk_pool").attributes["options"]  # type: ignore[union-attr]
