"""Which tariff source an entity is, from the entity itself.

Input is what Home Assistant knows of it: the entity id, the registry's
platform and unique id (None for an entity without one) and the state's
attributes. Output is a :class:`SourceKind` or None (not a price source).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final

from . import amber, entsoe, generic, nordpool, tibber
from .octopus_entity import ELECTRICITY_PREFIX

OCTOPUS_PLATFORM: Final = "octopus_energy"


class SourceKind(StrEnum):
    """A tariff source; the value also names it in attributes and the README."""

    OCTOPUS = "octopus_energy"
    NORDPOOL = "nordpool"
    TIBBER = "tibber"
    AMBER = "amberelectric"
    ENTSOE = "entsoe"
    GENERIC = "generic"


# energy_prices.region is one letter: Octopus regions are A-P without I and O;
# the other sources each get a letter no Octopus region uses.
STORE_KEYS: Final = {
    SourceKind.NORDPOOL: "Q",
    SourceKind.TIBBER: "T",
    SourceKind.AMBER: "U",
    SourceKind.ENTSOE: "W",
    SourceKind.GENERIC: "X",
}
ACTION_KINDS: Final = frozenset({SourceKind.NORDPOOL, SourceKind.TIBBER})
_BY_PLATFORM: Final = {
    nordpool.DOMAIN: SourceKind.NORDPOOL,
    tibber.DOMAIN: SourceKind.TIBBER,
    amber.DOMAIN: SourceKind.AMBER,
    entsoe.DOMAIN: SourceKind.ENTSOE,
    OCTOPUS_PLATFORM: SourceKind.OCTOPUS,
}


def detect_source(
    entity_id: str,
    platform: str | None,
    attributes: Mapping[str, Any] | None,
) -> SourceKind | None:
    """Return the source kind of an entity (see the module docstring)."""
    domain, _, object_id = entity_id.partition(".")
    if platform in _BY_PLATFORM:
        return _BY_PLATFORM[platform]
    if object_id.startswith(ELECTRICITY_PREFIX) or domain == "event":
        return SourceKind.OCTOPUS  # Octopus's day lists (also older options)
    attrs = attributes or {}
    if domain != "sensor":
        return None
    # Without a registry entry (YAML, templates, restored): the attributes tell.
    forecasts = attrs.get("forecasts")
    if isinstance(forecasts, list) and any(
        isinstance(i, Mapping) and "per_kwh" in i for i in forecasts
    ):
        return SourceKind.AMBER
    if "prices_today" in attrs and "prices_tomorrow" in attrs:
        return SourceKind.ENTSOE
    if generic.price_lists(attrs):
        return SourceKind.GENERIC
    return None
