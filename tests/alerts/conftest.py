"""Pure-function tests: no Home Assistant instance is needed."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the suite-wide fixture so no ``hass`` is started here."""
