"""Hub config flow and options flow, against real databases."""

from __future__ import annotations

import logging
from pathlib import Path
import socket

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.home_miner_manager.const import (
    CONF_DB_URL,
    CONF_TELEMETRY_DAYS,
    DEFAULT_RETENTION,
    DOMAIN,
)

from .conftest import HubFactory


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _submit(hass: HomeAssistant, db_url: str) -> dict:  # type: ignore[type-arg]
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.flow.async_configure(  # type: ignore[return-value]
        result["flow_id"], {CONF_DB_URL: db_url}
    )


async def test_default_sqlite_in_config_folder(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    hass.config.config_dir = str(tmp_path)
    result = await _submit(hass, "")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_DB_URL: ""}
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (tmp_path / "home_miner_manager.db").exists()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is ConfigEntryState.LOADED
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_explicit_sqlite_url(hass: HomeAssistant, db_url: str) -> None:
    result = await _submit(hass, db_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_DB_URL: db_url}
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("db_url", "error"),
    [
        ("not a url at all", "invalid_db_url"),
        ("oracle://user:pw@host/db", "invalid_db_url"),
        ("sqlite://", "invalid_db_url"),
        # mysqlclient is not installed (PyMySQL is, for the MariaDB tests).
        ("mysql+mysqldb://user:secret-pw@127.0.0.1/miners", "db_driver_missing"),
    ],
)
async def test_bad_urls(
    hass: HomeAssistant, db_url: str, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    result = await _submit(hass, db_url)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DB_URL: error}
    assert "secret-pw" not in caplog.text
    assert "Traceback" not in caplog.text
    assert not hass.config_entries.async_entries(DOMAIN)


async def test_unreachable_postgres(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, socket_enabled: None
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"postgresql://hmm:very-secret@127.0.0.1:{_closed_port()}/miners"
    result = await _submit(hass, url)
    assert result["errors"] == {CONF_DB_URL: "db_cannot_connect"}
    assert "very-secret" not in caplog.text
    assert "very-secret" not in str(result.get("description_placeholders"))


async def test_postgres_hub(hass: HomeAssistant, postgres_url: str) -> None:
    result = await _submit(hass, postgres_url)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.database.dialect == "postgresql"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_single_instance(hass: HomeAssistant, setup_hub: HubFactory) -> None:
    await setup_hub()
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "single_instance_allowed"


async def test_options_retention_without_reload(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    entry = await setup_hub()
    database = entry.runtime_data.database
    result = await hass.config_entries.options.async_init(entry.entry_id)
    # init is a menu: database and retention are one of its steps.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "database"}
    )
    assert result["type"] is FlowResultType.FORM
    # The stored URL is offered masked; submitting it unchanged keeps it.
    schema = result["data_schema"]
    assert schema is not None
    shown = schema({})[CONF_DB_URL]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**DEFAULT_RETENTION, CONF_DB_URL: shown, CONF_TELEMETRY_DAYS: 3},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options[CONF_TELEMETRY_DAYS] == 3
    assert entry.options[CONF_DB_URL] == entry.data[CONF_DB_URL]
    # Same database object: retention needs no reload.
    assert entry.runtime_data.database is database


async def test_options_new_database_reloads(
    hass: HomeAssistant, setup_hub: HubFactory, tmp_path: Path
) -> None:
    entry = await setup_hub()
    old = entry.runtime_data.database
    new_url = f"sqlite:///{tmp_path / 'other.db'}"
    result = await hass.config_entries.options.async_init(entry.entry_id)
    # init is a menu: database and retention are one of its steps.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "database"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_RETENTION, CONF_DB_URL: new_url}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.database is not old
    assert (tmp_path / "other.db").exists()


async def test_options_bad_database(hass: HomeAssistant, setup_hub: HubFactory) -> None:
    entry = await setup_hub()
    result = await hass.config_entries.options.async_init(entry.entry_id)
    # init is a menu: database and retention are one of its steps.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "database"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_RETENTION, CONF_DB_URL: "oracle://x@y/z"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DB_URL: "invalid_db_url"}
    # What was typed comes back, so one typo is fixed without retyping it all;
    # so does a changed retention value.
    typed = "postgresql://hmm:pa55@127.0.0.1:1/miners?x"
    days = {**DEFAULT_RETENTION, "event_days": 12}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**days, CONF_DB_URL: typed}
    )
    assert result["errors"] == {CONF_DB_URL: "db_cannot_connect"}
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults[CONF_DB_URL] == typed
    assert defaults["event_days"] == 12
    # The stored URL is unchanged until a valid one is saved.
    assert CONF_DB_URL not in entry.options


async def test_user_step_keeps_typed_url(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    url = f"postgresql://hmm:very-secret@127.0.0.1:{_closed_port()}/miners"
    result = await _submit(hass, url)
    assert result["errors"] == {CONF_DB_URL: "db_cannot_connect"}
    (key,) = result["data_schema"].schema
    assert key.default() == url


async def test_setup_retries_when_database_unreachable(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_DB_URL: f"postgresql://u:pw@127.0.0.1:{_closed_port()}/x"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "pw@" not in entry.reason
