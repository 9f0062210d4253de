"""Automation rules (``rule`` subentries): flow, rows, once per occasion, strategy wins."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.home_miner_manager.db.models import (
    AuditLog,
    AutomationRule,
    Event as EventRow,
    NotificationConfig,
    NotificationLog,
)
from hmm_sim import AxeOSSimulator
from hmm_sim.faults import Fault
from hmm_sim.notify_servers import FakeDiscordServer
from hmm_sim.stratum import PoolMode, StratumPoolSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows
from .test_pools import pool_subentry

ALL_DAY = {"start": "00:00:00", "end": "23:59:59"}


def _rule(name: str, trigger: str, tconf: dict[str, Any], action: str, aconf: dict[str, Any], *, priority: int = 0) -> ConfigSubentryData:  # fmt: skip
    return ConfigSubentryData(
        data={
            "name": name,
            "enabled": True,
            "priority": priority,
            "trigger_type": trigger,
            "trigger_config": tconf,
            "action_type": action,
            "action_config": aconf,
        },
        subentry_type="rule",
        title=name,
        unique_id=None,
    )


async def _events(
    entry: MockConfigEntry, hass: HomeAssistant, kind: str
) -> list[EventRow]:
    return [e for e in await rows(hass, entry, EventRow) if e.event_type == kind]


async def test_rule_flow_creates_a_row(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    flow = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"), context={"source": "user"}
    )
    assert flow["type"] is FlowResultType.MENU
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"next_step_id": "price_threshold"}
    )
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {"name": "Cheap", "condition": "between", "threshold": 5,
         "action_type": "log_event", "priority": 2, "enabled": True},
    )  # fmt: skip
    assert flow["errors"] == {"threshold_high": "threshold_high_required"}
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {"name": "Cheap", "condition": "between", "threshold": 5, "threshold_high": 9,
         "action_type": "log_event", "priority": 2, "enabled": True},
    )  # fmt: skip
    assert flow["step_id"] == "action"
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"message": "Cheap power"}
    )
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    (row,) = await rows(hass, entry, AutomationRule)
    assert (row.name, row.trigger_type, row.action_type, row.priority) == (
        "Cheap", "price_threshold", "log_event", 2,
    )  # fmt: skip
    assert row.trigger_config["threshold_high"] == 9
    assert row.action_config == {"message": "Cheap power"}


async def test_time_window_runs_once_per_window(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub(
        [_rule("Note", "time_window", ALL_DAY, "log_event", {"message": "hello"})]
    )
    runner = entry.runtime_data.rules
    await runner.async_evaluate()
    await runner.async_evaluate()
    (event,) = await _events(entry, hass, "rule_event")
    assert event.message == "hello"
    (row,) = await rows(hass, entry, AutomationRule)
    assert row.last_executed_at is not None
    assert row.last_execution_context["occasion"].startswith("window:")
    # Still once after a reload (the context is stored).
    assert await hass.config_entries.async_reload(entry.entry_id)
    await entry.runtime_data.rules.async_evaluate()
    assert len(await _events(entry, hass, "rule_event")) == 1
    audit = [
        a for a in await rows(hass, entry, AuditLog) if a.action == "rule_executed"
    ]
    assert [(a.user, a.status) for a in audit] == [("system", "success")]


async def test_price_threshold_once_per_slot(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub(
        [_rule("Cheap", "price_threshold", {"condition": "below", "threshold": 10},
               "log_event", {"message": "cheap"})]
    )  # fmt: skip
    start = dt_util.utcnow().replace(second=0, microsecond=0)
    slot = SimpleNamespace(start=start, price_pence=4.0)
    # The rules hold the hub's prices: their current slot is planted.
    entry.runtime_data.prices.current = lambda: slot  # type: ignore[method-assign]
    runner = entry.runtime_data.rules
    await runner.async_evaluate()
    await runner.async_evaluate()
    assert len(await _events(entry, hass, "rule_event")) == 1
    slot = SimpleNamespace(start=start + timedelta(minutes=30), price_pence=12.0)
    await runner.async_evaluate()
    assert len(await _events(entry, hass, "rule_event")) == 1  # not below 10
    slot = SimpleNamespace(start=start + timedelta(minutes=60), price_pence=3.0)
    await runner.async_evaluate()
    assert len(await _events(entry, hass, "rule_event")) == 2


@pytest.mark.parametrize("enrolled", [True, False])
async def test_strategy_wins_over_a_rule(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    enrolled: bool,
) -> None:
    miner = miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)
    entry = await setup_hub([miner])
    (miner_id,) = entry.runtime_data.coordinators
    (coordinator,) = entry.runtime_data.coordinators.values()
    hass.config_entries.async_add_subentry(
        entry,
        _subentry(_rule("Eco", "time_window", ALL_DAY, "apply_mode",
                        {"miners": [miner_id], "mode": "eco"})),
    )  # fmt: skip
    await hass.async_block_till_done()
    strategy = entry.runtime_data.strategy  # not started: no price source
    strategy.enabled = True
    strategy.enrolled = {coordinator.miner_id} if enrolled else set()
    default = axeos_sim.frequency
    await entry.runtime_data.rules.async_evaluate()
    skipped = await _events(entry, hass, "rule_skipped")
    if enrolled:
        assert axeos_sim.frequency == default
        assert "Desk" in skipped[0].message
    else:
        assert axeos_sim.frequency < default
        assert skipped == []


async def test_control_entity_and_priority(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    calls: list[ServiceCall] = async_mock_service(hass, "homeassistant", "turn_off")
    entry = await setup_hub(
        [
            _rule("Low", "time_window", ALL_DAY, "log_event", {"message": "low"}, priority=1),
            _rule("High", "time_window", ALL_DAY, "control_ha_entity",
                  {"entity_id": "switch.heater", "state": "off"}, priority=9),
        ]
    )  # fmt: skip
    await entry.runtime_data.rules.async_evaluate()
    assert calls[0].data["entity_id"] == "switch.heater"
    executed = await _events(entry, hass, "rule_executed")
    assert [e.data["rule"] for e in executed] == ["High", "Low"]  # type: ignore[index]


def _subentry(data: ConfigSubentryData) -> Any:
    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415

    return ConfigSubentry(
        data=data["data"],
        subentry_type=data["subentry_type"],
        title=data["title"],
        unique_id=data["unique_id"],
    )


async def test_miner_triggers_once_per_episode(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
            _rule("Hot", "miner_overheat", {"threshold_celsius": 60}, "log_event",
                  {"message": "hot"}),
            _rule("Gone", "miner_offline", {"minutes": 0}, "log_event",
                  {"message": "gone"}),
        ]
    )  # fmt: skip
    runner = entry.runtime_data.rules

    async def poll_and_evaluate() -> None:
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
        await hass.async_block_till_done(wait_background_tasks=True)
        await runner.async_evaluate()

    def messages(events: list[EventRow]) -> list[str]:
        return [e.message for e in events]

    cool = axeos_sim.device.profile
    axeos_sim.device.profile = dataclasses.replace(cool, temp_at_default=80.0)
    await poll_and_evaluate()
    await poll_and_evaluate()
    assert messages(await _events(entry, hass, "rule_event")) == ["hot"]
    axeos_sim.device.profile = cool
    await poll_and_evaluate()
    axeos_sim.device.profile = dataclasses.replace(cool, temp_at_default=80.0)
    await poll_and_evaluate()  # a new episode
    assert messages(await _events(entry, hass, "rule_event")) == ["hot", "hot"]

    axeos_sim.device.profile = cool
    await axeos_sim.set_fault(Fault.HTTP_500)
    await poll_and_evaluate()
    await poll_and_evaluate()
    assert messages(await _events(entry, hass, "rule_event"))[2:] == ["gone"]


async def test_rule_changes_are_audited_and_rows_follow(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub(
        [_rule("Note", "time_window", ALL_DAY, "log_event", {"message": "hello"})]
    )
    hass.config_entries.async_add_subentry(
        entry,
        _subentry(_rule("More", "time_window", ALL_DAY, "log_event", {"message": "x"})),
    )
    await hass.async_block_till_done()
    assert sorted(r.name for r in await rows(hass, entry, AutomationRule)) == [
        "More",
        "Note",
    ]
    note_id = next(sid for sid, sub in entry.subentries.items() if sub.title == "Note")
    hass.config_entries.async_remove_subentry(entry, note_id)
    await hass.async_block_till_done()
    assert [r.name for r in await rows(hass, entry, AutomationRule)] == ["More"]
    audit = [
        (a.action, a.resource_name, a.user)
        for a in await rows(hass, entry, AuditLog)
        if a.resource_type == "automation_rule"
    ]
    assert audit == [
        ("rule_added", "More", "system"),
        ("rule_removed", "Note", "system"),
    ]


async def test_rule_reconfigure(hass: HomeAssistant, setup_hub: HubFactory) -> None:
    entry = await setup_hub(
        [_rule("Note", "time_window", ALL_DAY, "log_event", {"message": "hello"})]
    )
    (rule_id,) = entry.subentries
    flow = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"),
        context={"source": "reconfigure", "subentry_id": rule_id},
    )
    assert flow["step_id"] == "time_window"
    schema = flow["data_schema"].schema
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested["name"] == "Note"
    assert suggested["start"] == "00:00:00"
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"],
        {"name": "Note", "start": "06:00:00", "end": "07:00:00",
         "action_type": "log_event", "priority": 0, "enabled": True},
    )  # fmt: skip
    assert flow["step_id"] == "action"
    flow = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"message": "morning"}
    )
    assert flow["type"] is FlowResultType.ABORT
    assert flow["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    (row,) = await rows(hass, entry, AutomationRule)
    assert row.trigger_config["start"] == "06:00:00"
    assert row.action_config == {"message": "morning"}
    audit = [a.action for a in await rows(hass, entry, AuditLog)]
    assert "rule_updated" in audit


async def test_pool_failure_rule_sends_an_alert(
    hass: HomeAssistant, setup_hub: HubFactory, socket_enabled: None
) -> None:
    async with StratumPoolSimulator() as main, FakeDiscordServer() as discord:
        entry = await setup_hub(
            [
                pool_subentry(main, name="Main"),
                _rule("Pool down", "pool_failure", {"pools": []}, "alert",
                      {"message": "Main is down"}),
            ]
        )  # fmt: skip
        entry.runtime_data.database.queue_insert(
            NotificationConfig,
            channel_type="discord",
            enabled=True,
            config={"name": "Den", "webhook_url": discord.webhook_url()},
        )
        await entry.runtime_data.database.async_flush()
        await entry.runtime_data.notifier.async_load()
        (pool,) = entry.runtime_data.pools.values()
        runner = entry.runtime_data.rules

        async def check() -> None:
            await pool.async_refresh()
            await hass.async_block_till_done(wait_background_tasks=True)
            await runner.async_evaluate()

        await check()
        assert discord.requests == []
        await main.set_mode(PoolMode.REFUSE)
        await check()
        await check()
        (sent,) = discord.requests
        assert "Main is down" in sent.body["content"]
        (log,) = await rows(hass, entry, NotificationLog)
        assert (log.alert_type, log.success) == ("rule", True)
