"""A pool check in flight when the hub unloads: nothing is written to the
closed database, nothing is logged as an error."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import logging
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
import pytest

from custom_components.home_miner_manager.db.models import PoolHealth
from custom_components.home_miner_manager.hub import pool_sync
from hmm_sim.stratum import PoolMode, StratumPoolSimulator
from tests.plugins.simulators import wait_until

from .conftest import HubFactory, rows
from .test_pools import pool_subentry

SLOW = 0.4  # seconds the pool takes per reply while a check is in flight


@pytest.fixture
async def pool_sim(socket_enabled: None) -> AsyncGenerator[StratumPoolSimulator]:
    """A stratum pool on 127.0.0.1 that takes any user."""
    async with StratumPoolSimulator() as sim:
        yield sim


async def test_unload_during_a_check_writes_nothing(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = await setup_hub([pool_subentry(pool_sim)])
    (pool,) = entry.runtime_data.pools.values()
    assert len(await rows(hass, entry, PoolHealth)) == 1  # the first check
    await pool_sim.set_mode(PoolMode.SLOW, slow_delay=SLOW)
    # A refresh from a task of its own (as an action or a reconfigure runs
    # it): unloading the entry does not cancel it for us.
    check = asyncio.get_running_loop().create_task(pool.async_refresh())
    asked = len(pool_sim.requests_log)
    await wait_until(lambda: len(pool_sim.requests_log) > asked)
    assert await hass.config_entries.async_unload(entry.entry_id)
    # Give the pool time to answer: a check still running would now write.
    await asyncio.wait_for(check, timeout=3 * SLOW + 2)
    await asyncio.sleep(3 * SLOW)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Unexpected error fetching" not in caplog.text
    assert "DatabaseClosedError" not in caplog.text
    assert "is closed" not in caplog.text


async def test_rows_after_close_are_dropped_quietly(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Should a check finish after the database closed, its row is dropped."""
    entry = await setup_hub([pool_subentry(pool_sim)])
    (pool,) = entry.runtime_data.pools.values()
    hub = entry.runtime_data
    await hass.async_add_executor_job(hub.database.close)
    await pool.async_refresh()
    assert pool.last_update_success
    assert pool.data.reachable
    assert "Unexpected error fetching" not in caplog.text
    hub.closed = True  # already closed: the unload must not close it again
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("close", ["unload", "final_write"])
async def test_pool_added_while_the_hub_unloads(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    close: str,
) -> None:
    """A pool subentry added just before the hub unloads (as at the end of a
    test): its sync resumes after the pools were shut down and stops there
    (it raised KeyError in pool_sync before)."""
    entry = await setup_hub([pool_subentry(pool_sim)])
    hub = entry.runtime_data
    saved, unloaded = asyncio.Event(), asyncio.Event()
    real_save = pool_sync._async_save_rows

    async def save_then_wait(*args: Any) -> list[int]:
        # The new pool's row is saved; the hub unloads before the sync goes on.
        ids = await real_save(*args)
        saved.set()
        await unloaded.wait()
        return ids

    monkeypatch.setattr(pool_sync, "_async_save_rows", save_then_wait)
    second = pool_subentry(pool_sim, "Second", user="bc1qsecond")
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(dict(second["data"])),
            subentry_type=second["subentry_type"],
            title=second["title"],
            unique_id=second["unique_id"],
        ),
    )
    await asyncio.wait_for(saved.wait(), 5)
    if close == "unload":
        assert await hass.config_entries.async_unload(entry.entry_id)
    else:  # Home Assistant stopping (the end of every test) closes the hub
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await wait_until(lambda: hub.closed)
    unloaded.set()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "KeyError" not in caplog.text
    assert "Traceback" not in caplog.text
    assert "Could not record" not in caplog.text
    assert not hub.pools  # no pool started on the closed hub
