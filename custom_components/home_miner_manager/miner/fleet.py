"""The hub's miners (or pools) as one coordinator, for what follows them all.

Hub-wide entities (miners not mining, best share, cost), pool entities (the
miners on a pool) and the alert runner depend on every miner. Rather than a
hand-kept list of callbacks, they listen to one ``FleetCoordinator``: it
tells its listeners when a member is added or removed and, for the miners,
whenever one of them updates. Its data is the members by subentry id (the
hub shares that dict with its services as ``coordinators`` and ``pools``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from ..const import LOGGER

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant


class FleetCoordinator[MemberT: DataUpdateCoordinator[Any]](
    DataUpdateCoordinator[dict[str, MemberT]]
):
    """Coordinators by subentry id; pushed, never polled."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        name: str,
        follow_members: bool,
    ) -> None:
        """Start empty; pass each member's updates on if ``follow_members``."""
        super().__init__(
            hass, LOGGER, config_entry=entry, name=name, update_interval=None
        )
        self.data = {}
        # Bumped on every add and remove: a listener called on each member's
        # poll tells a membership change apart in O(1) instead of a walk.
        self.members_version = 0
        self._follow = follow_members
        self._unsubs: dict[str, CALLBACK_TYPE] = {}

    async def _async_update_data(self) -> dict[str, MemberT]:
        """Nothing to fetch: the members report themselves."""
        return self.data

    @callback
    def async_add(self, subentry_id: str, member: MemberT) -> None:
        """Add a member and tell the listeners."""
        self.data[subentry_id] = member
        self.members_version += 1
        if self._follow:
            self._unsubs[subentry_id] = member.async_add_listener(
                self.async_update_listeners
            )
        self.async_update_listeners()

    @callback
    def async_remove(self, subentry_id: str) -> MemberT:
        """Remove a member (the caller shuts it down) and tell the listeners."""
        member = self.data.pop(subentry_id)
        self.members_version += 1
        if (unsub := self._unsubs.pop(subentry_id, None)) is not None:
            unsub()
        self.async_update_listeners()
        return member
