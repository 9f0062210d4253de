"""Describe the integration's events for the logbook.

Alert events carry the miner's ``device_id``, so they show on the miner's
device page as well as in the main logbook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .agile.events import EVENT_STRATEGY_ACTION, action_message
from .const import DOMAIN, EVENT_BAND_CHANGED
from .monitor.alerts import EVENT_ALERT
from .monitor.problems import EVENT_NOTIFICATION_FAILED, EVENT_RULE_FAILED
from .pool.best_shares import EVENT_BLOCK_FOUND

if TYPE_CHECKING:
    from collections.abc import Callable

STRATEGY_NAME = "Agile strategy"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[
        [str, str, Callable[[Event[Any]], dict[str, str]]], None
    ],
) -> None:
    """Describe alerts, blocks, band changes and the strategy's actions."""

    @callback
    def _alert(event: Event[Any]) -> dict[str, str]:
        data = event.data
        name = str(data.get("miner") or "Home Miner Manager")
        message = str(data.get("message") or data.get("type"))
        # Messages name the miner ("Desk has not reported ..."); the logbook
        # puts the name before the message already.
        message = message.removeprefix(f"{name} ")
        prefix = "cleared: " if data.get("state") == "cleared" else ""
        return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: f"{prefix}{message}"}

    @callback
    def _block(event: Event[Any]) -> dict[str, str]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: str(data.get("miner") or "Home Miner Manager"),
            LOGBOOK_ENTRY_MESSAGE: (
                f"found a {data.get('coin') or ''} block on {data.get('pool') or '?'}"
            ).replace("a  block", "a block"),
        }

    @callback
    def _band(event: Event[Any]) -> dict[str, str]:
        data = event.data
        old, new = data.get("from_band"), data.get("to_band")
        message = (
            f"changed band from {old} to {new}"
            if old is not None
            else f"started in band {new}"  # the first decision: nothing before
        )
        return {LOGBOOK_ENTRY_NAME: STRATEGY_NAME, LOGBOOK_ENTRY_MESSAGE: message}

    @callback
    def _action(event: Event[Any]) -> dict[str, str]:
        # Named after the strategy: a miner's select changes in this event's
        # context then read "... triggered by Agile strategy set <miner>: ...".
        return {
            LOGBOOK_ENTRY_NAME: STRATEGY_NAME,
            LOGBOOK_ENTRY_MESSAGE: action_message(event.data),
        }

    @callback
    def _rule_failed(event: Event[Any]) -> dict[str, str]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: f"Rule {data.get('rule') or '?'}",
            LOGBOOK_ENTRY_MESSAGE: f"failed: {data.get('error') or '?'}",
        }

    @callback
    def _notification_failed(event: Event[Any]) -> dict[str, str]:
        data = event.data
        return {
            LOGBOOK_ENTRY_NAME: f"Notification channel {data.get('channel') or '?'}",
            LOGBOOK_ENTRY_MESSAGE: f"could not deliver: {data.get('error') or '?'}",
        }

    async_describe_event(DOMAIN, EVENT_ALERT, _alert)
    async_describe_event(DOMAIN, EVENT_RULE_FAILED, _rule_failed)
    async_describe_event(DOMAIN, EVENT_NOTIFICATION_FAILED, _notification_failed)
    async_describe_event(DOMAIN, EVENT_BLOCK_FOUND, _block)
    async_describe_event(DOMAIN, EVENT_BAND_CHANGED, _band)
    async_describe_event(DOMAIN, EVENT_STRATEGY_ACTION, _action)
