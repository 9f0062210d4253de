"""The integration's events in Home Assistant's logbook (with the recorder)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.home_miner_manager.const import DOMAIN, EVENT_BAND_CHANGED
from custom_components.home_miner_manager.pool.best_shares import EVENT_BLOCK_FOUND
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry

BLOCK = {
    "miner": "Bitaxe",
    "coin": "BTC",
    "pool": "Solo",
    "difficulty": 2e14,
    "network_difficulty": 1e14,
}


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Any, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant (the shared fixture needs hass)."""


async def _hub(setup_hub: HubFactory, sim: AxeOSSimulator) -> Any:
    return await setup_hub(
        [miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)]
    )


async def test_logbook_shows_alerts_on_the_miner_device(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_ws_client: WebSocketGenerator,
    device_registry: dr.DeviceRegistry,
) -> None:
    assert await async_setup_component(hass, "logbook", {})
    await _hub(setup_hub, axeos_sim)
    start = dt_util.utcnow() - timedelta(minutes=1)
    hass.bus.async_fire(EVENT_BLOCK_FOUND, BLOCK)
    hass.bus.async_fire(EVENT_BAND_CHANGED, {"from_band": "Cheap", "to_band": "Off"})
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)

    device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": start.isoformat(),
            "device_ids": [device.id],
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    entries = response["result"]
    assert [(e["name"], e["domain"]) for e in entries] == [("Bitaxe", DOMAIN)]
    assert "block" in entries[0]["message"]

    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start.isoformat()}
    )
    everything = (await client.receive_json())["result"]
    messages = {(e.get("name"), e.get("message")) for e in everything}
    assert ("Agile strategy", "changed band from Cheap to Off") in messages
    assert any(
        name == "Bitaxe" and "found a BTC block on Solo" in (message or "")
        for name, message in messages
    )


async def test_alert_message_does_not_repeat_the_miner_name(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_ws_client: WebSocketGenerator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The logbook puts the name first; "Bitaxe Bitaxe has not ..." read badly."""
    from custom_components.home_miner_manager.monitor.alerts import (  # noqa: PLC0415
        EVENT_ALERT,
    )

    assert await async_setup_component(hass, "logbook", {})
    await _hub(setup_hub, axeos_sim)
    start = dt_util.utcnow() - timedelta(minutes=1)
    device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    for state in ("fired", "cleared"):
        hass.bus.async_fire(
            EVENT_ALERT,
            {
                "type": "miner_offline",
                "state": state,
                "miner": "Bitaxe",
                "device_id": device.id,
                "message": "Bitaxe has not reported for 6 min.",
            },
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": start.isoformat(),
            "device_ids": [device.id],
        }
    )
    entries = (await client.receive_json())["result"]
    assert [(e["name"], e["message"]) for e in entries] == [
        ("Bitaxe", "has not reported for 6 min."),
        ("Bitaxe", "cleared: has not reported for 6 min."),
    ]
