"""The one place that chooses between Home Assistant releases' APIs.

Tested on 2026.2.3; written for 2026.11/2026.12 as well, where the device
registry's old names (``via_device``, ``async_get_device``, config entry
add/remove in ``async_update_device``, ``config_entries_subentries``) and the
``PERCENTAGE`` constant warn (removal 2027.8-2027.10). Each helper picks the
new API when the running release has it (by presence, never by version
number), else the 2026.2 one. The helpers from ``entity_user_id`` on are the
only places that touch private Home Assistant names; each says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from homeassistant import const as ha_const
from homeassistant.components.http.const import KEY_HASS_USER
from homeassistant.components.websocket_api.connection import current_connection
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.http import current_request

if TYPE_CHECKING:
    from collections.abc import Collection
    from types import ModuleType

    from homeassistant.helpers.device_registry import DeviceEntry, DeviceRegistry
    from homeassistant.helpers.entity import Entity
    from homeassistant.helpers.update_coordinator import DataUpdateCoordinator


def percentage_unit(const: ModuleType = ha_const) -> str:
    """Return the percent unit: ``UnitOfRatio.PERCENTAGE`` from 2026.7 on."""
    ratio = getattr(const, "UnitOfRatio", None)
    if ratio is not None:
        return cast("str", ratio.PERCENTAGE)
    return cast("str", const.PERCENTAGE)


PERCENTAGE: str = percentage_unit()


def device_by_identifier(
    registry: DeviceRegistry, identifier: tuple[str, str], config_entry_id: str
) -> DeviceEntry | None:
    """Find our device by identifier (scoped to its config entry from 2026.8)."""
    lookup = getattr(registry, "async_get_device_by_identifier", None)
    if lookup is not None:
        return cast("DeviceEntry | None", lookup(identifier, config_entry_id))
    return registry.async_get_device(identifiers={identifier})


def via_device_link(
    registry: DeviceRegistry,
    identifier: tuple[str, str],
    config_entry_id: str,
    device_info_keys: Collection[str] = DeviceInfo.__annotations__,
) -> DeviceInfo:
    """Return the DeviceInfo keys naming the parent (hub) device.

    From 2026.8 the parent is named by device id (``via_device_id``); an
    identifier pair is only unique per config entry. The parent must already
    be registered (the hub device is created before any platform loads).
    """
    if "via_device_id" in device_info_keys:
        parent = device_by_identifier(registry, identifier, config_entry_id)
        return cast("DeviceInfo", {"via_device_id": parent.id} if parent else {})
    return DeviceInfo(via_device=identifier)


def device_links(device: DeviceEntry) -> set[tuple[str, str | None]]:
    """Return the (config entry id, subentry id) pairs a device belongs to.

    From 2026.8 a device has one config entry and at most one subentry
    (``config_entry_id`` / ``config_subentry_id``); before, a mapping.
    """
    if hasattr(device, "config_subentry_id"):
        return {(device.config_entry_id, device.config_subentry_id)}  # type: ignore[attr-defined]
    return {
        (entry_id, subentry_id)
        for entry_id, subentry_ids in device.config_entries_subentries.items()
        for subentry_id in subentry_ids
    }


@callback
def async_remove_subentry_device(
    registry: DeviceRegistry, device: DeviceEntry, entry_id: str, subentry_id: str
) -> None:
    """Let go of a removed subentry's device.

    When the device belongs to that subentry only (always from 2026.8) it is
    removed. Before 2026.8 a device could also belong to another integration's
    entry (merged by MAC address): then only our link is dropped, as removing
    the device would take it from that integration too.
    """
    links = device_links(device)
    if (entry_id, subentry_id) not in links:
        return
    if links == {(entry_id, subentry_id)}:
        registry.async_remove_device(device.id)
        return
    registry.async_update_device(
        device.id,
        remove_config_entry_id=entry_id,
        remove_config_subentry_id=subentry_id,
    )


def entity_user_id(entity: Entity) -> str | None:
    """Return the user behind the action an entity is running (audit log).

    Private on purpose: Home Assistant hands an entity the calling action's
    context only through ``async_set_context`` and has no public getter (up
    to 2026.12), while platform methods such as ``async_select_option`` are
    not given the call. The context is read here and nowhere else.
    """
    context = entity._context  # noqa: SLF001
    return context.user_id if context else None


@callback
def async_apply_update_interval(coordinator: DataUpdateCoordinator[Any]) -> None:
    """Apply a coordinator's new ``update_interval`` now, not after the next poll.

    Private on purpose: setting ``update_interval`` is public but only takes
    effect when the poll already scheduled has run, and there is no public way
    to cancel or re-arm that timer without polling at once (``async_refresh``).
    If a release renames these methods, the interval applies from the next poll.
    """
    unschedule = getattr(coordinator, "_unschedule_refresh", None)
    schedule = getattr(coordinator, "_schedule_refresh", None)
    if unschedule is None or schedule is None:
        return
    unschedule()
    schedule()


def current_client() -> tuple[str | None, str | None, str | None]:
    """Return (user id, IP, user agent) of the HTTP request or websocket served.

    Private on purpose: flows carry no user in their context (2026.2.3 up to
    2026.12), so the request running a flow, or the websocket connection of a
    command such as deleting a subentry, is the only way to know who added or
    removed a miner. ``KEY_HASS_USER`` and ``current_connection`` are not
    exported by ``http`` (an after-dependency in the manifest) and
    ``websocket_api``; this and :func:`forget_client` are the only readers.
    """
    request = current_request.get()
    connection = current_connection.get()
    user_id: str | None = None
    if request is not None and (user := request.get(KEY_HASS_USER)) is not None:
        user_id = str(user.id)
    elif connection is not None:
        # A websocket's HTTP request carries no user; its connection does.
        user_id = str(connection.user.id)
    if request is None:
        return user_id, None, None
    agent = request.headers.get("User-Agent")
    return (
        user_id,
        str(request.remote)[:45] if request.remote else None,
        agent[:255] if agent else None,
    )


def forget_client() -> None:
    """Drop the request and websocket (and their user) from the running task.

    For work a user starts that then acts on its own (the strategy): what it
    audits afterwards is ``system``, not that user.
    """
    current_request.set(None)
    current_connection.set(None)
