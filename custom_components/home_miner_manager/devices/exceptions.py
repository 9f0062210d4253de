"""One exception hierarchy for every miner driver.

Callers map these to Home Assistant states: connection problems make entities
unavailable, refusals and auth problems become translated errors.
"""

from __future__ import annotations


class MinerError(Exception):
    """Base class for everything a driver raises."""


class MinerConnectionError(MinerError):
    """The device could not be reached (refused, reset, no route, DNS)."""


class MinerTimeoutError(MinerConnectionError):
    """The device did not answer in time."""


class MinerResponseError(MinerError):
    """The device answered with something we could not understand."""


class MinerRefusedError(MinerError):
    """The device understood the command and refused it.

    ``reason`` is a stable machine-readable code (e.g. ``calibrating``,
    ``unsupported_mode``) that callers can translate.
    """

    def __init__(self, message: str, reason: str = "refused") -> None:
        """Keep the reason code beside the message."""
        super().__init__(message)
        self.reason = reason


class MinerAuthError(MinerError):
    """The device rejected us (HTTP 401, bad web password)."""


class MinerNetworkRangeError(MinerAuthError):
    """AxeOS 401: the client is not in an allowed (RFC1918) network range."""


class MinerOTPRequiredError(MinerAuthError):
    """NerdQAxe: the write needs a one-time password (TOTP) or an OTP session."""


class MinerUnsupportedError(MinerError):
    """The device type or firmware cannot do what was asked."""


class InvalidCommandValueError(MinerError, ValueError):
    """A value would be unsafe to place in a device command; nothing was sent."""
