"""What the hub options' areas share: the flow's draft, saving, auditing.

Each area module (database.py, pools.py, prices.py, strategy.py, bands.py,
alerts.py, channels.py) holds the steps of one menu entry as functions of the
flow; ``flow.py`` hands each step to its area in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..audit import async_actor, queue_audit

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult, OptionsFlow

    from ..alerts import AlertType
    from ..data import HubData


@dataclass(slots=True)
class OptionsDraft:
    """What one options flow remembers between its steps."""

    band_id: int | None = None  # the band being edited; None adds one
    alert_type: AlertType | None = None
    channel_id: int | None = None  # the channel being edited; None adds one
    channel_type: str = ""


def hub_data(flow: OptionsFlow) -> HubData:
    """Return the running hub the flow edits."""
    data: HubData = flow.config_entry.runtime_data
    return data


def save(flow: OptionsFlow, values: dict[str, Any]) -> ConfigFlowResult:
    """Store ``values`` merged into the other options."""
    return flow.async_create_entry(data={**flow.config_entry.options, **values})


def unchanged(flow: OptionsFlow) -> ConfigFlowResult:
    """End a step that saved through the running hub: the options stay as they are."""
    return save(flow, {})


async def async_audit(
    flow: OptionsFlow, action: str, resource: str, name: str, changes: dict[str, Any]
) -> None:
    """Write an audit row for a change saved through the running hub."""
    queue_audit(
        hub_data(flow).database,
        actor=await async_actor(flow.hass),
        action=action,
        resource_id=None,
        resource_name=name,
        changes=changes,
        resource_type=resource,
    )
