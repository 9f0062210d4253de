"""Notification channels: options steps, the test action, Telegram/Discord/HA notify.

Fake Telegram and Discord servers run on 127.0.0.1. Secrets (bot tokens,
webhook URLs) must never reach states, events, audit rows, action responses
or the log, including after a token was edited.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial
import json
import time
from typing import Any

from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.alert_rows import add_channel
from custom_components.home_miner_manager.db.models import (
    AuditLog,
    NotificationConfig,
    NotificationLog,
)
from custom_components.home_miner_manager.monitor import notify_channels
from hmm_sim.notify_servers import FakeDiscordServer, FakeTelegramServer

from .conftest import HubFactory, rows

TOKEN = "123456:AAFakeTokenPart_0123456789abcdef"
NEW_TOKEN = "654321:BBOtherTokenPart_9876543210fedcba"
HOOK_SECRET = "hook-secret-5150"


@pytest.fixture
async def telegram(
    socket_enabled: None, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[FakeTelegramServer]:
    """A fake Telegram Bot API the hub is pointed at; attempts time out fast."""
    async with FakeTelegramServer(hang_s=5) as server:
        monkeypatch.setattr(notify_channels, "TELEGRAM_BASE_URL", server.base_url)
        monkeypatch.setattr(notify_channels, "SEND_TIMEOUT_S", 0.5)
        yield server


@pytest.fixture
async def discord(socket_enabled: None) -> AsyncGenerator[FakeDiscordServer]:
    """A fake Discord webhook server."""
    async with FakeDiscordServer(echo_path_in_errors=True) as server:
        yield server


async def _options(
    hass: HomeAssistant, entry: MockConfigEntry, step: str, user_input: dict[str, Any]
) -> Any:
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "alerts"}
    )
    assert flow["type"] is FlowResultType.MENU
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": step}
    )
    assert flow["type"] is FlowResultType.FORM
    return await hass.config_entries.options.async_configure(
        flow["flow_id"], user_input
    )


async def _test(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "send_test_notification", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


def _no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (TOKEN, NEW_TOKEN, HOOK_SECRET, TOKEN.split(":")[1]):
            assert secret not in text


async def test_telegram_added_tested_edited_never_leaks(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    telegram: FakeTelegramServer,
    caplog: pytest.LogCaptureFixture,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = await setup_hub()
    result = await _options(
        hass,
        entry,
        "channel_telegram",
        {"name": "Phone", "enabled": True, "bot_token": "nonsense", "chat_id": "42"},
    )
    assert result["errors"] == {"bot_token": "invalid_bot_token"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"name": "Phone", "enabled": True, "bot_token": TOKEN, "chat_id": "42"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (row,) = await rows(hass, entry, NotificationConfig)
    assert (row.channel_type, row.config["bot_token"], row.config["chat_id"]) == (
        "telegram",
        TOKEN,
        "42",
    )

    response = await _test(hass)
    assert response == {
        "results": [
            {"channel": "Phone", "type": "telegram", "success": True, "error": None}
        ]
    }
    (sent,) = telegram.requests
    assert sent.path == f"/bot{TOKEN}/sendMessage"
    assert sent.body["chat_id"] == "42"

    # Edit: an empty token keeps the stored one; a new one replaces it.
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "alerts"}
    )
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "channel_edit"}
    )
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"channel": str(row.id)}
    )
    assert flow["step_id"] == "channel_telegram"
    # The form never offers the stored token back.
    _no_secret(json.dumps(str(flow["data_schema"].schema)))
    flow = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {"name": "Phone", "enabled": True, "bot_token": NEW_TOKEN, "chat_id": "43"},
    )
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    (row,) = await rows(hass, entry, NotificationConfig)
    assert row.config["bot_token"] == NEW_TOKEN

    # The new token is refused by the server now: the error is redacted.
    telegram.valid_token = TOKEN
    response = await _test(hass, channel="phone")
    (result_row,) = response["results"]
    assert result_row["success"] is False
    assert result_row["error"]
    log = await rows(hass, entry, NotificationLog)
    assert [r.success for r in log] == [True, False]
    audit = await rows(hass, entry, AuditLog)
    actions = [a.action for a in audit]
    assert "notification_channel_added" in actions
    assert "notification_channel_updated" in actions
    assert actions.count("send_test_notification") == 2
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    states = [
        json.dumps({"s": s.state, "a": s.attributes}, default=str)
        for s in hass.states.async_all()
    ]
    _no_secret(
        json.dumps(response),
        json.dumps([(a.changes, a.error_message) for a in audit], default=str),
        json.dumps([(r.message, r.error) for r in log]),
        json.dumps(diagnostics, default=str),
        caplog.text,
        *states,
    )


@pytest.mark.parametrize(
    ("mode", "error_part"),
    [("4xx", "400"), ("5xx", "502"), ("timeout", "timed out")],
)
async def test_telegram_failures_are_logged_and_bounded(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    telegram: FakeTelegramServer,
    mode: str,
    error_part: str,
) -> None:
    entry = await setup_hub()
    telegram.mode = mode
    await _options(
        hass,
        entry,
        "channel_telegram",
        {"name": "Phone", "enabled": True, "bot_token": TOKEN, "chat_id": "42"},
    )
    started = time.monotonic()
    response = await _test(hass)
    assert time.monotonic() - started < 3  # the 0.5 s bound, not the 5 s hang
    (result,) = response["results"]
    assert result["success"] is False
    assert error_part in result["error"]
    _no_secret(result["error"])
    (log,) = await rows(hass, entry, NotificationLog)
    assert (log.channel_type, log.alert_type, log.success) == (
        "telegram",
        "test",
        False,
    )
    assert error_part in (log.error or "")


async def test_discord_error_quoting_the_url_is_redacted(
    hass: HomeAssistant, setup_hub: HubFactory, discord: FakeDiscordServer
) -> None:
    entry = await setup_hub()
    url = discord.webhook_url("77", HOOK_SECRET)
    await _options(
        hass,
        entry,
        "channel_discord",
        {"name": "Den", "enabled": True, "webhook_url": url},
    )
    assert (await _test(hass))["results"][0]["success"] is True
    discord.mode = "4xx"
    response = await _test(hass, channel="Den")
    assert response["results"][0]["success"] is False
    _no_secret(json.dumps(response))
    log = await rows(hass, entry, NotificationLog)
    assert [r.success for r in log] == [True, False]
    _no_secret(*(r.error or "" for r in log))


async def test_ha_notify_entities_and_services(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    entity_calls: list[ServiceCall] = async_mock_service(hass, "notify", "send_message")
    hass.states.async_set("notify.kitchen_display", "unknown")  # it exists
    phone_calls: list[ServiceCall] = async_mock_service(
        hass, "notify", "mobile_app_phone"
    )
    result = await _options(
        hass,
        entry,
        "channel_ha_notify",
        {"name": "House", "enabled": True, "entity_ids": [], "services": []},
    )
    assert result["errors"] == {"base": "no_notify_target"}
    await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "name": "House",
            "enabled": True,
            "entity_ids": ["notify.kitchen_display"],
            "services": ["mobile_app_phone"],
        },
    )
    response = await _test(hass, message="Hello\nfrom the test")
    assert response["results"][0]["success"] is True
    (entity_call,) = entity_calls
    assert entity_call.data["entity_id"] == ["notify.kitchen_display"]
    assert entity_call.data["message"] == "from the test"
    assert entity_call.data["title"] == "Hello"
    assert phone_calls[0].data["message"] == "from the test"
    (log,) = await rows(hass, entry, NotificationLog)
    assert (log.channel_type, log.success) == ("ha_notify", True)


async def test_no_channel_is_an_error(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    await setup_hub()
    with pytest.raises(ServiceValidationError):
        await _test(hass)


async def test_test_button_follows_the_channels(
    hass: HomeAssistant, setup_hub: HubFactory, discord: FakeDiscordServer
) -> None:
    entry = await setup_hub()
    url = discord.webhook_url("77", HOOK_SECRET)
    await _options(
        hass,
        entry,
        "channel_discord",
        {"name": "Den", "enabled": True, "webhook_url": url},
    )
    await hass.async_block_till_done()
    button = "button.home_miner_manager_test_den"
    assert hass.states.get(button) is not None
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    assert len(discord.requests) == 1
    discord.mode = "4xx"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": button}, blocking=True
        )
    _no_secret(str(err.value))
    assert "404" in str(err.value)
    log = await rows(hass, entry, NotificationLog)
    assert [r.success for r in log] == [True, False]

    (row,) = await rows(hass, entry, NotificationConfig)
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    for step in ("alerts", "channel_delete"):
        flow = await hass.config_entries.options.async_configure(
            flow["flow_id"], {"next_step_id": step}
        )
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"channel": str(row.id)}
    )
    await hass.async_block_till_done()
    assert hass.states.get(button) is None
    assert await rows(hass, entry, NotificationConfig) == []


async def test_channels_are_the_notifiers_data(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    """A (re)load pushes the channels to the notifier's listeners."""
    entry = await setup_hub()
    notifier = entry.runtime_data.notifier
    assert notifier is not None
    heard: list[list[str]] = []
    notifier.async_add_listener(
        lambda: heard.append([channel.name for channel in notifier.data])
    )
    await entry.runtime_data.database.async_run(
        partial(
            add_channel,
            channel_type="ha_notify",
            config={"name": "Phone", "services": ["mobile_app_phone"]},
            enabled=True,
        )
    )
    await notifier.async_load()
    assert heard == [["Phone"]]
    assert notifier.channels is notifier.data
