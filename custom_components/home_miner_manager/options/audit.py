"""Audit rows for changes of the hub's options (who changed which setting)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback

from ..audit import async_actor, queue_audit
from ..const import CONF_DB_URL, LOGGER
from ..db.engine import redact_url
from ..db.exceptions import DatabaseError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.core import CALLBACK_TYPE

    from ..data import HMMConfigEntry

RESOURCE_HUB: Final = "hub_options"


def _shown(key: str, value: Any) -> Any:
    # A database URL may hold a password.
    if key == CONF_DB_URL and isinstance(value, str) and value:
        return redact_url(value)
    return value


def options_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``{option: {"old": x, "new": y}}`` for options that changed."""
    return {
        key: {"old": _shown(key, old.get(key)), "new": _shown(key, new.get(key))}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }


@callback
def async_track_options(hass: HomeAssistant, entry: HMMConfigEntry) -> CALLBACK_TYPE:
    """Write an AuditLog row whenever the hub options change."""
    seen = dict(entry.options)

    async def _async_updated(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
        nonlocal seen
        changes = options_changes(seen, entry.options)
        seen = dict(entry.options)
        if not changes or entry.runtime_data.closed:
            return
        actor = await async_actor(hass)
        try:
            queue_audit(
                entry.runtime_data.database,
                actor=actor,
                action="hub_options_updated",
                resource_id=None,
                resource_name=entry.title,
                changes=changes,
                resource_type=RESOURCE_HUB,
            )
        except DatabaseError as err:  # closing for a reload with a new URL
            LOGGER.debug("Options change not audited: %s", err)

    return entry.add_update_listener(_async_updated)
