"""Every import of the package points down its layers (README, "Code layout").

Read from the source (every ``from . import`` / ``from .. import``, type
checking ones included): a module may import its own folder, its own layer's
other modules, or any lower layer; the services never read the hub's runtime
data (it is built from them); no import hides in a function to dodge a cycle;
the plain packages import nothing of Home Assistant.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "custom_components" / "home_miner_manager"

# Highest first. A top-level module or folder stands on one of these floors.
LAYERS: tuple[tuple[str, ...], ...] = (
    # Home Assistant's entry points and what only they use.
    (
        "__init__",
        "config_flow",
        "services",
        "diagnostics",
        "logbook",
        "device_trigger",
        "device_action",
        "device_condition",
        "device_links",
        "hub",
        "flows",
        "options",
        "actions",
        "importer",
        "assist",
    ),
    ("sensor", "select", "switch", "button", "binary_sensor", "calendar"),
    ("entities",),
    ("entity",),
    ("data",),
    ("agile",),
    ("monitor",),
    ("tariff",),
    ("pool",),
    ("miner",),
    ("audit", "errors", "failure_log", "pacer"),
    ("const", "compat"),
    (
        "devices",
        "db",
        "pools",
        "prices",
        "strategy",
        "health",
        "alerts",
        "notifications",
        "hmm_import",
        "dashboard",
    ),
)
FLOOR = {
    part: len(LAYERS) - index for index, parts in enumerate(LAYERS) for part in parts
}
SERVICES = ("agile", "monitor", "tariff", "pool", "miner")
PLAIN = LAYERS[-1]
# Beside the miner coordinator, describing the miner by a Protocol of their own.
MINER_HELPERS = ("pool_switch.py", "restart_watch.py", "recorder.py", "runtime.py")


@dataclass(frozen=True, slots=True)
class Import:
    """One import of a module: what it names and where it stands."""

    module: str  # dotted, inside the package ("" for the package itself)
    in_function: bool


def _part(module: str) -> str:
    """The top-level module or folder a dotted name belongs to."""
    return module.split(".", maxsplit=1)[0] or "__init__"


def _modules() -> list[Path]:
    return sorted(
        path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts
    )


def _imports(path: Path) -> tuple[list[Import], list[str]]:
    """Return the package imports of ``path`` and the absolute modules it imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    here = path.relative_to(PACKAGE).parent.parts
    found: list[Import] = []
    absolute: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            absolute += [alias.name for alias in node.names]
            continue
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0:
            absolute.append(node.module or "")
            continue
        base = list(here[: len(here) - node.level + 1])
        if node.module:
            names = [".".join([*base, *node.module.split(".")])]
        else:  # from .. import const
            names = [".".join([*base, alias.name]) for alias in node.names]
        found += [Import(name, id(node) in in_function) for name in names]
    return found, absolute


def _id(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def test_every_part_has_a_floor() -> None:
    parts = {
        _part(".".join(p.relative_to(PACKAGE).with_suffix("").parts))
        for p in _modules()
    }
    assert parts - set(FLOOR) == set(), "a new module or folder: give it a layer"


@pytest.mark.parametrize("path", _modules(), ids=_id)
def test_imports_point_down(path: Path) -> None:
    own = _part(".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    imports, absolute = _imports(path)
    up = [
        found.module
        for found in imports
        if _part(found.module) != own and FLOOR[_part(found.module)] > FLOOR[own]
    ]
    assert up == [], f"{_id(path)} imports a higher layer"
    # Cycles are broken with a Protocol or a callable, never by hiding an import.
    assert [found.module for found in imports if found.in_function] == []
    if own in SERVICES:
        assert "runtime_data" not in path.read_text(encoding="utf-8")
        assert "NotImplementedError" not in path.read_text(encoding="utf-8")
    if own == "miner" and path.name in MINER_HELPERS:
        assert "miner.coordinator" not in {found.module for found in imports}
    if own in PLAIN:
        assert [name for name in absolute if name.startswith("homeassistant")] == []
    assert [name for name in absolute if name.startswith("custom_components")] == []
