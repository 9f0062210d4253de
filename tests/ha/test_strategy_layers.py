"""The strategy's services import only downwards (issue 14's layers).

``agile/`` is built from explicit dependencies (the price coordinator, the
database, the miner coordinators): it never imports the runtime data, the
entities or the entry layer, not even for type checking, never reads
``entry.runtime_data``, and has no base class left to fill in
(``NotImplementedError``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_miner_pool_layers import PACKAGE, _imports
from tests.test_monitor_layers import BELOW

# What the monitor may import, less the monitor itself, plus the strategy.
ALLOWED = {*BELOW, "agile"} - {"monitor"}


@pytest.mark.parametrize(
    "path", sorted((PACKAGE / "agile").glob("*.py")), ids=lambda p: p.name
)
def test_agile_imports_only_downwards(path: Path) -> None:
    imports = _imports(path)
    assert [name for name, _ in imports if name.split(".")[0] not in ALLOWED] == []
    assert [name for name, local in imports if local] == [], "import in a function"
    text = path.read_text(encoding="utf-8")
    assert "runtime_data" not in text
    assert "NotImplementedError" not in text
