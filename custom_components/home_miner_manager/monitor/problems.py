"""Problems of rules and notification channels, shown where users look.

A failing rule or alert delivery gets a logbook line on the hub device (an
event carrying its ``device_id``, described in ``logbook.py``) and a repair
issue that is removed when the rule or channel next succeeds (or is removed).
The warning in the log is the callers' (once per failure episode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from ..const import DOMAIN
from ..errors import async_raise_issue

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

EVENT_RULE_FAILED: Final = "home_miner_manager_rule_failed"
EVENT_NOTIFICATION_FAILED: Final = "home_miner_manager_notification_failed"
# Repair issue texts quote the error; keep them readable.
_ERROR_LIMIT: Final = 300


def rule_issue_id(rule_id: str) -> str:
    """Return the id of a rule's "failed" repair issue."""
    return f"rule_failed_{rule_id}"


def rule_issue_rule_ids(hass: HomeAssistant) -> set[str]:
    """Return the rules that have a "failed" issue (raised now or before)."""
    prefix = rule_issue_id("")
    return {
        issue_id.removeprefix(prefix)
        for domain, issue_id in ir.async_get(hass).issues
        if domain == DOMAIN and issue_id.startswith(prefix)
    }


def channel_issue_id(channel_id: int) -> str:
    """Return the id of a channel's "notification failed" repair issue."""
    return f"notification_failed_{channel_id}"


def channel_issue_channel_ids(hass: HomeAssistant) -> set[int]:
    """Return the channels that have a "failed" issue (raised now or before)."""
    prefix = channel_issue_id(0).removesuffix("0")
    return {
        int(issue_id.removeprefix(prefix))
        for domain, issue_id in ir.async_get(hass).issues
        if domain == DOMAIN
        and issue_id.startswith(prefix)
        and issue_id.removeprefix(prefix).isdigit()
    }


def hub_device_id(hass: HomeAssistant, entry: ConfigEntry[Any]) -> str | None:
    """Return the hub device's id (the logbook lists its events there)."""
    # The entry's devices, not a lookup by identifier: that API changes name
    # in 2026.8, and failures are rare enough for a scan.
    for device in dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id):
        if (DOMAIN, entry.entry_id) in device.identifiers:
            return device.id
    return None


def _cut(error: str) -> str:
    return error if len(error) <= _ERROR_LIMIT else error[: _ERROR_LIMIT - 1] + "…"


@callback
def _async_failed(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    issue_id: str,
    event: str,
    placeholders: dict[str, str],
    *,
    translation_key: str,
    logbook: bool = True,
) -> None:
    """Raise (or refresh) a failure issue; add a logbook line with its texts."""
    texts = {**placeholders, "error": _cut(placeholders["error"])}
    async_raise_issue(hass, issue_id, translation_key, texts)
    if logbook:
        hass.bus.async_fire(event, {**texts, "device_id": hub_device_id(hass, entry)})


@callback
def async_rule_failed(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    rule_id: str,
    name: str,
    error: str,
    *,
    logbook: bool = True,
) -> None:
    """Raise (or refresh) a rule's issue; add a logbook line."""
    _async_failed(
        hass,
        entry,
        rule_issue_id(rule_id),
        EVENT_RULE_FAILED,
        {"rule": name, "error": error},
        translation_key="rule_failed",
        logbook=logbook,
    )


@callback
def async_rule_ok(hass: HomeAssistant, rule_id: str) -> None:
    """Remove a rule's issue: it ran successfully (or is gone)."""
    ir.async_delete_issue(hass, DOMAIN, rule_issue_id(rule_id))


@callback
def async_notification_failed(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    channel_id: int,
    channel: str,
    error: str,
) -> None:
    """Raise (or refresh) a channel's issue; add a logbook line.

    ``error`` must already be redacted (senders' results always are).
    """
    _async_failed(
        hass,
        entry,
        channel_issue_id(channel_id),
        EVENT_NOTIFICATION_FAILED,
        {"channel": channel, "error": error},
        translation_key="notification_failed",
    )


@callback
def async_notification_ok(hass: HomeAssistant, channel_id: int) -> None:
    """Remove a channel's issue: a message went through (or it is gone)."""
    ir.async_delete_issue(hass, DOMAIN, channel_issue_id(channel_id))
