"""The hub's database URL field and its check (the config flow and the options)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ..const import CONF_DB_URL
from ..db.exceptions import (
    DatabaseConnectionError,
    DatabaseDriverMissingError,
    DatabaseError,
    DatabaseUrlError,
)
from ..hub.lifecycle import async_open_database

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant


async def async_validate_db_url(
    hass: HomeAssistant, db_url: str
) -> tuple[dict[str, str], dict[str, str]]:
    """Open and close the database; return (errors, description placeholders)."""
    try:
        database = await async_open_database(hass, db_url)
    except DatabaseDriverMissingError as err:
        return {CONF_DB_URL: "db_driver_missing"}, {"module": err.module}
    except DatabaseUrlError as err:
        return {CONF_DB_URL: "invalid_db_url"}, {"error": str(err)}
    except DatabaseConnectionError as err:
        return {CONF_DB_URL: "db_cannot_connect"}, {"error": str(err)}
    except DatabaseError as err:
        return {CONF_DB_URL: "db_unknown"}, {"error": str(err)}
    await hass.async_add_executor_job(database.close)
    return {}, {}


def db_url_schema(default: str) -> vol.Schema:
    """Return the form holding the database URL (empty: the built-in SQLite)."""
    return vol.Schema(
        {
            vol.Optional(CONF_DB_URL, default=default): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            )
        }
    )
