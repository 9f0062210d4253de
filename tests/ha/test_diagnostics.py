"""Diagnostics, and secrets staying out of diagnostics, logs, states and the DB."""

from __future__ import annotations

import json
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.migrations import SCHEMA_VERSION
from custom_components.home_miner_manager.db.models import AuditLog, Telemetry
from hmm_sim import CgminerSimulator
from tests.plugins.simulators import AVALON_WEB_PASSWORD

from .conftest import HubFactory, miner_subentry, rows


async def test_secrets_never_leak(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    caplog: pytest.LogCaptureFixture,
    db_url: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    # A pool with a real password, as the device would hold it.
    pool_password = "pool-secret-7731"
    avalon_sim.device.pools[0]["password"] = pool_password
    entry = await setup_hub(
        [miner_subentry(avalon_sim, "avalon_nano", web_password=AVALON_WEB_PASSWORD)]
    )
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert coordinator.last_update_success
    secrets = {AVALON_WEB_PASSWORD, pool_password}

    hub_diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, coordinator.device_identifier)}
    )
    assert device is not None
    device_diag = await get_diagnostics_for_device(hass, hass_client, entry, device)
    hub_device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, entry.entry_id)}
    )
    assert hub_device is not None
    hub_device_diag = await get_diagnostics_for_device(
        hass, hass_client, entry, hub_device
    )

    assert hub_diag["miner_count"] == 1
    assert hub_diag["database"]["dialect"] == "sqlite"
    assert hub_diag["database"]["schema_version"] == SCHEMA_VERSION
    assert device_diag["subentry"]["web_password"] == "**REDACTED**"
    # The hub's own device shows the hub's diagnostics.
    assert hub_device_diag["miner_count"] == 1
    assert device_diag["snapshot"]["hashrate"] == coordinator.data.hashrate
    states = [
        json.dumps({"state": s.state, "attributes": dict(s.attributes)}, default=str)
        for s in hass.states.async_all()
    ]
    telemetry = [json.dumps(row.data) for row in await rows(hass, entry, Telemetry)]
    audit = [json.dumps(row.changes) for row in await rows(hass, entry, AuditLog)]
    for secret in secrets:
        assert secret not in json.dumps(hub_diag)
        assert secret not in json.dumps(device_diag)
        assert secret not in json.dumps(hub_device_diag)
        assert secret not in caplog.text
        assert not any(secret in text for text in [*states, *telemetry, *audit])


async def test_database_password_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: PLC0415

    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    entry = MockConfigEntry(domain=DOMAIN, data={"db_url": postgres_url})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    password = postgres_url.split(":")[2].split("@", maxsplit=1)[0]
    diag: dict[str, Any] = await get_diagnostics_for_config_entry(
        hass, hass_client, entry
    )
    assert diag["database"]["dialect"] == "postgresql"
    assert password not in json.dumps(diag)
    assert password not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def _all_text(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entry: Any
) -> str:
    """Diagnostics, states, telemetry and audit rows, as one searchable text."""
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    states = [
        json.dumps({"state": s.state, "attributes": dict(s.attributes)}, default=str)
        for s in hass.states.async_all()
    ]
    telemetry = [json.dumps(row.data) for row in await rows(hass, entry, Telemetry)]
    audit = [
        json.dumps([row.changes, row.error_message])
        for row in await rows(hass, entry, AuditLog)
    ]
    return "\n".join([json.dumps(diag), *states, *telemetry, *audit])


async def test_pool_user_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
) -> None:
    """The pool user is a wallet address: not in diagnostics, nor as a URL part."""
    assert await async_setup_component(hass, "diagnostics", {})
    wallet = "bc1qownerwalletaddress"
    avalon_sim.device.pools[0]["user"] = f"{wallet}.nano"
    entry = await setup_hub([miner_subentry(avalon_sim, "avalon_nano")])
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert coordinator.data.extras.get("pool_user") == f"{wallet}.nano"
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert wallet not in json.dumps(diag)
    assert diag["miners"][0]["snapshot"]["extras"]["pool_user"] == "**REDACTED**"


async def test_changed_avalon_password_never_stored(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Secrets are checked where they change, not only where they arrive."""
    from homeassistant.config_entries import SOURCE_RECONFIGURE  # noqa: PLC0415

    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    entry = await setup_hub(
        [miner_subentry(avalon_sim, "avalon_nano", web_password=AVALON_WEB_PASSWORD)]
    )
    (subentry_id,) = entry.subentries
    for new_password in ("new-secret-5551", "newer-secret-8812"):
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, "miner"),
            context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {
                "name": "Nano",
                "host": avalon_sim.host,
                "port": avalon_sim.port,
                "scan_interval": 30,
                "web_password": new_password,
            },
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        assert result["reason"] == "reconfigure_successful"
        assert entry.subentries[subentry_id].data["web_password"] == new_password
    changes = [
        row.changes
        for row in await rows(hass, entry, AuditLog)
        if row.action == "miner_reconfigured"
    ]
    assert [c["web_password"] for c in changes if c] == ["changed", "changed"]
    text = await _all_text(hass, hass_client, entry)
    for secret in (AVALON_WEB_PASSWORD, "new-secret-5551", "newer-secret-8812"):
        assert secret not in text
        assert secret not in caplog.text


async def test_database_url_from_options_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    postgres_url: str,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A URL saved through the options (not entry.data) is masked too."""
    from pytest_homeassistant_custom_component.common import MockConfigEntry  # noqa: PLC0415

    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    entry = MockConfigEntry(
        domain=DOMAIN, data={"db_url": db_url}, options={"db_url": postgres_url}
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    password = postgres_url.split(":")[2].split("@", maxsplit=1)[0]
    diag: dict[str, Any] = await get_diagnostics_for_config_entry(
        hass, hass_client, entry
    )
    assert diag["database"]["dialect"] == "postgresql"
    assert "***" in diag["database"]["url"]
    assert password not in json.dumps(diag)
    assert password not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)
