"""A failing rule stops no other and says so: log (once), repair issue, logbook."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
import pytest

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import (
    Event as EventRow,
    NotificationConfig,
)
from custom_components.home_miner_manager.monitor.problems import (
    EVENT_RULE_FAILED,
    rule_issue_id,
)
from hmm_sim import AxeOSSimulator
from hmm_sim.notify_servers import FakeDiscordServer

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows
from .options_support import alert_type_form
from .test_alerts_rules import ALL_DAY, _rule, _subentry


def _failures(hass: HomeAssistant) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def _listen(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(EVENT_RULE_FAILED, _listen)
    return seen


def _rule_id(entry: Any, name: str) -> str:
    return next(sid for sid, sub in entry.subentries.items() if sub.title == name)


async def test_a_broken_rule_stops_no_other_and_is_reported_once(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry = await setup_hub(
        [
            miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
            # Planted: a stored value no float() accepts (hand-edited, or
            # written by an older version), in the rule that runs first.
            _rule("Broken", "miner_overheat", {"threshold_celsius": "hot"},
                  "log_event", {"message": "never"}, priority=9),
            _rule("Note", "time_window", ALL_DAY, "log_event", {"message": "hello"}),
        ]
    )  # fmt: skip
    failures = _failures(hass)
    runner = entry.runtime_data.rules
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            await runner.async_evaluate()
        await hass.async_block_till_done()
    notes = [
        e for e in await rows(hass, entry, EventRow) if e.event_type == "rule_event"
    ]
    assert [e.message for e in notes] == ["hello"]
    warned = [r for r in caplog.records if "Rule Broken failed" in r.getMessage()]
    assert len(warned) == 1
    assert warned[0].exc_info is not None  # with the traceback
    broken = _rule_id(entry, "Broken")
    issue = issue_registry.async_get_issue(DOMAIN, rule_issue_id(broken))
    assert issue is not None
    assert issue.translation_key == "rule_failed"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["rule"] == "Broken"
    assert "hot" in issue.translation_placeholders["error"]
    # The trigger fails every minute: one logbook line, not three.
    assert [f["rule"] for f in failures] == ["Broken"]
    assert failures[0]["device_id"]

    # Fixed by the user: the issue goes at once.
    subentry = entry.subentries[broken]
    hass.config_entries.async_update_subentry(
        entry,
        subentry,
        data={
            **subentry.data,
            "trigger_config": {"threshold_celsius": 80},
        },
    )
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, rule_issue_id(broken)) is None
    caplog.clear()
    await runner.async_evaluate()
    assert "Rule Broken failed" not in caplog.text


async def test_a_mode_the_miner_lacks_is_reported_where_users_look(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    miner = miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID)
    entry = await setup_hub([miner])
    (miner_id,) = entry.runtime_data.coordinators
    failures = _failures(hass)
    # Saved before modes were a choice: "Eco" as typed.
    hass.config_entries.async_add_subentry(
        entry,
        _subentry(_rule("Night", "time_window", ALL_DAY, "apply_mode",
                        {"miners": [miner_id], "mode": "Eco"})),
    )  # fmt: skip
    await hass.async_block_till_done()
    rule_id = _rule_id(entry, "Night")
    with caplog.at_level(logging.WARNING):
        await entry.runtime_data.rules.async_evaluate()
        await hass.async_block_till_done()
    assert "Rule Night failed" in caplog.text
    assert "does not support mode Eco" in caplog.text
    issue = issue_registry.async_get_issue(DOMAIN, rule_issue_id(rule_id))
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert "does not support mode Eco" in issue.translation_placeholders["error"]
    assert [(f["rule"], "Eco" in f["error"]) for f in failures] == [("Night", True)]

    # Corrected to a real mode: the issue goes; the next run succeeds.
    subentry = entry.subentries[rule_id]
    hass.config_entries.async_update_subentry(
        entry,
        subentry,
        data={**subentry.data, "action_config": {"miners": [miner_id], "mode": "eco"}},
    )
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, rule_issue_id(rule_id)) is None


async def test_an_action_that_fails_then_succeeds_clears_its_issue(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    # switch.heater does not exist until it does: the first run fails.
    entry = await setup_hub(
        [_rule("Heat", "time_window", ALL_DAY, "control_ha_entity",
               {"entity_id": "switch.heater", "state": "on"})]
    )  # fmt: skip
    rule_id = _rule_id(entry, "Heat")
    runner = entry.runtime_data.rules
    calls: list[Any] = []

    async def fail(call: Any) -> None:
        from homeassistant.exceptions import HomeAssistantError  # noqa: PLC0415

        calls.append(call)
        if len(calls) == 1:
            raise HomeAssistantError("switch.heater is unavailable")

    hass.services.async_register("homeassistant", "turn_on", fail)
    await runner.async_evaluate()
    assert issue_registry.async_get_issue(DOMAIN, rule_issue_id(rule_id)) is not None
    # Next day's window (a new occasion): it works, the issue goes.
    runner.rows[rule_id]["last_execution_context"] = {"occasion": "window:yesterday"}
    await runner.async_evaluate()
    assert len(calls) == 2
    assert issue_registry.async_get_issue(DOMAIN, rule_issue_id(rule_id)) is None


async def test_logbook_lines_for_rules_and_channels(hass: HomeAssistant) -> None:
    from custom_components.home_miner_manager import logbook  # noqa: PLC0415
    from custom_components.home_miner_manager.monitor.problems import (  # noqa: PLC0415
        EVENT_NOTIFICATION_FAILED,
    )

    described: dict[str, Any] = {}
    logbook.async_describe_events(
        hass, lambda _domain, event, describe: described.setdefault(event, describe)
    )
    rule = described[EVENT_RULE_FAILED](
        Event(
            EVENT_RULE_FAILED,
            {"rule": "Night", "error": "Desk does not support mode Eco"},
        )
    )
    assert rule == {
        "name": "Rule Night",
        "message": "failed: Desk does not support mode Eco",
    }
    channel = described[EVENT_NOTIFICATION_FAILED](
        Event(EVENT_NOTIFICATION_FAILED, {"channel": "Phone", "error": "HTTP 400"})
    )
    assert channel == {
        "name": "Notification channel Phone",
        "message": "could not deliver: HTTP 400",
    }


async def test_an_alert_rule_whose_channel_fails_and_a_missing_pool_are_failures(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    issue_registry: ir.IssueRegistry,
    socket_enabled: None,
) -> None:
    secret = "hook-secret-token-5150"
    async with FakeDiscordServer(echo_path_in_errors=True) as discord:
        entry = await setup_hub(
            [
                miner_subentry(axeos_sim, "bitaxe", title="Desk", unique_id=BITAXE_UID),
                _rule("Tell", "time_window", ALL_DAY, "alert", {"message": "hi"}),
            ]
        )
        miner_id = next(iter(entry.runtime_data.coordinators))
        entry.runtime_data.database.queue_insert(
            NotificationConfig,
            channel_type="discord",
            enabled=True,
            config={"name": "Den", "webhook_url": discord.webhook_url("9", secret)},
        )
        await entry.runtime_data.database.async_flush()
        await entry.runtime_data.notifier.async_load()
        discord.mode = "4xx"
        hass.config_entries.async_add_subentry(
            entry,
            _subentry(_rule("Move", "time_window", ALL_DAY, "switch_pool",
                            {"miners": [miner_id], "pool": "Gone"})),
        )  # fmt: skip
        await hass.async_block_till_done()
        await entry.runtime_data.rules.async_evaluate()
    tell = issue_registry.async_get_issue(
        DOMAIN, rule_issue_id(_rule_id(entry, "Tell"))
    )
    assert tell is not None
    error = (tell.translation_placeholders or {})["error"]
    assert error.startswith("Den: HTTP 404")
    assert secret not in error
    move = issue_registry.async_get_issue(
        DOMAIN, rule_issue_id(_rule_id(entry, "Move"))
    )
    assert move is not None
    assert (move.translation_placeholders or {})["error"] == (
        "Desk: There is no pool named Gone (was it renamed or removed?)"
    )


async def test_alert_thresholds_are_bounded_in_the_options(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    flow = await alert_type_form(hass, entry, "high_reject_rate")
    schema = flow["data_schema"].schema
    limits = {str(key): schema[key].config.get("max") for key in schema}
    assert limits["threshold_percent"] == 100  # a percentage above 100 never fires


async def test_issues_from_before_a_restart_are_cleared_too(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    # Left by a rule removed while Home Assistant was stopped.
    ir.async_create_issue(
        hass, DOMAIN, rule_issue_id("gone"), is_fixable=False,
        severity=ir.IssueSeverity.WARNING, translation_key="rule_failed",
        translation_placeholders={"rule": "Gone", "error": "x"},
    )  # fmt: skip
    entry = await setup_hub(
        [_rule("Note", "time_window", ALL_DAY, "log_event", {"message": "hi"})]
    )
    assert issue_registry.async_get_issue(DOMAIN, rule_issue_id("gone")) is None
    # Raised before the restart for a rule that still exists: gone when it
    # next succeeds, although this runner never saw it fail.
    note = _rule_id(entry, "Note")
    ir.async_create_issue(
        hass, DOMAIN, rule_issue_id(note), is_fixable=False,
        severity=ir.IssueSeverity.WARNING, translation_key="rule_failed",
        translation_placeholders={"rule": "Note", "error": "x"},
    )  # fmt: skip
    await entry.runtime_data.rules.async_evaluate()
    assert issue_registry.async_get_issue(DOMAIN, rule_issue_id(note)) is None


async def test_a_tick_and_a_price_update_together_run_a_rule_once(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub(
        [
            _rule("Heat", "time_window", ALL_DAY, "control_ha_entity",
                  {"entity_id": "switch.heater", "state": "on"}),
            # Planted: a priority that is not a number stops nothing.
            _rule("Odd", "time_window", ALL_DAY, "log_event", {"message": "odd"},
                  priority="high"),  # type: ignore[arg-type]
        ]
    )  # fmt: skip
    calls: list[Any] = []

    async def slow(call: Any) -> None:
        calls.append(call)
        await asyncio.sleep(0.05)  # the device takes its time

    hass.services.async_register("homeassistant", "turn_on", slow)
    runner = entry.runtime_data.rules
    await asyncio.gather(runner.async_evaluate(), runner.async_evaluate())
    assert len(calls) == 1
    notes = [
        e for e in await rows(hass, entry, EventRow) if e.event_type == "rule_event"
    ]
    assert [e.message for e in notes] == ["odd"]


async def test_each_failed_occasion_is_a_logbook_line(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    # switch.heater does not answer: the rule fails on each day's window,
    # and each failure is news (not only the first).
    entry = await setup_hub(
        [_rule("Heat", "time_window", ALL_DAY, "control_ha_entity",
               {"entity_id": "switch.heater", "state": "on"})]
    )  # fmt: skip
    failures = _failures(hass)
    rule_id = _rule_id(entry, "Heat")
    runner = entry.runtime_data.rules

    async def fail(call: Any) -> None:
        raise HomeAssistantError("switch.heater is unavailable")

    hass.services.async_register("homeassistant", "turn_on", fail)
    await runner.async_evaluate()
    runner.rows[rule_id]["last_execution_context"] = {"occasion": "window:yesterday"}
    await runner.async_evaluate()
    await hass.async_block_till_done()
    assert [f["rule"] for f in failures] == ["Heat", "Heat"]
