"""Checks hassfest and HACS would make, run locally.

hassfest itself is not shipped with the homeassistant package, so the rules that
matter for a custom integration are restated here: manifest keys and ordering,
hacs.json schema, translations covering every service, exception, entity and
config flow step, icons for every service, and an honest quality_scale.yaml.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
import pytest
import yaml

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "custom_components" / "home_miner_manager"

MANIFEST_ALLOWED = {
    "domain", "name", "after_dependencies", "bluetooth", "codeowners",
    "config_flow", "dependencies", "dhcp", "disabled", "documentation",
    "homekit", "import_executor", "integration_type", "iot_class",
    "issue_tracker", "loggers", "mqtt", "quality_scale", "requirements",
    "single_config_entry", "ssdp", "usb", "version", "zeroconf",
}  # fmt: skip
HACS_ALLOWED = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch",
    "country", "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip
QUALITY_RULES = {
    # bronze
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow", "config-flow-test-coverage", "dependency-transparency",
    "docs-actions", "docs-high-level-description",
    "docs-installation-instructions", "docs-removal-instructions",
    "entity-event-setup", "entity-unique-id", "has-entity-name", "runtime-data",
    "test-before-configure", "test-before-setup", "unique-config-entry",
    # silver
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow",
    "test-coverage",
    # gold
    "devices", "diagnostics", "discovery", "discovery-update-info",
    "docs-data-update", "docs-examples", "docs-known-limitations",
    "docs-supported-devices", "docs-supported-functions", "docs-troubleshooting",
    "docs-use-cases", "dynamic-devices", "entity-category", "entity-device-class",
    "entity-disabled-by-default", "entity-translations", "exception-translations",
    "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    # platinum
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def translations() -> dict[str, Any]:
    return _load_json(PACKAGE / "translations" / "en.json")


def _python_sources() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]


def _keyword_strings(keyword: str) -> set[tuple[str, int]]:
    """Every literal string passed as ``keyword=`` anywhere in the package."""
    found: set[tuple[str, int]] = set()
    for path in _python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.keyword)
                and node.arg == keyword
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add((node.value.value, node.lineno))
    return found


def test_manifest() -> None:
    manifest = _load_json(PACKAGE / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:]), "Manifest keys are not sorted correctly"
    assert set(keys) <= MANIFEST_ALLOWED, set(keys) - MANIFEST_ALLOWED
    assert manifest["domain"] == PACKAGE.name
    for required in ("documentation", "codeowners", "iot_class", "version"):
        assert manifest.get(required), required
    assert manifest["integration_type"] == "hub"
    assert manifest["iot_class"] == "local_polling"
    assert manifest["config_flow"] is True
    assert AwesomeVersion(manifest["version"]).valid
    assert manifest["issue_tracker"].startswith("https://")
    # SQLAlchemy comes with Home Assistant: never pin a conflicting one.
    assert not any("sqlalchemy" in r.lower() for r in manifest["requirements"])


def test_hacs_json() -> None:
    hacs = _load_json(ROOT / "hacs.json")
    assert set(hacs) <= HACS_ALLOWED
    assert hacs["name"]
    assert AwesomeVersion(hacs["homeassistant"]) >= AwesomeVersion("2026.2.3")
    assert (PACKAGE / "brand" / "icon.png").is_file()


def test_no_strings_json() -> None:
    """Custom integrations ship translations/en.json only."""
    assert not (PACKAGE / "strings.json").exists()


def test_translations_have_no_core_references(translations: dict[str, Any]) -> None:
    text = json.dumps(translations)
    assert "[%key:" not in text


def test_services_documented(translations: dict[str, Any]) -> None:
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    icons = _load_json(PACKAGE / "icons.json")
    for service, spec in services.items():
        entry = translations["services"][service]
        assert entry["name"]
        assert entry["description"]
        for field in (spec or {}).get("fields", {}):
            assert entry["fields"][field]["name"], (service, field)
            assert entry["fields"][field]["description"], (service, field)
        assert icons["services"][service], service


def test_exception_keys_translated(translations: dict[str, Any]) -> None:
    used = {key for key, _ in _keyword_strings("translation_key")}
    known: set[str] = set(translations.get("exceptions", {}))
    for platform in translations.get("entity", {}).values():
        known.update(platform)
    known.update(translations.get("issues", {}))
    missing = used - known
    assert not missing, f"untranslated translation_key(s): {sorted(missing)}"
    for key, value in translations.get("exceptions", {}).items():
        assert value["message"], key


def test_every_error_text_is_used(translations: dict[str, Any]) -> None:
    """An exception or repair text that nothing raises is dead text to translate."""
    source = "\n".join(path.read_text() for path in _python_sources())
    # Keys built at run time: translation_key=f"price_unknown_{cause}".
    prefixes = set(re.findall(r'translation_key=f"([a-z_]+)\{', source))
    unused = [
        key
        for section in ("exceptions", "issues")
        for key in translations.get(section, {})
        if f'"{key}"' not in source and not key.startswith(tuple(prefixes))
    ]
    assert prefixes  # the pattern still finds the run-time keys
    assert not unused, f"translated but never raised: {unused}"


def _entity_descriptions() -> list[tuple[str, Any]]:
    """(platform, description) of every EntityDescription the package defines."""
    import importlib  # noqa: PLC0415
    import pkgutil  # noqa: PLC0415

    from homeassistant.components.binary_sensor import (  # noqa: PLC0415
        BinarySensorEntityDescription,
    )
    from homeassistant.components.button import ButtonEntityDescription  # noqa: PLC0415
    from homeassistant.components.select import SelectEntityDescription  # noqa: PLC0415
    from homeassistant.components.sensor import SensorEntityDescription  # noqa: PLC0415
    from homeassistant.components.switch import SwitchEntityDescription  # noqa: PLC0415

    import custom_components.home_miner_manager as package  # noqa: PLC0415

    platforms = {
        BinarySensorEntityDescription: "binary_sensor",
        ButtonEntityDescription: "button",
        SelectEntityDescription: "select",
        SensorEntityDescription: "sensor",
        SwitchEntityDescription: "switch",
    }
    found: dict[int, tuple[str, Any]] = {}
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                for kind, platform in platforms.items():
                    if isinstance(item, kind):
                        found[id(item)] = (platform, item)
    return list(found.values())


def test_entity_translation_keys(translations: dict[str, Any]) -> None:
    """Every entity description's translation_key has a name (any module)."""
    entity = translations.get("entity", {})
    descriptions = _entity_descriptions()
    assert len(descriptions) > 30  # the scan found the descriptions
    for platform, description in descriptions:
        key = description.translation_key
        if key is None:
            assert description.device_class is not None, description.key
            continue
        assert key in entity.get(platform, {}), (platform, key)
        assert entity[platform][key]["name"], (platform, key)


def test_config_flow_steps_translated(translations: dict[str, Any]) -> None:
    """Each error and abort reason raised in a flow has a message."""
    config = translations["config"]
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in _python_sources() if "flow" in p.stem
    )
    error_values = set(re.findall(r'errors\[[^\]]+\]\s*=\s*"([a-z_]+)"', sources))
    known_errors = set(config.get("error", {}))
    for sub in translations.get("config_subentries", {}).values():
        known_errors.update(sub.get("error", {}))
    known_errors.update(translations.get("options", {}).get("error", {}))
    assert error_values <= known_errors, error_values - known_errors
    aborts = set(re.findall(r'async_abort\(reason="([a-z_]+)"', sources))
    known_aborts = set(config.get("abort", {}))
    for sub in translations.get("config_subentries", {}).values():
        known_aborts.update(sub.get("abort", {}))
    known_aborts.update(translations.get("options", {}).get("abort", {}))
    assert aborts <= known_aborts, aborts - known_aborts


def test_quality_scale_complete() -> None:
    data = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text())
    rules = data["rules"]
    assert set(rules) == QUALITY_RULES | (
        set(rules) & {"docs-conditions", "docs-triggers"}
    )
    for rule, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] in {"done", "todo", "exempt"}, rule
            if status["status"] == "exempt":
                assert status.get("comment"), f"{rule}: exemption needs a reason"
        else:
            assert status in {"done", "todo"}, rule


def test_protocol_layer_has_no_home_assistant_import() -> None:
    """Drivers and the database layer stay independent of Home Assistant."""
    for sub in ("devices", "db"):
        for path in (PACKAGE / sub).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                else:
                    continue
                for name in names:
                    assert not name.startswith("homeassistant"), (path, name)
