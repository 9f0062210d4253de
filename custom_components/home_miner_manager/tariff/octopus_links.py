"""Find the Octopus Energy integration's day-list entities for a picked entity.

Only a meter's ``event.*_current_day_rates`` / ``*_next_day_rates`` are a
price source (see :mod:`.prices.octopus_entity`). When the user picks another
entity of the same meter — typically ``sensor.*_current_rate`` — the day lists
are found through the entity registry (the integration's unique ids, so
renamed entity ids still match), then by entity id, then by the ``mpan`` and
``serial_number`` attributes. Export meters are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from homeassistant.helpers import entity_registry as er
from homeassistant.util import slugify

from ..prices.octopus_entity import (
    CURRENT_DAY_SUFFIX,
    NEXT_DAY_SUFFIX,
    is_export_tariff,
    meter_entity,
    next_day_entity_id,
    tariff_of,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant, State

    from ..prices.octopus_entity import MeterEntity

OCTOPUS_DOMAIN: Final = "octopus_energy"
PROBLEM_EXPORT: Final = "export_entity"
PROBLEM_RATE_SENSOR: Final = "rate_sensor"
PROBLEM_UNSUPPORTED: Final = "unsupported"


@dataclass(frozen=True, slots=True)
class PriceEntities:
    """The entities to read for a picked price entity, or why there are none."""

    current_day: str | None
    next_day: str | None
    problem: str | None = None  # one of the PROBLEM_* keys
    suggestion: str = ""  # the event entity to pick instead
    tariff: str | None = None  # as the entities show it now
    octopus: bool = False  # an Octopus electricity rate entity


def resolve_price_entity(hass: HomeAssistant, entity_id: str) -> PriceEntities:
    """Return the day lists of ``entity_id``'s meter (see the module docstring)."""
    domain, _, object_id = entity_id.partition(".")
    registry = er.async_get(hass)
    entry = registry.async_get(entity_id)
    meter = None
    if entry is not None and entry.platform == OCTOPUS_DOMAIN:
        meter = meter_entity(entry.unique_id)
    by_registry = meter is not None
    meter = meter or meter_entity(object_id)
    state = hass.states.get(entity_id)
    tariff = tariff_of(state.attributes) if state is not None else None
    if meter is None:
        if domain != "event":
            return PriceEntities(None, None, PROBLEM_UNSUPPORTED, tariff=tariff)
        # Not named like the integration's: read it as a day list (older options).
        problem = PROBLEM_EXPORT if is_export_tariff(tariff) else None
        return PriceEntities(
            entity_id, next_day_entity_id(entity_id), problem, tariff=tariff
        )
    if domain == "event" and meter.suffix == CURRENT_DAY_SUFFIX:
        current_day: str | None = entity_id
    else:
        current_day = _find(hass, meter, CURRENT_DAY_SUFFIX, by_registry, state)
    suggestion = current_day or _expected(registry, meter, by_registry)
    day_state = hass.states.get(current_day) if current_day else None
    if day_state is not None:
        tariff = tariff_of(day_state.attributes) or tariff
    if (
        meter.is_export
        or is_export_tariff(tariff)
        or (state is not None and state.attributes.get("is_export") is True)
    ):
        return PriceEntities(None, None, PROBLEM_EXPORT, "", tariff, octopus=True)
    if current_day is None:
        return PriceEntities(
            None, None, PROBLEM_RATE_SENSOR, suggestion, tariff, octopus=True
        )
    next_day = _find(hass, meter, NEXT_DAY_SUFFIX, by_registry, state)
    if next_day is None:
        next_day = next_day_entity_id(current_day)
    return PriceEntities(current_day, next_day, None, current_day, tariff, True)


def _expected(
    registry: er.EntityRegistry, meter: MeterEntity, by_registry: bool
) -> str:
    """Return the current-day entity's id, even if disabled or not loaded."""
    unique_id = meter.sibling(CURRENT_DAY_SUFFIX)
    if by_registry:
        found = registry.async_get_entity_id("event", OCTOPUS_DOMAIN, unique_id)
        if found is not None:
            return found
    return f"event.{slugify(unique_id)}"


def _usable(hass: HomeAssistant, entity_id: str) -> bool:
    """Return True when the entity exists and is not disabled."""
    entry = er.async_get(hass).async_get(entity_id)
    if entry is not None:
        return entry.disabled_by is None
    return hass.states.get(entity_id) is not None


def _find(
    hass: HomeAssistant,
    meter: MeterEntity,
    suffix: str,
    by_registry: bool,
    state: State | None,
) -> str | None:
    """Return the meter's event entity with ``suffix`` (registry, id, attributes)."""
    registry = er.async_get(hass)
    unique_id = meter.sibling(suffix)
    if by_registry:
        found = registry.async_get_entity_id("event", OCTOPUS_DOMAIN, unique_id)
        if found is not None:
            return found if _usable(hass, found) else None
    candidate = f"event.{slugify(unique_id)}"
    if _usable(hass, candidate):
        return candidate
    if state is None:
        return None
    mpan, serial = state.attributes.get("mpan"), state.attributes.get("serial_number")
    if mpan is None or serial is None:
        return None
    for other in hass.states.async_all("event"):
        entry = registry.async_get(other.entity_id)
        key = entry.unique_id if entry is not None else other.entity_id
        if (
            key.endswith(suffix)
            and str(other.attributes.get("mpan")) == str(mpan)
            and str(other.attributes.get("serial_number")) == str(serial)
        ):
            return other.entity_id
    return None
