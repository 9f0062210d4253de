"""Runtime data kept on the hub config entry.

``HubData`` extends what the miner coordinators share (``MinerServices``, in
``coordinator.py``), so the coordinator never needs this module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .miner.coordinator import MinerCoordinator
from .miner.runtime import MinerServices
from .pool.coordinator import PoolCoordinator

if TYPE_CHECKING:
    from homeassistant.const import Platform
    from homeassistant.helpers.entity import Entity
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .agile.runner import StrategyRunner
    from .monitor.alerts import AlertRunner
    from .monitor.health import HealthRunner
    from .monitor.notify_channels import Notifier
    from .monitor.rules import RuleRunner
    from .tariff.coin_prices import CryptoManager
    from .tariff.coordinator import PriceManager


# Builds the entities one platform wants for a miner, as its data stands now.
type EntityBuilder = Callable[[MinerCoordinator], Sequence[Entity]]
# Builds the entities one platform wants for a pool.
type PoolEntityBuilder = Callable[[PoolCoordinator], Sequence[Entity]]


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


@dataclass(kw_only=True)
class HubData(MinerServices):
    """Everything the hub entry owns while it is loaded."""

    coordinators: dict[str, MinerCoordinator] = field(default_factory=dict)
    # The database URL this runtime was opened with (a change means reload).
    db_url: str = ""
    closed: bool = False
    # How a miner subentry being added was found (for its "added" audit row).
    added_via: dict[str, str] = field(default_factory=dict)
    _miner_listeners: list[CALLBACK_TYPE] = field(default_factory=list, repr=False)
    # Serialises subentry add/remove/reconfigure handling.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _platforms: list[MinerPlatform] = field(default_factory=list, repr=False)
    # Agile strategy runtime (strategy_setup.py); None until prices are set up.
    prices: PriceManager | None = None
    strategy: StrategyRunner | None = None
    crypto: CryptoManager | None = None
    strategy_options: tuple[object, ...] = ()
    pools: dict[str, PoolCoordinator] = field(default_factory=dict)
    # Health scores, alerts and notifications (monitoring.py).
    health: HealthRunner | None = None
    notifier: Notifier | None = None
    alerts: AlertRunner | None = None
    rules: RuleRunner | None = None
    _pool_listeners: list[CALLBACK_TYPE] = field(default_factory=list, repr=False)
    _pool_platforms: list[tuple[PoolEntityBuilder, AddConfigEntryEntitiesCallback]] = (
        field(default_factory=list, repr=False)
    )

    @callback
    def async_add_pool_platform(
        self, build: PoolEntityBuilder, add_entities: AddConfigEntryEntitiesCallback
    ) -> CALLBACK_TYPE:
        """Add what ``build`` makes for every pool, now and when one is added."""
        platform = (build, add_entities)
        self._pool_platforms.append(platform)
        for pool in list(self.pools.values()):
            _add_pool_entities(platform, pool)
        return lambda: self._pool_platforms.remove(platform)

    @callback
    def async_add_pool_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` when pools are added, changed or removed."""
        self._pool_listeners.append(listener)
        return lambda: self._pool_listeners.remove(listener)

    @callback
    def async_notify_pool_listeners(self) -> None:
        """Tell entities offering pools (the miners' pool selects)."""
        for listener in list(self._pool_listeners):
            listener()

    @callback
    def async_add_pool(self, pool: PoolCoordinator) -> None:
        """Register a new pool coordinator and tell the platforms about it."""
        self.pools[pool.subentry.subentry_id] = pool
        for platform in list(self._pool_platforms):
            _add_pool_entities(platform, pool)

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
        coordinator.async_add_listener(self.async_notify_miner_listeners)
        for platform in list(self._platforms):
            platform.add(coordinator, platform.build(coordinator))
        self.async_notify_miner_listeners()

    @callback
    def async_add_miner_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener`` when any miner updates, is added or is removed."""
        self._miner_listeners.append(listener)
        return lambda: self._miner_listeners.remove(listener)

    @callback
    def async_notify_miner_listeners(self) -> None:
        """Tell hub-wide entities that some miner changed."""
        for listener in list(self._miner_listeners):
            listener()

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


@callback
def _add_pool_entities(
    platform: tuple[PoolEntityBuilder, AddConfigEntryEntitiesCallback],
    pool: PoolCoordinator,
) -> None:
    build, add_entities = platform
    if entities := build(pool):
        add_entities(entities, config_subentry_id=pool.subentry.subentry_id)
