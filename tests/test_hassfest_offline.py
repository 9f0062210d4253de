"""What hassfest checks and we can check offline, on the installed Home Assistant.

hassfest (``script/hassfest`` of home-assistant/core) is not shipped with the
``homeassistant`` package, and the release we test on (2026.2.3) still accepts
what 2026.11 rejects, so its rules for custom integrations are restated here:
services.yaml against the registered actions and HA's selector schemas (no
device filter in a target: from 2026.11 one such target drops the whole file),
translation strings (no HTML, no URLs, plain ``{name}`` placeholders that the
code passes), manifest dependencies against ``homeassistant.components``
imports (``script/hassfest/dependencies.py``) and the unique id of a
discoverable config flow (``script/hassfest/config_flow.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
import string
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.requirements import DISCOVERY_INTEGRATIONS
from homeassistant.setup import async_setup_component
import pytest
import voluptuous as vol
import yaml

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / "home_miner_manager"
DOMAIN = PACKAGE.name
TARGET_FIELDS = {"entity_id", "device_id", "area_id", "floor_id", "label_id"}

# Integrations hassfest lets any integration import without declaring them
# (ALLOWED_USED_COMPONENTS in script/hassfest/dependencies.py): the entity
# platforms plus these always-loaded or base-class-only ones.
ALWAYS_ALLOWED = {platform.value for platform in Platform} | {
    "alert", "automation", "conversation", "default_config",
    "device_automation", "frontend", "group", "homeassistant", "input_boolean",
    "input_button", "input_datetime", "input_number", "input_select",
    "input_text", "media_source", "onboarding", "panel_custom",
    "persistent_notification", "person", "script", "shopping_list", "sun",
    "system_health", "system_log", "timer", "webhook", "websocket_api",
    "zone", "mjpeg", "stream",
}  # fmt: skip
DISCOVERY_STEPS = (
    "async_step_discovery", "async_step_bluetooth", "async_step_hassio",
    "async_step_homekit", "async_step_mqtt", "async_step_ssdp",
    "async_step_zeroconf", "async_step_dhcp", "async_step_usb",
)  # fmt: skip
# A URL as hassfest's translations check finds one (scheme:// or www.).
URL = re.compile(
    r"((ftps?|scp|https?|mqtts?|socket|socks5)://|www\.)"
    r"[a-z0-9]+([-.][a-z0-9]+)*\.[a-z]{2,5}(:\d{1,5})?(/.*)?",
    re.IGNORECASE,
)
TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _services_yaml() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    return data


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


# -- services.yaml -------------------------------------------------------------

_FIELD_KEYS = {
    "example", "default", "required", "advanced", "selector", "filter",
    "name", "description",
}  # fmt: skip


def _schema_fields(schema: vol.Schema) -> dict[str, Any]:
    return {str(key): key for key in schema.schema}


@pytest.fixture
async def registered(hass: HomeAssistant) -> dict[str, vol.Schema]:
    """The integration's actions and their schemas, as Home Assistant has them."""
    assert await async_setup_component(hass, DOMAIN, {})
    services = hass.services.async_services_for_domain(DOMAIN)
    return {name: service.schema for name, service in services.items()}


async def test_services_yaml_matches_registered_actions(
    registered: dict[str, vol.Schema],
) -> None:
    """Each action has an entry and vice versa; fields match the schemas."""
    described = _services_yaml()
    assert set(described) == set(registered)
    for name, spec in described.items():
        schema = registered[name]
        assert schema is not None, name
        keys = _schema_fields(schema)
        fields = (spec or {}).get("fields", {})
        targeted = "target" in (spec or {})
        assert set(fields) == set(keys) - (TARGET_FIELDS if targeted else set()), name
        assert targeted == (set(keys) >= TARGET_FIELDS), name
        for field, field_spec in fields.items():
            assert set(field_spec) <= _FIELD_KEYS, (name, field)
            marker = keys[field]
            required = isinstance(marker, vol.Required)
            assert bool(field_spec.get("required")) == required, (name, field)


async def test_services_yaml_selectors_validate(
    registered: dict[str, vol.Schema],
) -> None:
    """Selectors pass HA's selector schemas; select options pass the action's."""
    translations = _load_json(PACKAGE / "translations" / "en.json")
    for name, spec in _services_yaml().items():
        keys = _schema_fields(registered[name])
        for field, field_spec in (spec or {}).get("fields", {}).items():
            config = field_spec["selector"]
            selector.validate_selector(config)
            if "select" not in config:
                continue
            validator = vol.Schema(registered[name].schema[keys[field]])
            for option in config["select"]["options"]:
                value = option["value"] if isinstance(option, dict) else option
                validator(value)  # what the UI offers, the action accepts
            if key := config["select"].get("translation_key"):
                assert key in translations["selector"], (name, field)


def test_targets_have_no_device_filter() -> None:
    """A ``device`` filter in a target is invalid from HA 2026.11 (whole file dropped)."""
    for name, spec in _services_yaml().items():
        target = (spec or {}).get("target")
        if target is None:
            continue
        assert "device" not in target, name
        selector.TargetSelector.CONFIG_SCHEMA(target)
        entity_filters = target.get("entity", [])
        for entity_filter in cv.ensure_list(entity_filters):
            assert entity_filter.get("integration") == DOMAIN, name


# -- translations ----------------------------------------------------------------


def _strings(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    else:
        yield ".".join(path), node


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def _no_placeholder_allowed(path: str) -> bool:
    """Entity states and state attributes take no placeholders."""
    parts = path.split(".")
    return parts[0] == "entity" and ("state" in parts or "state_attributes" in parts)


def test_translation_strings_are_valid() -> None:
    """No HTML (the frontend shows "UNCLOSED_TAG"), URL or odd placeholder."""
    problems: list[str] = []
    for path, text in _strings(_load_json(PACKAGE / "translations" / "en.json")):
        try:
            assert isinstance(text, str), "not a string"
            cv.string_with_no_html(text)
            assert "<" not in text, "'<' starts a tag for the frontend"
            assert not re.search(r"'\{\w+\}'", text), "placeholder in quotes"
            names = _placeholders(text)
            assert all(name.isidentifier() for name in names), "bad placeholder"
            assert not (names and _no_placeholder_allowed(path)), "placeholder"
            assert not re.search(r"(.+\[%)|(%\].+)", text), "combined reference"
            assert text == text.strip(), "leading or trailing spaces"
            assert not URL.search(text), "URL: use a description placeholder"
        except (AssertionError, ValueError, vol.Invalid) as err:
            problems.append(f"{path}: {err} ({text!r})")
    assert not problems, "\n".join(problems)


def test_translation_keys_are_valid() -> None:
    """Keys of selector options, entity states and services are lower-case slugs."""
    strings = _load_json(PACKAGE / "translations" / "en.json")
    keys: list[str] = []
    for spec in strings.get("selector", {}).values():
        keys += list(spec.get("options", {}))
    for platform in strings.get("entity", {}).values():
        for entity in platform.values():
            keys += list(entity.get("state", {}))
            keys += list(entity.get("state_attributes", {}))
    keys += list(strings.get("services", {}))
    bad = [key for key in keys if not TRANSLATION_KEY.match(key)]
    assert not bad, bad


def _passed_names() -> set[str]:
    """Literal keys the package puts in dicts: where placeholders come from."""
    names: set[str] = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                names |= {
                    key.value
                    for key in node.keys
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                }
            elif isinstance(node, ast.Call) and (
                getattr(node.func, "id", "") == "dict"
                or getattr(node.func, "attr", "") == "update"
            ):
                names |= {kw.arg for kw in node.keywords if kw.arg}
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                names.add(node.slice.value)  # placeholders["name"] = ...
    return names


def test_translation_placeholders_are_passed() -> None:
    """A placeholder no code passes would show as ``{name}`` to the user."""
    passed = _passed_names()
    missing = {
        f"{path}: {{{name}}}"
        for path, text in _strings(_load_json(PACKAGE / "translations" / "en.json"))
        for name in _placeholders(text)
        if name not in passed
    }
    assert not missing, sorted(missing)


# -- manifest dependencies -------------------------------------------------------


def _component_imports(tree: ast.AST) -> Iterator[str]:
    """``homeassistant.components.X`` imports, outside ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("homeassistant.components."):
                yield node.module.split(".")[2]
            elif node.module == "homeassistant.components":
                yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("homeassistant.components."):
                    yield alias.name.split(".")[2]
        yield from _component_imports(node)


def test_manifest_declares_used_components() -> None:
    """Every imported integration is a dependency, an after-dependency or exempt."""
    manifest = _load_json(PACKAGE / "manifest.json")
    allowed = (
        ALWAYS_ALLOWED
        | set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
        | {DOMAIN}
    )
    for domain, keys in DISCOVERY_INTEGRATIONS.items():
        if any(key in manifest for key in keys):
            allowed.add(domain)
    undeclared: dict[str, str] = {}
    for path in _sources():
        for used in _component_imports(ast.parse(path.read_text(encoding="utf-8"))):
            # A platform of that integration in ours (sensor.py, logbook.py...).
            ours = (PACKAGE / f"{used}.py").is_file() or (PACKAGE / used).is_dir()
            if used not in allowed and not ours:
                undeclared[used] = str(path.relative_to(PACKAGE))
    assert not undeclared, f"not in dependencies/after_dependencies: {undeclared}"
    both = set(manifest.get("dependencies", [])) & set(
        manifest.get("after_dependencies", [])
    )
    assert not both


# -- config flow and layout --------------------------------------------------------


def test_discoverable_config_flow_sets_unique_id() -> None:
    """hassfest looks for the unique id in config_flow.py itself."""
    source = (PACKAGE / "config_flow.py").read_text(encoding="utf-8")
    if any(step in source for step in DISCOVERY_STEPS):
        assert "self.async_set_unique_id" in source


def test_custom_components_holds_only_the_integration() -> None:
    """No stray files beside the integration (HACS, hassfest)."""
    entries = {
        p.name
        for p in (ROOT / "custom_components").iterdir()
        if p.name != "__pycache__"
    }
    assert entries == {DOMAIN}
