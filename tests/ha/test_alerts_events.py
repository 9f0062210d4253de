"""get_events / get_audit_log, and audit rows for options changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import AuditLog
from custom_components.home_miner_manager.pool.best_shares import EVENT_BLOCK_FOUND
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows

BLOCK = {
    "miner": "Bitaxe",
    "coin": "BTC",
    "pool": "Solo",
    "difficulty": 2e14,
    "network_difficulty": 1e14,
}


async def _hub(setup_hub: HubFactory, sim: AxeOSSimulator) -> Any:
    return await setup_hub(
        [miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)]
    )


async def test_get_events_filters(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await _hub(setup_hub, axeos_sim)
    for _ in range(3):
        hass.bus.async_fire(EVENT_BLOCK_FOUND, BLOCK)
    await hass.async_block_till_done(wait_background_tasks=True)
    await entry.runtime_data.database.async_flush()

    async def _events(**data: Any) -> list[dict[str, Any]]:
        response = await hass.services.async_call(
            DOMAIN, "get_events", data, blocking=True, return_response=True
        )
        assert isinstance(response, dict)
        return response["events"]  # type: ignore[no-any-return]

    alerts = await _events(type="alert")
    assert len(alerts) == 3
    assert alerts[0]["data"]["alert_type"] == "block_found"
    assert alerts[0]["id"] > alerts[1]["id"]  # newest first
    assert len(await _events(type="alert", limit=2)) == 2
    assert len(await _events(miner="Bitaxe", type="alert")) == 3
    assert await _events(miner="Nobody") == []
    future = dt_util.now() + timedelta(hours=1)
    assert await _events(since=future.isoformat()) == []


async def test_get_audit_log_is_admin_only(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_admin_user: User,
    hass_read_only_user: User,
) -> None:
    entry = await _hub(setup_hub, axeos_sim)
    await hass.services.async_call(
        DOMAIN,
        "get_events",
        {"limit": 5},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_read_only_user.id),
    )
    await entry.runtime_data.database.async_flush()
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "get_audit_log",
            {},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    response = await hass.services.async_call(
        DOMAIN,
        "get_audit_log",
        {"action": "get_events"},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert isinstance(response, dict)
    (row,) = response["entries"]
    assert row["user"] == hass_read_only_user.name
    assert row["changes"]["returned"] == 0
    assert "ip_address" not in row
    audit = await rows(hass, entry, AuditLog)
    assert audit[-1].action == "get_audit_log"
    assert audit[-1].user == hass_admin_user.name


async def test_options_changes_are_audited(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "pools"}
    )
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"pool_check_minutes": 7}
    )
    await hass.async_block_till_done()
    (row,) = [
        a
        for a in await rows(hass, entry, AuditLog)
        if a.action == "hub_options_updated"
    ]
    assert row.resource_type == "hub_options"
    assert row.changes is not None
    assert row.changes["pool_check_minutes"]["new"] == 7
    assert row.user == "system"  # no HTTP request behind this flow


async def test_mode_changes_are_events(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """A mode change seen in the polls is an event, whoever made it."""
    await _hub(setup_hub, axeos_sim)
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": "select.bitaxe_mode", "option": "eco"},
        blocking=True,
    )
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)
    response = await hass.services.async_call(
        DOMAIN,
        "get_events",
        {"type": "mode_changed", "miner": "Bitaxe"},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    (event,) = response["events"]
    assert event["data"]["from"] == "standard"
    assert event["data"]["to"] == "eco"
