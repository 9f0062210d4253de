"""The share tracker is a coordinator: stored bests are its data, pushed when they rise."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from custom_components.home_miner_manager.db.models import HighDiffShare
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows


async def test_new_best_share_is_pushed_to_listeners(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    counters = axeos_sim.device.counters
    counters.pool_difficulty = 1e-6  # random shares stay tiny
    counters.best_session = 10.0
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)]
    )
    hub = entry.runtime_data
    (coordinator,) = hub.coordinators.values()
    tracker = hub.share_tracker
    assert isinstance(tracker, DataUpdateCoordinator)
    assert tracker.update_interval is None  # pushed, never polled
    # Loaded at start-up: nothing stored yet.
    assert tracker.data.by_miner == {}
    assert tracker.data.top is None
    calls: list[None] = []
    unsub = tracker.async_add_listener(lambda: calls.append(None))

    async def poll() -> None:
        await coordinator.async_refresh()
        await hass.async_block_till_done(wait_background_tasks=True)

    await poll()  # the session best seen first is the baseline: no push
    assert calls == []
    counters.best_session = 4_290_000.0
    await poll()
    assert len(calls) == 1
    assert dict(tracker.data.by_miner) == {coordinator.miner_id: 4_290_000.0}
    assert tracker.data.top is not None
    assert (tracker.data.top.difficulty, tracker.data.top.miner_name) == (
        4_290_000.0,
        "Desk",
    )
    await poll()  # the same best again: nothing new
    assert len(calls) == 1
    assert [share.difficulty for share in await rows(hass, entry, HighDiffShare)] == [
        4_290_000.0
    ]
    unsub()
