"""Channels are checked when saved; failed deliveries show where users look.

A notify action that does not exist is refused with a translated error. A
delivery that fails raises a repair issue per channel (removed by the next
success, or with the channel) and a logbook line on the hub device; neither
holds the bot token. The alert settings dialog names the alert in words.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from homeassistant.core import Event, HomeAssistant, ServiceCall
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import async_mock_service

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import (
    NotificationConfig,
    NotificationLog,
)
from custom_components.home_miner_manager.monitor import notify_channels
from custom_components.home_miner_manager.monitor.problems import (
    EVENT_NOTIFICATION_FAILED,
    channel_issue_id,
)
from custom_components.home_miner_manager.notifications import Message
from hmm_sim.notify_servers import FakeTelegramServer

from .conftest import HubFactory, rows
from .options_support import alert_type_form, options_menu
from .test_notify_channels import _options

TOKEN = "123456:AAFakeTokenPart_0123456789abcdef"


@pytest.fixture
async def telegram(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[FakeTelegramServer]:
    """A Bot API that quotes the request URL (token included) in its errors."""
    async with FakeTelegramServer(hang_s=5, echo_path_in_errors=True) as server:
        monkeypatch.setattr(notify_channels, "TELEGRAM_BASE_URL", server.base_url)
        monkeypatch.setattr(notify_channels, "SEND_TIMEOUT_S", 0.5)
        yield server


async def test_a_notify_action_that_does_not_exist_is_refused(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    calls: list[ServiceCall] = async_mock_service(hass, "notify", "mobile_app_phone")
    result = await _options(
        hass,
        entry,
        "channel_ha_notify",
        {"name": "Phone", "enabled": True, "entity_ids": [],
         "services": ["mobile_app_old_phone"]},
    )  # fmt: skip
    assert result["errors"] == {"services": "unknown_notify_service"}
    assert result["description_placeholders"]["service"] == (
        "notify.mobile_app_old_phone"
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Phone", "enabled": True, "entity_ids": ["notify.gone"],
         "services": []},
    )  # fmt: skip
    assert result["errors"] == {"entity_ids": "unknown_notify_entity"}
    assert result["description_placeholders"]["entity"] == "notify.gone"
    assert await rows(hass, entry, NotificationConfig) == []
    # Typed with its domain, as users do: accepted.
    await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Phone", "enabled": True, "entity_ids": [],
         "services": ["notify.mobile_app_phone"]},
    )  # fmt: skip
    (row,) = await rows(hass, entry, NotificationConfig)
    assert row.config["services"] == ["mobile_app_phone"]
    await hass.services.async_call(
        DOMAIN, "send_test_notification", {}, blocking=True, return_response=True
    )
    assert len(calls) == 1


async def test_failed_deliveries_raise_an_issue_until_the_next_success(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    telegram: FakeTelegramServer,
    issue_registry: ir.IssueRegistry,
) -> None:
    entry = await setup_hub()
    await _options(
        hass,
        entry,
        "channel_telegram",
        {"name": "Phone", "enabled": True, "bot_token": TOKEN, "chat_id": "42"},
    )
    (row,) = await rows(hass, entry, NotificationConfig)
    failed: list[dict[str, Any]] = []

    def _listen(event: Event) -> None:
        failed.append(dict(event.data))

    hass.bus.async_listen(EVENT_NOTIFICATION_FAILED, _listen)
    notifier = entry.runtime_data.notifier
    telegram.mode = "4xx"
    await notifier.async_send(
        Message.plain("Desk is offline", "miner_offline"),
        notifier.senders(),
    )
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, channel_issue_id(row.id))
    assert issue is not None
    assert issue.translation_key == "notification_failed"
    placeholders = issue.translation_placeholders or {}
    assert placeholders["channel"] == "Phone"
    assert "chat not found" in placeholders["error"]
    (event,) = failed
    assert event["channel"] == "Phone"
    assert event["device_id"]
    # The fake quoted the URL with the token: masked everywhere.
    for text in (str(placeholders), str(event)):
        assert TOKEN not in text
        assert TOKEN.split(":")[1] not in text
        assert "/bot***/sendMessage" in text

    telegram.mode = "success"
    await notifier.async_send(Message.plain("Desk is back"), notifier.senders())
    assert issue_registry.async_get_issue(DOMAIN, channel_issue_id(row.id)) is None
    log = await rows(hass, entry, NotificationLog)
    assert [entry_.success for entry_ in log] == [False, True]

    # Failing again, then removed: the issue goes with the channel.
    telegram.mode = "4xx"
    await notifier.async_send(Message.plain("x"), notifier.senders())
    assert issue_registry.async_get_issue(DOMAIN, channel_issue_id(row.id))
    flow = await options_menu(hass, entry, "alerts", "channel_delete")
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"channel": str(row.id)}
    )
    assert issue_registry.async_get_issue(DOMAIN, channel_issue_id(row.id)) is None


async def test_alert_settings_title_names_the_alert_in_words(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    flow = await alert_type_form(hass, entry, "miner_offline")
    assert flow["step_id"] == "alert_type"
    assert flow["description_placeholders"] == {"alert_type": "Miner offline"}


@pytest.mark.parametrize(
    ("token", "valid"),
    [
        ("123456:" + "a" * 19, False),  # one short of the key's 20 characters
        ("123456:" + "a" * 20, True),
        ("abc:" + "a" * 30, False),  # the bot id is digits
        ("123456" + "a" * 30, False),  # no colon
    ],
)
async def test_bot_token_shape_at_its_limits(
    hass: HomeAssistant, setup_hub: HubFactory, token: str, valid: bool
) -> None:
    entry = await setup_hub()
    result = await _options(
        hass,
        entry,
        "channel_telegram",
        {"name": "Phone", "enabled": True, "bot_token": token, "chat_id": "42"},
    )
    errors = result.get("errors") or {}
    assert (errors == {}) is valid
    assert (errors.get("bot_token") == "invalid_bot_token") is not valid
    assert token not in str(result)  # never shown back
