"""Shared fixtures.

``custom_components.home_miner_manager`` must be imported before anything else,
or Home Assistant picks up the test package's folder instead.
"""

from __future__ import annotations

import pytest

import custom_components.home_miner_manager  # noqa: F401  (must come first)

pytest_plugins = [
    "tests.plugins.network_guard",
    "tests.plugins.simulators",
    "tests.plugins.postgres",
]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load our integration in every test."""
