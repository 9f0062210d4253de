"""The monitor services import only downwards (issue 14's layers).

``monitor/`` (health scores, alerts, notifications, rules) takes what it
needs through its constructors: it imports the services below it (tariff,
pool, miner), the shared helpers and the plain packages, never the runtime
data, the strategy or anything of the entry, not even for type checking.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_miner_pool_layers import PACKAGE, _imports

BELOW = (
    "monitor",
    "tariff",
    "pool",
    "miner",
    "audit",
    "errors",
    "failure_log",
    "pacer",
    "const",
    "compat",
    "devices",
    "db",
    "pools",
    "prices",
    "strategy",
    "health",
    "alerts",
    "notifications",
)


@pytest.mark.parametrize(
    "path", sorted((PACKAGE / "monitor").glob("*.py")), ids=lambda p: p.name
)
def test_no_import_points_up(path: Path) -> None:
    imports = _imports(path)
    up = sorted({name for name, _ in imports if name.split(".")[0] not in BELOW})
    assert up == [], f"{path.name} imports a higher layer"
    assert [name for name, local in imports if local] == [], "import in a function"
