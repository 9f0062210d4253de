"""What the strategy reads of the hub's prices (the price coordinator)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from homeassistant.core import CALLBACK_TYPE

    from ..prices.slots import PriceSlot


class PriceSource(Protocol):
    """What the strategy reads of the hub's price coordinator."""

    @property
    def slots(self) -> Sequence[PriceSlot]:
        """Known price slots, in order."""

    @property
    def in_grace(self) -> bool:
        """The source may still be starting up."""

    @property
    def price_unit(self) -> str:
        """Unit of the prices (for descriptions)."""

    @property
    def currency(self) -> str:
        """Currency of the prices (ISO code)."""

    @property
    def entity_id(self) -> str:
        """The price entity (empty for the API)."""

    @property
    def region(self) -> str:
        """The region (or tariff key) prices are stored under."""

    @property
    def error_detail(self) -> str:
        """What the last failed read said."""

    def current(self, now: datetime | None = None) -> PriceSlot | None:
        """Return the slot in effect at ``now``."""

    def unknown_cause(self, now: datetime | None = None) -> str | None:
        """Why there is no price now (None: there is one)."""

    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, /
    ) -> Callable[[], None]:
        """Call back when the prices change (and at slot boundaries)."""
