"""The ready-made "Home Miner Manager" dashboard, as plain data.

No Home Assistant import: :func:`build_dashboard` turns the fleet (miners,
pools and hub entities by key, price bands) into a Lovelace configuration
made of Home Assistant's own cards only. The glue (``hub/dashboard.py``)
reads the registries and serves the result to the dashboard strategy.
"""

from .cards import build_dashboard
from .model import BandInfo, DashboardInput, DeviceEntities

__all__ = ["BandInfo", "DashboardInput", "DeviceEntities", "build_dashboard"]
