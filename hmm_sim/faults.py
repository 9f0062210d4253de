"""Fault injection shared by every simulator.

A fault is set at runtime (from tests or the fleet control endpoint) and applies
to the next requests until cleared, or for ``count`` requests only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Fault(StrEnum):
    """What a misbehaving device does instead of answering normally."""

    NONE = "none"
    TIMEOUT = "timeout"  # accept, never answer
    REFUSED = "refused"  # stop listening: connection refused
    SLOW = "slow"  # answer after ``delay`` seconds
    HTTP_500 = "http_500"  # HTTP only
    HTML = "html"  # HTTP only: a captive-portal-like HTML page with status 200
    TRUNCATED = "truncated"  # the reply is cut in the middle
    MALFORMED = "malformed"  # syntactically broken JSON
    ABSURD = "absurd"  # valid JSON, impossible values (negative, NaN, huge)
    NETWORK_RANGE = "network_range"  # AxeOS 401: client not in an RFC1918 range
    CLOSE = "close"  # cgminer: close the connection without a reply
    GARBAGE = "garbage"  # cgminer: bytes that are not JSON at all
    NO_NUL = "no_nul"  # cgminer: JSON without the terminating NUL byte


HTTP_FAULTS = frozenset(
    {
        Fault.TIMEOUT,
        Fault.REFUSED,
        Fault.SLOW,
        Fault.HTTP_500,
        Fault.HTML,
        Fault.TRUNCATED,
        Fault.MALFORMED,
        Fault.ABSURD,
        Fault.NETWORK_RANGE,
    }
)
TCP_FAULTS = frozenset(
    {
        Fault.TIMEOUT,
        Fault.REFUSED,
        Fault.SLOW,
        Fault.TRUNCATED,
        Fault.MALFORMED,
        Fault.ABSURD,
        Fault.CLOSE,
        Fault.GARBAGE,
        Fault.NO_NUL,
    }
)


@dataclass(slots=True)
class FaultState:
    """The fault currently injected into one simulator."""

    kind: Fault = Fault.NONE
    delay: float = 0.0  # for SLOW
    remaining: int | None = None  # None = until cleared

    def take(self) -> Fault:
        """Return the fault for this request and count it down."""
        kind = self.kind
        if kind is Fault.NONE or kind is Fault.REFUSED:
            return kind
        if self.remaining is not None:
            self.remaining -= 1
            if self.remaining <= 0:
                self.kind = Fault.NONE
                self.remaining = None
        return kind
