"""The Octopus Energy integration (v18.3.1) as Home Assistant holds it.

Registry entries carry the integration's own unique ids
(``octopus_energy_electricity_{serial}_{mpan}[_export]_{kind}``, serial in its
own case) under platform ``octopus_energy``; entity ids are the slugified
unique ids unless the user renamed them. Event entities hold the last event's
data (``rates`` with local ``datetime`` items, ``tariff_code``, ``mpan``,
``serial_number``, min/max/average) beside ``event_types``; the rate sensors
hold GBP/kWh with ``tariff`` (not ``tariff_code``) and a ``start``/``end``
spanning the run of equal prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .strategy_support import UK, rate_items

SERIAL, MPAN = "21L1234567", "1200012345678"
EXPORT_MPAN = "1900012345678"
IMPORT_TARIFF = "E-1R-AGILE-24-10-01-C"
EXPORT_TARIFF = "E-1R-AGILE-OUTGOING-19-05-13-C"
KINDS = (
    "previous_day_rates",
    "current_day_rates",
    "next_day_rates",
    "previous_rate",
    "current_rate",
    "next_rate",
)
SLOT = timedelta(minutes=30)


def unique_id(kind: str, *, export: bool = False, mpan: str = MPAN) -> str:
    """The integration's unique id for one of a meter's entities."""
    addition = "_export" if export else ""
    return f"octopus_energy_electricity_{SERIAL}_{mpan}{addition}_{kind}"


def default_id(kind: str, *, export: bool = False, mpan: str = MPAN) -> str:
    """The entity id the integration creates (slugified unique id)."""
    domain = "sensor" if kind.endswith("_rate") else "event"
    return f"{domain}.{unique_id(kind, export=export, mpan=mpan).lower()}"


def register_meter(
    hass: HomeAssistant,
    *,
    export: bool = False,
    renamed: dict[str, str] | None = None,
) -> dict[str, str]:
    """Registry entries of one meter's entities; returns kind → entity id."""
    octopus = MockConfigEntry(domain="octopus_energy", title="Octopus Energy")
    octopus.add_to_hass(hass)
    registry = er.async_get(hass)
    mpan = EXPORT_MPAN if export else MPAN
    ids: dict[str, str] = {}
    for kind in KINDS:
        wanted = default_id(kind, export=export, mpan=mpan)
        domain, _, object_id = wanted.partition(".")
        entry = registry.async_get_or_create(
            domain,
            "octopus_energy",
            unique_id(kind, export=export, mpan=mpan),
            suggested_object_id=object_id,
            config_entry=octopus,
        )
        if renamed and kind in renamed:
            entry = registry.async_update_entity(
                entry.entity_id, new_entity_id=renamed[kind]
            )
        ids[kind] = entry.entity_id
    return ids


def day_state(
    hass: HomeAssistant,
    entity_id: str,
    start: datetime | None,
    prices_pence: Sequence[float],
    *,
    export: bool = False,
    next_day: bool = False,
) -> None:
    """An event entity after its last event (``start`` None: never fired)."""
    kind = "next" if next_day else "current"
    event_type = f"octopus_energy_electricity_{kind}_day_rates"
    attributes: dict[str, Any] = {"event_types": [event_type], "event_type": None}
    if start is None:
        hass.states.async_set(entity_id, "unknown", attributes)
        return
    items = rate_items(start, prices_pence)
    values = [item["value_inc_vat"] for item in items]
    attributes |= {
        "event_type": event_type,
        "rates": items,
        "min_rate": min(values) if values else None,
        "max_rate": max(values) if values else None,
        "average_rate": sum(values) / len(values) if values else None,
        "mpan": EXPORT_MPAN if export else MPAN,
        "serial_number": SERIAL,
        "tariff_code": EXPORT_TARIFF if export else IMPORT_TARIFF,
    }
    hass.states.async_set(entity_id, dt_util.utcnow().isoformat(), attributes)


def rate_sensor_state(
    hass: HomeAssistant,
    entity_id: str,
    start: datetime,
    end: datetime,
    pence: float,
    *,
    export: bool = False,
) -> None:
    """``sensor.*_current_rate`` showing a run of equal prices."""
    hass.states.async_set(
        entity_id,
        str(round(pence / 100, 6)),
        {
            "mpan": EXPORT_MPAN if export else MPAN,
            "serial_number": SERIAL,
            "is_export": export,
            "is_smart_meter": True,
            "tariff": EXPORT_TARIFF if export else IMPORT_TARIFF,
            "start": start.astimezone(UK),
            "end": end.astimezone(UK),
            "is_capped": False,
            "is_intelligent_adjusted": False,
            "current_day_min_rate": 0.1,
            "current_day_max_rate": 0.2,
            "current_day_average_rate": 0.15,
            "unit_of_measurement": "GBP/kWh",
            "device_class": "monetary",
            "state_class": "total",
        },
    )
