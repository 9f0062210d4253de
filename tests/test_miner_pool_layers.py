"""The miner and pool services import only downwards (issue 14's layers).

``pool/`` may import ``miner/``, never the reverse; neither imports the
runtime data or anything above it, not even for type checking, nor reads
``entry.runtime_data``; the helpers beside the miner coordinator do not
import it back; and no import hides in a function to dodge a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "custom_components" / "home_miner_manager"
ABOVE = (
    "data",
    "entity",
    "entities",
    "hub",
    "flows",
    "options",
    "agile",
    "monitor",
    "tariff",
)
MINER_HELPERS = ("pool_switch.py", "restart_watch.py", "recorder.py", "runtime.py")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Return (module inside the package, imported in a function) per import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function = {
        id(node)
        for func in ast.walk(tree)
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(func)
    }
    here = path.relative_to(PACKAGE).parent.parts
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = list(here[: len(here) - node.level + 1])
        module = [*base, *(node.module or "").split(".")] if node.module else base
        names = [".".join(filter(None, module))]
        if not node.module:  # from .. import const
            names = [".".join([*base, alias.name]) for alias in node.names]
        found += [(name, id(node) in in_function) for name in names]
    return found


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).glob("*.py"))


@pytest.mark.parametrize(
    "path",
    [*_files("miner"), *_files("pool")],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_import_points_up(path: Path) -> None:
    imports = _imports(path)
    up = [name for name, _ in imports if name.split(".")[0] in ABOVE]
    assert up == [], f"{path.name} imports a higher layer"
    if path.parent.name == "miner":
        assert [name for name, _ in imports if name.startswith("pool.")] == []
        if path.name in MINER_HELPERS:
            assert "miner.coordinator" not in {name for name, _ in imports}
    assert [name for name, local in imports if local] == [], "import in a function"
    # The hub's runtime data is built from these services, never read by them.
    assert "runtime_data" not in path.read_text(encoding="utf-8")
