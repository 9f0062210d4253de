"""Runtime data kept on the hub config entry.

``HubData`` extends what the miner coordinators share (``MinerServices``, in
``miner/runtime.py``), so the coordinator never needs this module. It is
built whole, every service in it, by ``hub/setup.py`` before any platform.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN
from .miner.coordinator import MinerCoordinator
from .miner.runtime import MinerServices
from .pool.coordinator import PoolCoordinator

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from homeassistant.const import Platform
    from homeassistant.helpers.entity import Entity
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .agile.coordinator import StrategyCoordinator
    from .miner.fleet import FleetCoordinator
    from .monitor.alerts import AlertCoordinator
    from .monitor.health import HealthCoordinator
    from .monitor.notify_channels import Notifier
    from .monitor.rules import RuleRunner
    from .pool.best_shares import ShareTracker
    from .tariff.coin_prices import CoinPriceCoordinator
    from .tariff.coordinator import PriceCoordinator


type SubentryCoordinator = MinerCoordinator | PoolCoordinator


@dataclass(frozen=True, slots=True)
class SubentryPlatform[MemberT: SubentryCoordinator]:
    """One entity platform's share of each miner (or pool): how it builds and adds it."""

    domain: Platform
    build: Callable[[MemberT], Sequence[Entity]]
    add_entities: AddConfigEntryEntitiesCallback

    @callback
    def add(self, member: MemberT, entities: Sequence[Entity] | None = None) -> None:
        """Add a member's entities (built now unless given); they join its subentry."""
        if entities is None:
            entities = self.build(member)
        if entities:
            self.add_entities(entities, config_subentry_id=member.subentry.subentry_id)


@dataclass(kw_only=True, slots=True)
class HubData(MinerServices):
    """Everything the hub entry owns while it is loaded.

    Every service is here from the start, whatever the options: without a
    price source ``prices.configured`` is False (no price, strategy or cost
    entity; the strategy is not started), and coin prices fetch only while
    ``crypto.enabled`` (the ``crypto_prices`` option).
    """

    # The miners and the pools, each as one coordinator for what follows
    # them all; ``coordinators`` and ``pools`` are their members.
    fleet: FleetCoordinator[MinerCoordinator]
    pool_fleet: FleetCoordinator[PoolCoordinator]
    coordinators: dict[str, MinerCoordinator] = field(init=False)
    pools: dict[str, PoolCoordinator] = field(init=False)
    # The tracker itself (the miners see only what they ask of it).
    share_tracker: ShareTracker
    # Prices, the Agile strategy and coin prices.
    prices: PriceCoordinator
    strategy: StrategyCoordinator
    crypto: CoinPriceCoordinator
    # Health scores, notifications, alerts and rules.
    health: HealthCoordinator
    notifier: Notifier
    alerts: AlertCoordinator
    rules: RuleRunner
    # The database URL this runtime was opened with (a change means reload).
    db_url: str
    # The price options the running services follow (``options/apply.py``).
    strategy_options: tuple[object, ...]
    closed: bool = False
    # How a miner subentry being added was found (for its "added" audit row).
    added_via: dict[str, str] = field(default_factory=dict)
    # Serialises subentry add/remove/reconfigure handling.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    # The entity platforms loaded, so a miner or pool added (or a miner
    # reconfigured) at runtime gets its entities without a reload.
    _platforms: list[SubentryPlatform[MinerCoordinator]] = field(
        default_factory=list, repr=False
    )
    _pool_platforms: list[SubentryPlatform[PoolCoordinator]] = field(
        default_factory=list, repr=False
    )

    def __post_init__(self) -> None:
        """Share the fleets' members."""
        self.coordinators = self.fleet.data
        self.pools = self.pool_fleet.data

    @callback
    def async_add_platform(
        self,
        domain: Platform,
        build: Callable[[MinerCoordinator], Sequence[Entity]],
        add_entities: AddConfigEntryEntitiesCallback,
    ) -> CALLBACK_TYPE:
        """Add what ``build`` makes for every miner, now and when one is added.

        Platforms use this so miners created at runtime (a new subentry) get
        entities without a reload, and a reconfigured miner's entity set can
        be brought up to date (:meth:`async_sync_entities`).
        """
        return _async_register(
            self._platforms,
            SubentryPlatform(domain, build, add_entities),
            self.coordinators.values(),
        )

    @callback
    def async_add_pool_platform(
        self,
        domain: Platform,
        build: Callable[[PoolCoordinator], Sequence[Entity]],
        add_entities: AddConfigEntryEntitiesCallback,
    ) -> CALLBACK_TYPE:
        """Add what ``build`` makes for every pool, now and when one is added."""
        return _async_register(
            self._pool_platforms,
            SubentryPlatform(domain, build, add_entities),
            self.pools.values(),
        )

    @callback
    def async_add_coordinator(self, coordinator: MinerCoordinator) -> None:
        """Register a new miner coordinator and add its entities."""
        self.fleet.async_add(coordinator.subentry.subentry_id, coordinator)
        for platform in list(self._platforms):
            platform.add(coordinator)

    @callback
    def async_add_pool(self, pool: PoolCoordinator) -> None:
        """Register a new pool coordinator and add its entities."""
        self.pool_fleet.async_add(pool.subentry.subentry_id, pool)
        for platform in list(self._pool_platforms):
            platform.add(pool)

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
def _async_register[MemberT: SubentryCoordinator](
    platforms: list[SubentryPlatform[MemberT]],
    platform: SubentryPlatform[MemberT],
    members: Iterable[MemberT],
) -> CALLBACK_TYPE:
    """Keep ``platform`` for members to come; add its entities of those there."""
    platforms.append(platform)
    for member in list(members):
        platform.add(member)

    @callback
    def _remove() -> None:
        if platform in platforms:
            platforms.remove(platform)

    return _remove


def loaded_hub(hass: HomeAssistant) -> HMMConfigEntry:
    """Return the loaded hub entry, for an action; else say it is not loaded."""
    entry: HMMConfigEntry
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        return entry
    raise ServiceValidationError(
        translation_domain=DOMAIN, translation_key="hub_not_loaded"
    )
