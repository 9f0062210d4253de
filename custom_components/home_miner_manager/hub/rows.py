"""Subentries linked to their database rows (miners, pools)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigSubentry
    from homeassistant.core import HomeAssistant
    from sqlalchemy.orm import Session

    from ..data import HMMConfigEntry


async def async_save_rows[R](
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    subentries: list[ConfigSubentry],
    *,
    rows: list[R],
    save: Callable[[Session, list[R]], list[int]],
    id_key: str,
) -> list[int]:
    """Write subentries' rows in one database job; remember each row id.

    The id goes into the subentry's data under ``id_key`` (``miner_id``,
    ``pool_id``), so the link to the row survives renames and restarts.
    """
    ids = await entry.runtime_data.database.async_run(
        lambda session: save(session, rows)
    )
    for subentry, row_id in zip(subentries, ids, strict=True):
        if subentry.data.get(id_key) != row_id:
            hass.config_entries.async_update_subentry(
                entry, subentry, data={**subentry.data, id_key: row_id}
            )
    return ids
