"""The hub's runtime data is built whole: every service there from set-up.

``HubData`` holds each service as a required field (no ``X | None = None``),
and no module assigns a service to the runtime data after it is made.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from custom_components.home_miner_manager.data import HubData

PACKAGE = Path(__file__).parent.parent / "custom_components" / "home_miner_manager"
SERVICES = (
    "fleet",
    "pool_fleet",
    "share_tracker",
    "prices",
    "strategy",
    "crypto",
    "health",
    "notifier",
    "alerts",
    "rules",
)


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_field_is_required(name: str) -> None:
    field = {f.name: f for f in dataclasses.fields(HubData)}[name]
    assert field.init
    assert field.default is dataclasses.MISSING
    assert field.default_factory is dataclasses.MISSING
    assert "None" not in str(field.type)


def _later_assignments(path: Path) -> list[str]:
    """Return ``<x>.<service> = ...`` lines where ``<x>`` is the runtime data."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if not (isinstance(target, ast.Attribute) and target.attr in SERVICES):
                continue
            owner = ast.unparse(target.value)
            if owner in {"hub", "runtime", "entry.runtime_data"}:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_no_module_fills_the_runtime_data_later() -> None:
    found = [
        where
        for path in sorted(PACKAGE.rglob("*.py"))
        for where in _later_assignments(path)
    ]
    assert found == []
