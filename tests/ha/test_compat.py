"""compat.py: the APIs of Home Assistant 2026.2 and of 2026.8+ chosen by presence.

The 2026.2 branches run against the real registry installed here; the newer
branches against stand-ins with only the new names (no 2026.8+ release can be
installed on Python 3.13). A scan keeps the deprecated names out of every other
module, so nothing warns on 2026.11/2026.12.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from homeassistant.const import PERCENTAGE
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager import compat
from custom_components.home_miner_manager.const import DOMAIN
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry

PACKAGE = Path(compat.__file__).parent
MAC = "aa:bb:cc:dd:ee:01"


def test_percentage_unit_by_presence() -> None:
    ratio = SimpleNamespace(PERCENTAGE="ratio-%")
    assert compat.percentage_unit(SimpleNamespace(UnitOfRatio=ratio)) == "ratio-%"  # type: ignore[arg-type]
    assert compat.percentage_unit(SimpleNamespace(PERCENTAGE="%")) == "%"  # type: ignore[arg-type]
    assert compat.PERCENTAGE == PERCENTAGE  # 2026.2.3 has no UnitOfRatio


class _NewRegistry:
    """The 2026.8+ lookup: scoped to a config entry, no async_get_device."""

    def __init__(self, device: Any) -> None:
        self.device = device
        self.calls: list[tuple[tuple[str, str], str]] = []

    def async_get_device_by_identifier(
        self, identifier: tuple[str, str], config_entry_id: str
    ) -> Any:
        self.calls.append((identifier, config_entry_id))
        return self.device


async def test_device_lookup_and_hub_link(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    entry = MockConfigEntry(domain=DOMAIN)
    entry.add_to_hass(hass)
    hub = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, entry.entry_id)}
    )
    ident = (DOMAIN, entry.entry_id)
    assert compat.device_by_identifier(device_registry, ident, entry.entry_id) == hub
    new = _NewRegistry(hub)
    assert compat.device_by_identifier(new, ident, "e1") is hub  # type: ignore[arg-type]
    assert new.calls == [(ident, "e1")]
    # 2026.2: the identifier pair; 2026.8+: the registered hub's device id.
    assert compat.via_device_link(device_registry, ident, entry.entry_id) == {
        "via_device": ident
    }
    keys = {"identifiers", "via_device_id"}
    assert compat.via_device_link(device_registry, ident, entry.entry_id, keys) == {
        "via_device_id": hub.id
    }
    missing = (DOMAIN, "not-registered")
    assert compat.via_device_link(device_registry, missing, entry.entry_id, keys) == {}


def test_device_links_by_presence() -> None:
    new = SimpleNamespace(config_entry_id="e1", config_subentry_id="s1")
    assert compat.device_links(new) == {("e1", "s1")}  # type: ignore[arg-type]
    old = SimpleNamespace(config_entries_subentries={"e1": {"s1", None}, "e2": {None}})
    assert compat.device_links(old) == {("e1", "s1"), ("e1", None), ("e2", None)}  # type: ignore[arg-type]


async def test_remove_subentry_device_keeps_shared_devices(
    hass: HomeAssistant, device_registry: dr.DeviceRegistry
) -> None:
    """Ours alone: removed. Shared with another integration (2026.2): unlinked."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        subentries_data=[
            {"data": {}, "subentry_type": "miner", "title": t, "unique_id": t}
            for t in ("a", "b")
        ],
    )
    entry.add_to_hass(hass)
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    sub_a, sub_b = list(entry.subentries)
    alone = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        config_subentry_id=sub_a,
        identifiers={(DOMAIN, "a")},
    )
    shared = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        config_subentry_id=sub_b,
        identifiers={(DOMAIN, "b")},
        connections={(dr.CONNECTION_NETWORK_MAC, MAC)},
    )
    shared = device_registry.async_get_or_create(
        config_entry_id=other.entry_id,
        connections={(dr.CONNECTION_NETWORK_MAC, MAC)},
    )
    compat.async_remove_subentry_device(device_registry, shared, entry.entry_id, "x")
    assert device_registry.async_get(shared.id) == shared  # not ours: untouched
    compat.async_remove_subentry_device(device_registry, alone, entry.entry_id, sub_a)
    assert device_registry.async_get(alone.id) is None
    compat.async_remove_subentry_device(device_registry, shared, entry.entry_id, sub_b)
    kept = device_registry.async_get(shared.id)
    assert kept is not None
    assert compat.device_links(kept) == {(other.entry_id, None)}


def test_entity_user_id() -> None:
    entity = Entity()
    assert compat.entity_user_id(entity) is None
    entity.async_set_context(Context(user_id="u1"))
    assert compat.entity_user_id(entity) == "u1"


def test_apply_update_interval_without_timer_methods() -> None:
    """A release without the private methods: the interval waits for the next poll."""
    compat.async_apply_update_interval(SimpleNamespace())  # type: ignore[arg-type]


async def test_miner_device_linked_to_hub(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    hub = device_registry.async_get_device(identifiers={(DOMAIN, entry.entry_id)})
    miner = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert hub is not None
    assert miner is not None
    assert miner.via_device_id == hub.id


# Deprecated in 2026.7-2026.10 (removed 2027.8-2027.10), or private: only compat.py
# may name them. (attribute, keyword or imported name) -> why.
_DEPRECATED = {
    "via_device": "DeviceInfo key / keyword: via_device_id (2026.8)",
    "async_get_device": "async_get_device_by_identifier (2026.8)",
    "remove_config_entry_id": "async_remove_device (2026.8)",
    "remove_config_subentry_id": "async_remove_device (2026.8)",
    "merge_connections": "new_connections (2026.9)",
    "config_entries_subentries": "config_entry_id / config_subentry_id (2026.10)",
    "PERCENTAGE": "UnitOfRatio.PERCENTAGE (2026.7)",
    "_context": "private Entity attribute",
    "_schedule_refresh": "private DataUpdateCoordinator method",
    "_unschedule_refresh": "private DataUpdateCoordinator method",
}
_PRIVATE_MODULES = {
    "homeassistant.components.http.const",
    "homeassistant.components.websocket_api.connection",
}


def _names(tree: ast.AST) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _DEPRECATED:
            found.append((node.attr, node.lineno))
        elif isinstance(node, ast.keyword) and node.arg in _DEPRECATED:
            found.append((node.arg, node.value.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.module in _PRIVATE_MODULES:
                found.append((node.module, node.lineno))
            if (node.module or "").startswith("homeassistant"):
                found += [
                    (a.name, node.lineno) for a in node.names if a.name in _DEPRECATED
                ]
        elif isinstance(node, ast.Dict):
            found += [
                (key.value, key.lineno)
                for key in node.keys
                if isinstance(key, ast.Constant) and key.value == "via_device"
            ]
    return found


def test_deprecated_and_private_names_only_in_compat() -> None:
    found = [
        (str(path.relative_to(PACKAGE)), line, name, _DEPRECATED.get(name, "private"))
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "compat.py"
        for name, line in _names(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, found


def test_every_coordinator_gets_its_config_entry() -> None:
    """``DataUpdateCoordinator(config_entry=...)`` is required from 2026.8."""
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or not any(
                "DataUpdateCoordinator" in ast.unparse(base) for base in node.bases
            ):
                continue
            calls = [
                call
                for call in ast.walk(node)
                if isinstance(call, ast.Call)
                and ast.unparse(call.func) == "super().__init__"
            ]
            assert calls, (path.name, node.name)
            for call in calls:
                assert "config_entry" in {kw.arg for kw in call.keywords}, node.name
            checked += 1
    assert checked >= 2  # miners and pools
