"""Miner selects: mode (eco ... oc on AxeOS, low/med/high on Avalon) and pool."""

from __future__ import annotations

from abc import abstractmethod
from functools import partial
from typing import TYPE_CHECKING

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .entity import MinerEntity
from .miner.commands import async_set_mode, async_switch_pool
from .pool.lookup import pool_order, snapshot_pool
from .pools.url import pool_in_use_address

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .agile.events import CommandContext
    from .data import HMMConfigEntry, HubData
    from .miner.coordinator import MinerCoordinator
    from .pool.coordinator import PoolCoordinator

# One mode change at a time per platform: miners take seconds to apply one.
PARALLEL_UPDATES = 1

MODE = SelectEntityDescription(key="mode", translation_key="mode")
POOL = SelectEntityDescription(key="pool", translation_key="pool")


def miner_selects(coordinator: MinerCoordinator, hub: HubData) -> list[SelectEntity]:
    """Return the select entities of a miner (no mode select on NMMiner)."""
    entities: list[SelectEntity] = [MinerPoolSelect(coordinator, POOL, hub)]
    if coordinator.driver.modes:
        entities.append(MinerModeSelect(coordinator, MODE, hub))
    return entities


class StrategyAttributed(MinerEntity):
    """A select whose changes the Agile strategy may have commanded.

    A change that matches the strategy's latest commands to this miner is
    written in their context, so the logbook says the strategy did it.
    """

    def __init__(
        self,
        coordinator: MinerCoordinator,
        description: SelectEntityDescription,
        hub: HubData,
    ) -> None:
        """Keep the hub: the strategy's commands explain some changes."""
        super().__init__(coordinator, description)
        self._hub = hub

    def _strategy_sent(self) -> CommandContext | None:
        return self._hub.strategy.command_context(self.coordinator.miner_id)

    @abstractmethod
    def _explained(self, sent: CommandContext) -> bool:
        raise NotImplementedError

    @callback
    def _handle_coordinator_update(self) -> None:
        sent = self._strategy_sent()
        if sent is not None and self._explained(sent):
            self.async_set_context(sent.context)
        super()._handle_coordinator_update()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a mode select for every miner that has modes (not NMMiner)."""
    entry.async_on_unload(
        entry.runtime_data.async_add_platform(
            Platform.SELECT,
            partial(miner_selects, hub=entry.runtime_data),
            async_add_entities,
        )
    )


class MinerModeSelect(StrategyAttributed, SelectEntity):
    """The miner's operating mode."""

    def _explained(self, sent: CommandContext) -> bool:
        return sent.explains(mode=self.current_option)

    @property
    def options(self) -> list[str]:
        """Return the driver's modes (it may refine them after a fetch)."""
        return list(self.coordinator.driver.modes)

    @property
    def current_option(self) -> str | None:
        """Return the mode the miner reports (None when it is between modes)."""
        if self.snapshot is None:
            return None
        mode = self.snapshot.mode
        return mode if mode in self.coordinator.driver.modes else None

    async def async_select_option(self, option: str) -> None:
        """Apply a mode; the coordinator raises a translated error on failure."""
        await async_set_mode(self.coordinator, option, user_id=self.user_id)


class MinerPoolSelect(StrategyAttributed, SelectEntity):
    """The pool the miner mines on: enabled pools by name (or what it reports)."""

    def __init__(
        self,
        coordinator: MinerCoordinator,
        description: SelectEntityDescription,
        hub: HubData,
    ) -> None:
        """Offer the hub's pools (the same mapping the hub keeps up to date)."""
        super().__init__(coordinator, description, hub)
        self._pools = hub.pools

    async def async_added_to_hass(self) -> None:
        """Also follow pools being added, renamed, enabled or removed."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._hub.pool_fleet.async_add_listener(self.async_write_ha_state)
        )

    def _enabled(self) -> dict[str, PoolCoordinator]:
        """Return enabled pools by name (a duplicate name: the preferred pool)."""
        by_name: dict[str, PoolCoordinator] = {}
        for pool in sorted(self._pools.values(), key=pool_order):
            if pool.enabled:
                by_name.setdefault(pool.title, pool)
        return by_name

    def _reported_pool(self) -> PoolCoordinator | None:
        """Return the configured pool the miner reports (host, port and user).

        Pools of several coins may share one stratum server and port.
        """
        if (snapshot := self.snapshot) is None:
            return None
        return snapshot_pool(self._pools.values(), snapshot)

    def _reported(self) -> str | None:
        """Return the pool the miner reports: a configured name, else host:port."""
        if (snapshot := self.snapshot) is None:
            return None
        address = pool_in_use_address(snapshot.pool_in_use)
        if address is None:
            return None
        pool = self._reported_pool()
        return pool.title if pool is not None else str(address)

    def _explained(self, sent: CommandContext) -> bool:
        pool = self._reported_pool()
        return pool is not None and sent.explains(coin=pool.coin)

    @property
    def options(self) -> list[str]:
        """Return the enabled pools, plus the current one when it is not one."""
        names = list(self._enabled())
        if (current := self._reported()) is not None and current not in names:
            names.append(current)
        return names

    @property
    def current_option(self) -> str | None:
        """Return the pool the miner mines on now."""
        return self._reported()

    async def async_select_option(self, option: str) -> None:
        """Switch to a configured pool; the current unconfigured one is a no-op."""
        pool = self._enabled().get(option)
        if pool is None:
            if option == self._reported():
                return
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_pool",
                translation_placeholders={
                    "pool": option,
                    "pools": ", ".join(self._enabled()) or "-",
                },
            )
        await async_switch_pool(self.coordinator, pool.subentry, user_id=self.user_id)
