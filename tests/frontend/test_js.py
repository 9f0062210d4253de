"""Run the frontend module's tests with Node (``node --test``)."""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess

import pytest

HERE = Path(__file__).parent


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_dashboard_strategy_module() -> None:
    """The strategy generates through the integration and creates the dashboard once."""
    result = subprocess.run(
        ["node", "--test", str(HERE / "hmm_dashboard.test.mjs")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
