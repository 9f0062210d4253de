"""Miner row changes of many miners are written in one transaction (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.home_miner_manager.db.models import Miner
from hmm_sim import AxeOSSimulator, CgminerSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows


async def test_row_changes_of_two_miners_share_one_transaction(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    avalon_sim: CgminerSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At a large farm's set-up every first poll writes firmware and mode: one
    # commit per miner kept the database thread busy for seconds.
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID),
            miner_subentry(avalon_sim, "avalon_nano", title="Avalon"),
        ]
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    database = entry.runtime_data.database
    transactions: list[Callable[..., Any]] = []
    run = database.async_run

    async def counted(fn: Callable[..., Any]) -> Any:
        transactions.append(fn)
        return await run(fn)

    monkeypatch.setattr(database, "async_run", counted)
    bitaxe, avalon = entry.runtime_data.coordinators.values()
    bitaxe.recorder.async_update_row(current_mode="eco")
    avalon.recorder.async_update_row(current_mode="low")
    avalon.recorder.async_update_row(enabled=False)  # same row, same write
    await hass.async_block_till_done(wait_background_tasks=True)

    assert len(transactions) == 1
    written = {
        m.id: (m.current_mode, m.enabled) for m in await rows(hass, entry, Miner)
    }
    assert written == {bitaxe.miner_id: ("eco", True), avalon.miner_id: ("low", False)}
