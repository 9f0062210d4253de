"""Turn driver exceptions into translated Home Assistant errors, in one place.

Every action (services, select, button, switch) goes through
:func:`async_call_miner` so a user sees the same message for the same problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

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

# Refusal reasons the devices give that have their own message.
_REFUSAL_KEYS = {"calibrating": "calibrating", "unsupported_mode": "mode_not_accepted"}


def miner_error_to_ha(err: MinerError, name: str) -> HomeAssistantError:
    """Return the translated Home Assistant error for a driver error."""
    placeholders = {"name": name, "error": str(err)}
    if isinstance(err, InvalidCommandValueError | MinerUnsupportedError):
        key = (
            "invalid_value"
            if isinstance(err, InvalidCommandValueError)
            else "unsupported"
        )
        return ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders,
        )
    if isinstance(err, MinerRefusedError):
        key = _REFUSAL_KEYS.get(err.reason, "refused")
        placeholders["reason"] = err.reason
        if key == "mode_not_accepted":
            return ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders=placeholders,
            )
    elif isinstance(err, MinerTimeoutError):
        key = "timeout"
    elif isinstance(err, MinerConnectionError):
        key = "cannot_connect"
    elif isinstance(err, MinerNetworkRangeError):
        key = "network_range"
    elif isinstance(err, MinerOTPRequiredError):
        key = "otp_required"
    elif isinstance(err, MinerAuthError):
        key = "auth_failed"
    elif isinstance(err, MinerResponseError):
        key = "invalid_response"
    else:
        key = "unknown_error"
    return HomeAssistantError(
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
