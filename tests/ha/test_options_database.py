"""The options' database step on a real PostgreSQL server: secrets stay secret
and are never replaced by the mask the form shows."""

from __future__ import annotations

import json
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from sqlalchemy import make_url

from custom_components.home_miner_manager.const import (
    CONF_DB_URL,
    CONF_TELEMETRY_DAYS,
    DEFAULT_RETENTION,
    DOMAIN,
)
from custom_components.home_miner_manager.db.models import AuditLog

from .conftest import rows

# libpq reads sslpassword only for an encrypted client key; with sslmode=disable
# it is accepted and unused, which is all these tests need.
SSL_PASSWORD = "client-key-pass-9431"


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    """The test database's URL, with a secret query option as well."""
    return f"{postgres_url}?sslmode=disable&sslpassword={SSL_PASSWORD}"


def _password(url: str) -> str:
    password = make_url(url).password
    assert password
    return str(password)


async def _hub(hass: HomeAssistant, url: str) -> MockConfigEntry:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_DB_URL: url})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def _database_step(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "database"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "database"
    return result


def _shown_url(result: Any) -> str:
    return str(result["data_schema"]({})[CONF_DB_URL])


async def test_unchanged_masked_url_keeps_the_real_password(
    hass: HomeAssistant, pg_url: str
) -> None:
    """The form shows the URL masked; saving it unchanged keeps the secrets."""
    entry = await _hub(hass, pg_url)
    database = entry.runtime_data.database
    result = await _database_step(hass, entry)
    shown = _shown_url(result)
    assert _password(pg_url) not in shown
    assert SSL_PASSWORD not in shown
    assert shown.count("***") == 2  # the password and sslpassword
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**DEFAULT_RETENTION, CONF_DB_URL: shown, CONF_TELEMETRY_DAYS: 5},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options[CONF_DB_URL] == pg_url
    assert entry.options[CONF_TELEMETRY_DAYS] == 5
    # Same database: nothing to reconnect for a retention change.
    assert entry.runtime_data.database is database
    # And the stored URL really logs in (a reload opens it afresh).
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.database.dialect == "postgresql"
    audit = json.dumps([row.changes for row in await rows(hass, entry, AuditLog)])
    assert _password(pg_url) not in audit
    assert SSL_PASSWORD not in audit
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_edited_url_keeps_the_masked_secrets(
    hass: HomeAssistant, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Another option added to the shown URL: the masks still mean "keep"."""
    caplog.set_level(logging.DEBUG)
    entry = await _hub(hass, pg_url)
    result = await _database_step(hass, entry)
    edited = _shown_url(result) + "&application_name=hmm"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_RETENTION, CONF_DB_URL: edited}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done(wait_background_tasks=True)
    stored = make_url(entry.options[CONF_DB_URL])
    assert stored.password == _password(pg_url)
    assert stored.query["sslpassword"] == SSL_PASSWORD
    assert stored.query["application_name"] == "hmm"
    assert entry.state is ConfigEntryState.LOADED
    assert "***" not in entry.options[CONF_DB_URL]
    assert _password(pg_url) not in caplog.text
    assert SSL_PASSWORD not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_masked_password_is_not_sent_to_another_server(
    hass: HomeAssistant, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A mask left in a URL naming another server is not the stored secret."""
    caplog.set_level(logging.DEBUG)
    entry = await _hub(hass, pg_url)
    result = await _database_step(hass, entry)
    other_user = _shown_url(result).replace("hmm_test:", "someone_else:", 1)
    assert other_user != _shown_url(result)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**DEFAULT_RETENTION, CONF_DB_URL: other_user}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_DB_URL: "db_cannot_connect"}
    assert CONF_DB_URL not in entry.options
    assert _password(pg_url) not in json.dumps(result, default=str)
    assert _password(pg_url) not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_mask_every_secret_of_the_url(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    pg_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """sslpassword is masked like the password, in diagnostics and logs."""
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await _hub(hass, pg_url)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diag)
    assert diag["database"]["url"].count("***") == 2
    assert "sslmode=disable" in diag["database"]["url"]
    for secret in (_password(pg_url), SSL_PASSWORD):
        assert secret not in text
        assert secret not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)
