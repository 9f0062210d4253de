"""The Octopus integration's entities through the real hub and the strategy.

Stand-ins are shaped as v18.3.1 publishes them (registry entries with its
unique ids under ``octopus_energy``, local ``datetime`` rate items). The
clock crosses a slot boundary with the rate sensor still on its previous run,
and midnight with ``next_day_rates`` emptied before ``current_day_rates``
moves on: the price stays known, no multi-slot row is stored, and with
``when_price_unknown: off`` the miner is not switched off.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import EnergyPrice
from hmm_sim import AxeOSSimulator

from .conftest import HubFactory, rows
from .octopus_standin import day_state, rate_sensor_state, register_meter
from .prices_support import hub_sensor, plugged_hub
from .strategy_support import UK, SmartPlug, move_to

SLOT = timedelta(minutes=30)
RENAMED = {
    "current_day_rates": "event.agile_today",
    "next_day_rates": "event.agile_tomorrow",
    "current_rate": "sensor.agile_now",
}
# 12:00 costs 18 p, then a run of 14 p from 12:30 to 20:00 (all DGB eco).
TODAY = [16.0 + i % 2 for i in range(48)]
TODAY[24] = 18.0
TODAY[25:40] = [14.0] * 15


@pytest.fixture
def plug(axeos_sim: AxeOSSimulator) -> SmartPlug:
    """The Bitaxe's smart plug."""
    return SmartPlug("Bitaxe plug", axeos_sim)


def _at_uk(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UK)


def _price(hass: HomeAssistant, key: str = "current_price") -> str:
    return hub_sensor(hass, key).state


def _reason(entry: MockConfigEntry) -> Any:
    decision = entry.runtime_data.strategy.decision
    return None if decision is None else decision.reason.value


async def _row_lengths(hass: HomeAssistant, entry: MockConfigEntry) -> set[Any]:
    return {r.valid_to - r.valid_from for r in await rows(hass, entry, EnergyPrice)}


@pytest.mark.freeze_time("2026-12-04 12:20:00+00:00")
@pytest.mark.parametrize("renamed", [False, True], ids=["default-ids", "renamed"])
async def test_rate_sensor_option_across_a_slot_boundary(  # noqa: PLR0917
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
    renamed: bool,
) -> None:
    """Saved options naming ``sensor.*_current_rate``: its day lists are read."""
    ids = register_meter(hass, renamed=RENAMED if renamed else None)
    day_state(hass, ids["current_day_rates"], _at_uk(4), TODAY)
    day_state(hass, ids["next_day_rates"], None, [], next_day=True)  # not yet
    noon = _at_uk(4, 12)
    rate_sensor_state(hass, ids["current_rate"], noon, noon + SLOT, 18.0)
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, ids["current_rate"])
    await move_to(hass, freezer, "2026-12-04 12:29:50+00:00")  # grace is over
    assert _price(hass) == "18.0"
    assert _price(hass, "next_price") == "14.0"
    # 12:30:00: the sensor still shows 12:00-12:30 (its own 60 s tick).
    await move_to(hass, freezer, "2026-12-04 12:30:00+00:00")
    assert _price(hass) == "14.0"
    assert _reason(entry) != "price_unknown"
    assert "off" not in plug.calls
    # 12:31: the sensor shows the whole run, 12:30-20:00, as one "slot".
    rate_sensor_state(hass, ids["current_rate"], noon + SLOT, _at_uk(4, 20), 14.0)
    await move_to(hass, freezer, "2026-12-04 12:31:00+00:00")
    assert _price(hass) == "14.0"
    assert _price(hass, "next_price") == "14.0"  # 13:00, a slot of its own
    assert await _row_lengths(hass, entry) == {SLOT}
    assert ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown") is None
    assert "off" not in plug.calls


@pytest.mark.freeze_time("2026-12-04 23:50:00+00:00")
async def test_midnight_before_current_day_moves_on(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The recommended entity; the rate sensor exists beside it."""
    ids = register_meter(hass)
    tomorrow = [13.0] * 10 + [15.0] * 38  # a 00:00-05:00 run
    day_state(hass, ids["current_day_rates"], _at_uk(4), [16.0] * 48)
    day_state(hass, ids["next_day_rates"], _at_uk(5), tomorrow, next_day=True)
    late = _at_uk(4, 23, 30)
    rate_sensor_state(hass, ids["current_rate"], _at_uk(4), late + SLOT, 16.0)
    entry = await plugged_hub(
        hass, setup_hub, axeos_sim, plug, ids["current_day_rates"]
    )
    await move_to(hass, freezer, "2026-12-04 23:59:50+00:00")
    assert _price(hass) == "16.0"
    # 00:00: tomorrow's list is emptied; today's still holds yesterday.
    freezer.move_to(dt_util.parse_datetime("2026-12-05 00:00:00+00:00"))
    day_state(hass, ids["next_day_rates"], _at_uk(5), [], next_day=True)
    await move_to(hass, freezer, "2026-12-05 00:00:00+00:00")
    assert _price(hass) == "13.0"
    # 00:00:30: the rate sensor shows the 00:00-05:00 run.
    rate_sensor_state(hass, ids["current_rate"], _at_uk(5), _at_uk(5, 5), 13.0)
    await move_to(hass, freezer, "2026-12-05 00:00:30+00:00")
    assert _price(hass) == "13.0"
    assert _price(hass, "next_price") == "13.0"
    await move_to(hass, freezer, "2026-12-05 00:14:00+00:00")
    assert _price(hass) == "13.0"
    # 00:15: today's list arrives.
    day_state(hass, ids["current_day_rates"], _at_uk(5), tomorrow)
    await move_to(hass, freezer, "2026-12-05 00:30:00+00:00")
    assert _price(hass) == "13.0"
    assert await _row_lengths(hass, entry) == {SLOT}
    assert _reason(entry) != "price_unknown"
    assert "off" not in plug.calls


@pytest.mark.freeze_time("2026-12-04 12:10:00+00:00")
@pytest.mark.parametrize("kind", ["current_day_rates", "current_rate"])
async def test_saved_export_meter_gives_no_price_and_a_repair(  # noqa: PLR0917
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
    kind: str,
) -> None:
    ids = register_meter(hass, export=True)
    day_state(hass, ids["current_day_rates"], _at_uk(4), [5.0] * 48, export=True)
    noon = _at_uk(4, 12)
    rate_sensor_state(hass, ids["current_rate"], noon, noon + SLOT, 5.0, export=True)
    entry = await plugged_hub(hass, setup_hub, axeos_sim, plug, ids[kind])
    await move_to(hass, freezer, "2026-12-04 12:16:00+00:00")  # past the grace
    assert _price(hass) == "unavailable"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown")
    assert issue is not None
    assert issue.translation_key == "price_unknown_export_entity"
    assert issue.translation_placeholders["entity_id"] == ids[kind]
    assert await rows(hass, entry, EnergyPrice) == []  # never stored


@pytest.mark.freeze_time("2026-12-04 12:10:00+00:00")
async def test_saved_rate_sensor_without_day_lists_raises_a_repair(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    plug: SmartPlug,
    freezer: FrozenDateTimeFactory,
) -> None:
    ids = register_meter(hass, renamed=RENAMED)
    registry = er.async_get(hass)
    registry.async_update_entity(
        ids["current_day_rates"], disabled_by=er.RegistryEntryDisabler.USER
    )
    noon = _at_uk(4, 12)
    rate_sensor_state(hass, ids["current_rate"], noon, noon + SLOT, 15.0)
    await plugged_hub(hass, setup_hub, axeos_sim, plug, ids["current_rate"])
    await move_to(hass, freezer, "2026-12-04 12:16:00+00:00")
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown")
    assert issue is not None
    assert issue.translation_key == "price_unknown_rate_sensor"
    assert issue.translation_placeholders["error"] == "event.agile_today"
    # Enabled again, with its day list: the price is known at the next read.
    registry.async_update_entity(ids["current_day_rates"], disabled_by=None)
    day_state(hass, ids["current_day_rates"], _at_uk(4), [15.0] * 48)
    rate_sensor_state(hass, ids["current_rate"], noon, noon + SLOT, 15.0)
    await move_to(hass, freezer, "2026-12-04 12:17:00+00:00")
    assert _price(hass) == "15.0"
    assert ir.async_get(hass).async_get_issue(DOMAIN, "price_unknown") is None
