"""Repair issues a miner raises; the devices have no reauth, so none is fixable."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir

from ..const import DOMAIN
from ..errors import async_raise_issue, error_key

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..devices.exceptions import MinerAuthError


def _auth_issue_id(subentry_id: str) -> str:
    return f"miner_auth_{subentry_id}"


def pool_switch_issue_id(subentry_id: str) -> str:
    """Return the id of a miner's "did not switch to the pool" issue."""
    return f"pool_switch_failed_{subentry_id}"


def _otp_issue_id(subentry_id: str) -> str:
    return f"miner_otp_{subentry_id}"


@callback
def async_raise_refused(
    hass: HomeAssistant,
    subentry_id: str,
    err: MinerAuthError,
    placeholders: dict[str, str],
) -> None:
    """Explain why the miner refuses to be read (HTTP 401)."""
    # network_range, otp_required or auth_failed: the same keys as the flows.
    async_raise_issue(
        hass,
        _auth_issue_id(subentry_id),
        error_key(err),
        placeholders,
        ir.IssueSeverity.ERROR,
    )


@callback
def async_clear_refused(hass: HomeAssistant, subentry_id: str) -> None:
    """Drop the refusal issue: the miner answers again."""
    ir.async_delete_issue(hass, DOMAIN, _auth_issue_id(subentry_id))


@callback
def async_set_otp_enabled(
    hass: HomeAssistant,
    subentry_id: str,
    enabled: bool,
    placeholders: dict[str, str],
) -> None:
    """Warn while a NerdQAxe has OTP on: monitored, but not controllable.

    Reads work with OTP on; mode changes (and, on some firmware, restarts)
    need a one-time code that Home Assistant cannot give.
    """
    if not enabled:
        ir.async_delete_issue(hass, DOMAIN, _otp_issue_id(subentry_id))
        return
    async_raise_issue(hass, _otp_issue_id(subentry_id), "otp_enabled", placeholders)


@callback
def async_delete_miner_issues(hass: HomeAssistant, subentry_id: str) -> None:
    """Forget every issue of a removed miner."""
    for issue_id in (
        _auth_issue_id(subentry_id),
        _otp_issue_id(subentry_id),
        pool_switch_issue_id(subentry_id),
    ):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
