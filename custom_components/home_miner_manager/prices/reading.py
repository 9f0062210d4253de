"""One read of the hub's price source: what every source reports, and keeps.

The Octopus entities, the Octopus API and the other tariffs each end a read
with a :class:`PriceReading`; the hub's price coordinator keeps the latest
one as its data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .slots import PriceSlot


@dataclass(frozen=True, slots=True)
class PriceReading:
    """Known slots (sorted), skipped items, and why there is no price, if so."""

    slots: list[PriceSlot] = field(default_factory=list)
    skipped: int = 0
    error: str | None = None  # a price_unknown cause key of the last read
    detail: str = ""  # shown in the repair issue (never a secret)
    tariff_code: str | None = None  # e.g. "E-1R-AGILE-24-10-01-C", "nordpool SEK"
