"""Snapshots of the entity set of every miner type, one platform at a time.

Values are deterministic: the simulators run on seed 0 and time is frozen.
Regenerate with ``pytest tests/ha/test_entities_snapshot.py --snapshot-update``
and review the diff in ``tests/ha/snapshots/``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    snapshot_platform,
)
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from hmm_sim import AxeOSSimulator, CgminerSimulator, NMMinerSimulator

from .conftest import HubFactory
from .test_entities import add_avalon, add_axeos, add_nmminer, sync_sim_clock

FROZEN_AT = "2026-03-01 12:00:00+00:00"
CONTROLS = [Platform.SELECT, Platform.BUTTON, Platform.SWITCH]


class SnapshotExtension(HomeAssistantSnapshotExtension):  # type: ignore[misc]
    """Home Assistant's serializer, writing to ``tests/ha/snapshots``."""

    snapshot_dirname = "snapshots"


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialize registry entries and states the Home Assistant way."""
    return snapshot.use_extension(SnapshotExtension)


def only(platform: Platform) -> Any:
    """Load just one platform (``snapshot_platform`` takes one at a time)."""
    return patch("custom_components.home_miner_manager.PLATFORMS", [platform])


async def _settle(hass: HomeAssistant) -> None:
    """Let the hub's sensor write its (debounced) state after the first polls."""
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()


@pytest.mark.freeze_time(FROZEN_AT)
@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize(
    ("axeos_sim", "platform"),
    [
        ("bitaxe_v2_9", Platform.SENSOR),
        *(("bitaxe_v2_15", platform) for platform in [*CONTROLS, Platform.SENSOR]),
        ("nerdqaxe_pp", Platform.SENSOR),
        ("nerdqaxe_pp", Platform.SELECT),
    ],
    indirect=["axeos_sim"],
)
async def test_axeos_entities(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Bitaxe (two firmware generations) and NerdQAxe++; controls on one."""
    sync_sim_clock(axeos_sim)
    with only(platform):
        entry = await add_axeos(setup_hub, axeos_sim)
    await _settle(hass)
    await snapshot_platform(hass, er.async_get(hass), snapshot, entry.entry_id)


@pytest.mark.freeze_time(FROZEN_AT)
@pytest.mark.usefixtures("all_entities_enabled")
@pytest.mark.parametrize("avalon_sim", ["nano3s", "nano3"], indirect=True)
@pytest.mark.parametrize("platform", [Platform.SENSOR, Platform.SELECT])
async def test_avalon_entities(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    snapshot: SnapshotAssertion,
    platform: Platform,
) -> None:
    """Avalon Nano 3S (measured power) and Nano 3 (power limit only)."""
    sync_sim_clock(avalon_sim)
    with only(platform):
        entry = await add_avalon(setup_hub, avalon_sim)
    await _settle(hass)
    await snapshot_platform(hass, er.async_get(hass), snapshot, entry.entry_id)


@pytest.mark.freeze_time(FROZEN_AT)
@pytest.mark.usefixtures("all_entities_enabled")
async def test_nmminer_entities(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
    snapshot: SnapshotAssertion,
) -> None:
    """NMMiner v2: no power meter, no modes."""
    sync_sim_clock(nmminer_sim)
    with only(Platform.SENSOR):
        entry = await add_nmminer(setup_hub, nmminer_sim)
    await _settle(hass)
    await snapshot_platform(hass, er.async_get(hass), snapshot, entry.entry_id)
