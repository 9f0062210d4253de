"""The strategy in the logbook: who changed the miner, and why it still mines.

Issue 13 §7: mode and pool changes showed without "by the Agile strategy",
the first band read "changed band from None to ...", and a miner without a
power switch kept mining in the OFF band with nothing saying why.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.home_miner_manager.agile.events import (
    EVENT_STRATEGY_ACTION,
)
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, closed_port, miner_subentry
from .strategy_support import (
    HUB_ID,
    entity_id,
    entity_options,
    pool_subentry,
    set_day,
    slot_index,
)
from .test_entities import sync_sim_clock

NOW = "2026-03-10 12:10:00+00:00"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Any, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant (the shared fixture needs hass)."""


async def _logbook(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, start: Any
) -> list[dict[str, Any]]:
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": start.isoformat(),
            # The end is exclusive and the clock frozen: a little ahead.
            "end_time": (dt_util.utcnow() + timedelta(minutes=1)).isoformat(),
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return list(response["result"])


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        async_fire_time_changed,
    )

    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.freeze_time(NOW)
async def test_logbook_names_the_strategy(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_ws_client: WebSocketGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow() - timedelta(minutes=1)
    set_day(hass, [15.0] * 48)  # DGB 12-20p: eco on the DGB pool
    sync_sim_clock(axeos_sim)
    await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID),
            *(pool_subentry(coin, closed_port()) for coin in ("DGB", "BCH", "BTC")),
        ],
        options=entity_options(),
    )
    for unique_id in (f"{BITAXE_UID}_strategy_enrolled", f"{HUB_ID}_agile_strategy"):
        await hass.services.async_call(
            "switch",
            "turn_on",
            {"entity_id": entity_id(hass, "switch", unique_id)},
            blocking=True,
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    for _ in range(4):  # the reboot that applies the pool, then polls
        await _tick(hass, freezer, 2)

    entries = await _logbook(hass, hass_ws_client, start)
    messages = [(e.get("name"), e.get("message")) for e in entries]
    assert ("Agile strategy", "started in band DGB 12-20p") in messages
    assert (
        "Agile strategy",
        "set Bitaxe: DGB pool, mode eco, mining in band DGB 12-20p",
    ) in messages
    mode_id = entity_id(hass, "select", f"{BITAXE_UID}_mode")
    pool_id = entity_id(hass, "select", f"{BITAXE_UID}_pool")
    changes = {
        e["entity_id"]: e
        for e in entries
        if e.get("entity_id") in (mode_id, pool_id) and e.get("state") != "unavailable"
    }
    for changed in (mode_id, pool_id):
        entry = changes[changed]
        assert entry["context_event_type"] == EVENT_STRATEGY_ACTION, entry
        assert entry["context_name"] == "Agile strategy"
        assert (
            entry["context_message"]
            == "set Bitaxe: DGB pool, mode eco, mining in band DGB 12-20p"
        )
    assert changes[mode_id]["state"] == "eco"
    assert changes[pool_id]["state"].startswith("DGB pool")

    # A change by hand right after is the user's, not the strategy's.
    for _ in range(6):  # back from the reboot: the select is available again
        if hass.states.get(mode_id).state != "unavailable":
            break
        await _tick(hass, freezer, 5)
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": mode_id, "option": "turbo"},
        blocking=True,
    )
    await _tick(hass, freezer, 11)  # the refresh it asks for (debounced)
    entries = await _logbook(hass, hass_ws_client, start)
    (by_hand,) = [
        e
        for e in entries
        if e.get("entity_id") == mode_id and e.get("state") == "turbo"
    ]
    assert by_hand.get("context_event_type") != EVENT_STRATEGY_ACTION, by_hand

    # OFF: no power switch, so it keeps mining at its lowest mode; said once.
    prices = [15.0] * 48
    prices[slot_index()] = 25.0
    set_day(hass, prices)
    await hass.async_block_till_done(wait_background_tasks=True)
    await _tick(hass, freezer, 301)  # a reconcile: not said again
    entries = await _logbook(hass, hass_ws_client, start)
    lowest = [
        e["message"]
        for e in entries
        if e.get("name") == "Agile strategy" and "no power switch" in e["message"]
    ]
    assert lowest == [
        (
            "has no power switch for Bitaxe: it keeps mining at its lowest mode "
            "while the band is OFF (mode eco)"
        )
    ]
    state = hass.states.get(
        entity_id(hass, "switch", f"{BITAXE_UID}_strategy_enrolled")
    )
    assert state is not None
    assert state.attributes["last_command"] == "mode eco"
    assert state.attributes["lowest_mode_in_off_band"] is True
    band = hass.states.get(entity_id(hass, "sensor", f"{HUB_ID}_price_band"))
    assert band is not None
    assert band.attributes["miners_at_lowest_mode"] == 1


def test_every_decision_reason_is_translated() -> None:
    """The Price band's ``reason`` showed raw keys (``cheaper_confirmed_ahead``)."""
    import json  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from custom_components.home_miner_manager.strategy.decide import (  # noqa: PLC0415
        Reason,
    )

    strings = json.loads(
        (
            Path(__file__).parents[2]
            / "custom_components/home_miner_manager/translations/en.json"
        ).read_text()
    )
    attributes = strings["entity"]["sensor"]["price_band"]["state_attributes"]
    states = attributes["reason"]["state"]
    assert set(states) == {reason.value for reason in Reason}
    assert all(text and "_" not in text for text in states.values())
