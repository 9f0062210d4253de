"""Runtime data kept on the hub config entry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from . import const
from .pacer import LoopPacer

if TYPE_CHECKING:
    from aiohttp import ClientSession
    from homeassistant.const import Platform
    from homeassistant.helpers.entity import Entity
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MinerCoordinator
    from .db import Database
    from .devices import NMMinerListener

# Builds the entities one platform wants for a miner, as its data stands now.
type EntityBuilder = Callable[[MinerCoordinator], Sequence[Entity]]


@dataclass(frozen=True, slots=True)
class MinerPlatform:
    """One entity platform of the hub: what it builds and how it adds it."""

    domain: Platform
    build: EntityBuilder
    add_entities: AddConfigEntryEntitiesCallback

    @callback
    def add(self, coordinator: MinerCoordinator, entities: Sequence[Entity]) -> None:
        """Add entities of one miner (they belong to its subentry)."""
        if entities:
            self.add_entities(
                entities, config_subentry_id=coordinator.subentry.subentry_id
            )


@dataclass
class HubData:
    """Everything the hub entry owns while it is loaded."""

    database: Database
    session: ClientSession
    coordinators: dict[str, MinerCoordinator] = field(default_factory=dict)
    nmminer_listener: NMMinerListener | None = None
    # The database URL this runtime was opened with (a change means reload).
    db_url: str = ""
    closed: bool = False
    # Bound the miner polls in flight and pace their starts and processing (the
    # consts are read at set-up, so a benchmark can change them first).
    poll_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(const.MAX_CONCURRENT_POLLS),
        repr=False,
    )
    poll_pacer: LoopPacer = field(
        default_factory=lambda: LoopPacer(const.POLL_STEPS_PER_TURN),
        repr=False,
    )
    # Serialises subentry add/remove/reconfigure handling.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _platforms: list[MinerPlatform] = field(default_factory=list, repr=False)

    @callback
    def async_add_platform(
        self,
        domain: Platform,
        build: EntityBuilder,
        add_entities: AddConfigEntryEntitiesCallback,
    ) -> CALLBACK_TYPE:
        """Add what ``build`` makes for every miner, now and when one is added.

        Platforms use this so miners created at runtime (a new subentry) get
        entities without a reload, and a reconfigured miner's entity set can
        be brought up to date (:meth:`async_sync_entities`).
        """
        platform = MinerPlatform(domain, build, add_entities)
        self._platforms.append(platform)
        for coordinator in list(self.coordinators.values()):
            platform.add(coordinator, build(coordinator))

        @callback
        def _remove() -> None:
            if platform in self._platforms:
                self._platforms.remove(platform)

        return _remove

    @callback
    def async_add_coordinator(self, coordinator: MinerCoordinator) -> None:
        """Register a new miner coordinator and tell the platforms about it."""
        self.coordinators[coordinator.subentry.subentry_id] = coordinator
        for platform in list(self._platforms):
            platform.add(coordinator, platform.build(coordinator))

    @callback
    def async_sync_entities(
        self, hass: HomeAssistant, coordinator: MinerCoordinator
    ) -> None:
        """Bring a reconfigured miner's entities in line with its data.

        A manual power estimate added later brings power, efficiency and
        energy sensors to a miner without a power meter; removing it takes
        them away. Entities that stay are left alone (same objects, same
        registry entries), so are the other miners.
        """
        registry = er.async_get(hass)
        subentry_id = coordinator.subentry.subentry_id
        registered = {
            (reg.domain, reg.unique_id): reg.entity_id
            for reg in er.async_entries_for_config_entry(
                registry, coordinator.config_entry.entry_id
            )
            if reg.config_subentry_id == subentry_id
        }
        wanted: set[tuple[str, str | None]] = set()
        for platform in list(self._platforms):
            entities = platform.build(coordinator)
            wanted.update((platform.domain, entity.unique_id) for entity in entities)
            platform.add(
                coordinator,
                [
                    entity
                    for entity in entities
                    if (platform.domain, entity.unique_id) not in registered
                ],
            )
        domains = {platform.domain for platform in self._platforms}
        for key, entity_id in registered.items():
            # Only platforms that are loaded know what they want.
            if key[0] in domains and key not in wanted:
                registry.async_remove(entity_id)


type HMMConfigEntry = ConfigEntry[HubData]
