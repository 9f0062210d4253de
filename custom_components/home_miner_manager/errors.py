"""Driver exceptions to translation keys, in one table, and to HA errors.

Flows (form errors), actions (exceptions), repair issues and the status sensor
all name a failure by the same key, so a user sees the same words for the
same problem wherever it shows. Every action (services, select, button,
switch) goes through :func:`async_call_miner`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .devices.exceptions import (
    InvalidCommandValueError,
    MinerAuthError,
    MinerConnectionError,
    MinerError,
    MinerNetworkRangeError,
    MinerOTPRequiredError,
    MinerRefusedError,
    MinerResponseError,
    MinerTimeoutError,
    MinerUnsupportedError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from homeassistant.core import HomeAssistant

UNKNOWN: Final = "unknown"

# Most specific first: subclasses come before their bases.
ERROR_KEYS: Final[tuple[tuple[type[MinerError], str], ...]] = (
    (MinerNetworkRangeError, "network_range"),
    (MinerOTPRequiredError, "otp_required"),
    (MinerAuthError, "auth_failed"),
    (InvalidCommandValueError, "invalid_value"),
    (MinerUnsupportedError, "unsupported"),
    (MinerTimeoutError, "timeout"),
    (MinerConnectionError, "cannot_connect"),
    (MinerResponseError, "invalid_response"),
    (MinerRefusedError, "refused"),
)
# Refusal reasons the devices give that have their own key.
REFUSAL_KEYS: Final = {
    "calibrating": "calibrating",
    "unsupported_mode": "mode_not_accepted",
}
# Keys that mean the user asked for something wrong (not a failure).
_VALIDATION_KEYS: Final = frozenset(
    {"invalid_value", "unsupported", "mode_not_accepted"}
)


def error_key(err: BaseException) -> str:
    """Return the translation key for a driver error (``unknown`` otherwise)."""
    for error_type, key in ERROR_KEYS:
        if isinstance(err, error_type):
            if isinstance(err, MinerRefusedError):
                return REFUSAL_KEYS.get(err.reason, key)
            return key
    return UNKNOWN


def miner_error_to_ha(err: MinerError, name: str) -> HomeAssistantError:
    """Return the translated Home Assistant error for a driver error."""
    key = error_key(err)
    placeholders = {"name": name, "error": str(err)}
    if isinstance(err, MinerRefusedError):
        placeholders["reason"] = err.reason
    error_type = (
        ServiceValidationError if key in _VALIDATION_KEYS else HomeAssistantError
    )
    return error_type(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


async def async_call_miner[T](name: str, command: Awaitable[T]) -> T:
    """Await a driver command; raise a translated error if it fails.

    ``name`` is the miner's name as the user knows it (used in the message).
    """
    try:
        return await command
    except MinerError as err:
        raise miner_error_to_ha(err, name) from err


@callback
def async_raise_issue(
    hass: HomeAssistant,
    issue_id: str,
    translation_key: str,
    placeholders: dict[str, str],
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
) -> None:
    """Raise (or refresh) one of the integration's issues (none is fixable)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=translation_key,
        translation_placeholders=placeholders,
    )
