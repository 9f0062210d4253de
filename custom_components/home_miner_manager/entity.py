"""The base entity of each device kind: miner, pool and the hub itself.

Each sets the unique id and device info once; entities of one kind differ
only in what they read from their coordinator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.typing import UNDEFINED, UndefinedType
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
)

from .compat import device_by_identifier, entity_user_id, via_device_link
from .const import CONF_COIN, DOMAIN
from .devices.types import MinerType
from .miner.coordinator import MinerCoordinator
from .miner.fleet import FleetCoordinator
from .pool.coordinator import PoolCoordinator

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity import EntityDescription

    from .devices.snapshot import MinerSnapshot

MANUFACTURERS: dict[str, str] = {
    MinerType.BITAXE: "Bitaxe",
    MinerType.NERDQAXE: "NerdQAxe",
    MinerType.AVALON_NANO: "Canaan",
    MinerType.NMMINER: "NMTech",
}

# Avalon speaks cgminer on 4028; its web dashboard is on the default HTTP port.
AVALON_WEB_PORT = 80


def configuration_url(coordinator: MinerCoordinator) -> str:
    """Return the miner's web UI address."""
    host = coordinator.driver.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # bare IPv6 literal
    port = coordinator.driver.port
    if coordinator.miner_type == MinerType.AVALON_NANO:
        port = AVALON_WEB_PORT
    return f"http://{host}/" if port in (None, 80) else f"http://{host}:{port}/"


class DeviceFacts(NamedTuple):
    """What the device page shows that can change while the miner runs."""

    name: str
    configuration_url: str
    model: str | None
    sw_version: str | None
    serial_number: str | None
    connections: frozenset[tuple[str, str]]


def device_facts(coordinator: MinerCoordinator) -> DeviceFacts:
    """Read the device facts from the subentry and the latest snapshot."""
    snapshot: MinerSnapshot | None = coordinator.data
    model = firmware = serial = None
    connections: frozenset[tuple[str, str]] = frozenset()
    if snapshot is not None:
        model = snapshot.model or snapshot.asic_model
        firmware = snapshot.firmware_version
        serial = snapshot.serial
        if snapshot.mac:
            mac = dr.format_mac(snapshot.mac)
            connections = frozenset({(dr.CONNECTION_NETWORK_MAC, mac)})
    return DeviceFacts(
        coordinator.subentry.title,
        configuration_url(coordinator),
        model,
        firmware,
        serial,
        connections,
    )


def miner_device_info(coordinator: MinerCoordinator) -> DeviceInfo:
    """Describe the miner device as known right now (snapshot may be missing)."""
    facts = device_facts(coordinator)
    info = DeviceInfo(
        identifiers={(DOMAIN, coordinator.device_identifier)},
        name=facts.name,
        manufacturer=MANUFACTURERS.get(coordinator.miner_type),
        configuration_url=facts.configuration_url,
    )
    # The hub device, created before the platforms load (hub.py).
    entry_id = coordinator.config_entry.entry_id
    info.update(
        via_device_link(dr.async_get(coordinator.hass), (DOMAIN, entry_id), entry_id)
    )
    if facts.model:
        info["model"] = facts.model
    if facts.sw_version:
        info["sw_version"] = facts.sw_version
    if facts.serial_number:
        info["serial_number"] = facts.serial_number
    if facts.connections:
        info["connections"] = set(facts.connections)
    return info


def _changed[T](new: T | None, old: T | None) -> T | UndefinedType:
    """Return ``new`` if the miner reported it and it differs from ``old``."""
    return new if new is not None and new != old else UNDEFINED


@callback
def async_track_device(hass: HomeAssistant, coordinator: MinerCoordinator) -> None:
    """Keep a miner's device entry in step with its firmware, model and MAC.

    Device info is only merged when an entity is added, so a firmware update
    (or a miner first seen online after start-up) would otherwise leave the
    device page stale until the next reload. One listener per miner, not one
    per entity.
    """
    facts = device_facts(coordinator)

    @callback
    def _async_update() -> None:
        nonlocal facts
        new = device_facts(coordinator)
        if new != facts:
            facts = new
            _async_refresh_device(hass, coordinator, new)

    coordinator.async_add_listener(_async_update)


@callback
def _async_refresh_device(
    hass: HomeAssistant, coordinator: MinerCoordinator, facts: DeviceFacts
) -> None:
    registry = dr.async_get(hass)
    device = device_by_identifier(
        registry,
        (DOMAIN, coordinator.device_identifier),
        coordinator.config_entry.entry_id,
    )
    if device is None:
        return
    new_macs = set(facts.connections - device.connections)
    changes = (
        _changed(facts.name, device.name),
        _changed(facts.configuration_url, device.configuration_url),
        _changed(facts.model, device.model),
        _changed(facts.sw_version, device.sw_version),
        _changed(facts.serial_number, device.serial_number),
    )
    if all(change is UNDEFINED for change in changes) and not new_macs:
        return
    name, url, model, firmware, serial = changes
    registry.async_update_device(
        device.id,
        name=name,
        configuration_url=url,
        model=model,
        sw_version=firmware,
        serial_number=serial,
        # The full set (merge_connections is deprecated from 2026.9).
        new_connections=device.connections | new_macs if new_macs else UNDEFINED,
    )


# What a miner entity's state and attributes are computed from; a poll that
# changes none of these writes nothing (see MinerEntity). Units, icons and
# names are fixed when the entity is created.
STATE_INPUTS: tuple[str, ...] = (
    "available",
    "native_value",
    "is_on",
    "current_option",
    "options",
    "last_reset",
    "extra_state_attributes",
)


_INPUT_NAMES: dict[type, tuple[str, ...]] = {}


class MinerEntity(CoordinatorEntity[MinerCoordinator]):
    """An entity of one miner, fed by that miner's coordinator.

    A poll writes the state only when what it is computed from changed:
    most of a miner's entities (firmware, pool, mode, settings, bests) read
    the same on most polls, and Home Assistant's state write is the largest
    share of a poll's work on the event loop (issue 15).
    """

    _attr_has_entity_name = True
    _written_inputs: tuple[object, ...] | None = None

    def __init__(
        self, coordinator: MinerCoordinator, description: EntityDescription
    ) -> None:
        """Set the unique id and device info from the coordinator."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.device_identifier}_{description.key}"
        self._attr_device_info = miner_device_info(coordinator)

    @property
    def available(self) -> bool:
        """Return False while polling is off, the miner is down or not yet read."""
        return self.coordinator.available

    def _state_inputs(self) -> tuple[object, ...]:
        names = _INPUT_NAMES.get(type(self))
        if names is None:
            # Only what this class has: a missing attribute costs an exception.
            names = tuple(n for n in STATE_INPUTS if hasattr(type(self), n))
            _INPUT_NAMES[type(self)] = names
        return tuple([getattr(self, name) for name in names])

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state unless nothing it is computed from changed."""
        inputs = self._state_inputs()
        if inputs != self._written_inputs:
            self._written_inputs = inputs
            super().async_write_ha_state()

    @callback
    def async_write_ha_state(self) -> None:
        """Write the state; remember what it was computed from."""
        self._written_inputs = self._state_inputs()
        super().async_write_ha_state()

    @property
    def snapshot(self) -> MinerSnapshot | None:
        """Return the latest snapshot (None until the miner first answered)."""
        return self.coordinator.data

    @property
    def user_id(self) -> str | None:
        """Return the user behind the current action (for the audit log)."""
        return entity_user_id(self)


# Entities that follow every miner write at most this often: miners report
# one after another during a poll burst, and a state write per miner update
# would be hundreds a cycle.
WRITE_DELAY = 1.0  # seconds


class DebouncedWrite(Entity):
    """Writes its state at most once a second, however often it changes."""

    _unsub_write: CALLBACK_TYPE | None = None

    @callback
    def _async_changed(self) -> None:
        if self._unsub_write is None:
            self._unsub_write = async_call_later(self.hass, WRITE_DELAY, self._write)

    @callback
    def _write(self, _now: datetime) -> None:
        self._unsub_write = None
        self.async_write_ha_state()

    async def async_will_remove_from_hass(self) -> None:
        """Drop a pending write."""
        await super().async_will_remove_from_hass()
        if self._unsub_write is not None:
            self._unsub_write()
            self._unsub_write = None


class HubEntity[CoordinatorT: DataUpdateCoordinator[Any]](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of the hub device itself, fed by one hub-wide coordinator."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: CoordinatorT, description: EntityDescription
    ) -> None:
        """Attach to the hub device (created before the platforms load)."""
        super().__init__(coordinator)
        assert coordinator.config_entry is not None  # every coordinator has one
        entry_id = coordinator.config_entry.entry_id
        self.entity_description = description
        self._attr_unique_id = f"{entry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, entry_id)})


class FleetEntity(DebouncedWrite, HubEntity[FleetCoordinator[MinerCoordinator]]):
    """A hub entity computed from every miner (written at most once a second)."""

    @callback
    def _handle_coordinator_update(self) -> None:
        self._async_changed()


def pool_model(data: Mapping[str, Any]) -> str:
    """Return a pool device's model: its coin (``DGB pool``)."""
    return f"{data.get(CONF_COIN, '?')} pool"


def pool_device_identifier(subentry_id: str) -> tuple[str, str]:
    """Return the device registry identifier of a pool's device."""
    return (DOMAIN, f"pool_{subentry_id}")


class PoolEntity(DebouncedWrite, CoordinatorEntity[PoolCoordinator]):
    """An entity of one pool, fed by its checks and by the miners on it.

    Each pool is a device of its own (a service under the hub).
    """

    _attr_has_entity_name = True

    def __init__(
        self,
        pool: PoolCoordinator,
        description: EntityDescription,
        fleet: FleetCoordinator[MinerCoordinator],
    ) -> None:
        """Set the unique id and device info from the pool."""
        super().__init__(pool)
        self.entity_description = description
        self._fleet = fleet
        subentry_id = pool.subentry.subentry_id
        self._attr_unique_id = f"pool_{subentry_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={pool_device_identifier(subentry_id)},
            name=pool.title,
            manufacturer="Home Miner Manager",
            model=pool_model(pool.subentry.data),
            entry_type=dr.DeviceEntryType.SERVICE,
        )
        entry_id = pool.config_entry.entry_id
        self._attr_device_info.update(
            via_device_link(dr.async_get(pool.hass), (DOMAIN, entry_id), entry_id)
        )

    async def async_added_to_hass(self) -> None:
        """Also follow the miners (how many are on the pool, their shares)."""
        await super().async_added_to_hass()
        self.async_on_remove(self._fleet.async_add_listener(self._async_changed))

    @property
    def available(self) -> bool:
        """Return False until the first check, or while the pool is disabled."""
        return self.coordinator.enabled and self.coordinator.data is not None
