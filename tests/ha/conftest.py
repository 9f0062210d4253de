"""Fixtures for the Home Assistant glue tests: a hub entry on a real SQLite file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from pathlib import Path
import socket
from types import MappingProxyType
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigSubentry,
    ConfigSubentryData,
)
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from sqlalchemy import select
from sqlalchemy.orm import Session

from custom_components.home_miner_manager import const
from custom_components.home_miner_manager.const import (
    CONF_DB_URL,
    DOMAIN,
    SUBENTRY_MINER,
)
from custom_components.home_miner_manager.db.base import Base
from custom_components.home_miner_manager.pool import best_shares as share_tracker
from custom_components.home_miner_manager.pools.network import StatsSource
from hmm_sim.base import Simulator

BITAXE_UID = "mac:2c:54:91:88:c9:e5"  # bitaxe_v2_15 simulator
NERDQAXE_UID = "mac:b4:3a:45:a2:3e:44"  # nerdqaxe_pp simulator
# No default statistics server: a coin without a source is never requested.
NO_STATS_SOURCES: Mapping[str, StatsSource] = MappingProxyType({})


@pytest.fixture
def all_entities_enabled() -> Iterator[None]:
    """Enable entities that are disabled by default (to read every value)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture(autouse=True)
def _local_nmminer_listener(
    monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> None:
    """Never bind 0.0.0.0:12345 in tests; wait only briefly for broadcasts.

    Every loaded hub binds its real UDP listener (on a free 127.0.0.1 port),
    hence sockets for every test here; pytest-homeassistant-custom-component
    still refuses connections to anything but 127.0.0.1.
    """
    monkeypatch.setattr(const, "NMMINER_LISTEN_HOST", "127.0.0.1")
    monkeypatch.setattr(const, "NMMINER_LISTEN_PORT", 0)
    monkeypatch.setattr(const, "NMMINER_DISCOVERY_WAIT_S", 0.2)
    # Discovery probes a closed port unless a test points it at a simulator
    # (never whatever may listen on 127.0.0.1:80 or :4028).
    monkeypatch.setattr(const, "DISCOVERY_PROBE_PORT", closed_port())
    # Network difficulties: the default statistics server (solopool.org) is
    # off, so nothing is even requested; tests that want figures start a
    # local stats server and set the hub option.
    monkeypatch.setattr(share_tracker, "SOLOPOOL_SOURCES", NO_STATS_SOURCES)


def closed_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file per test."""
    return f"sqlite:///{tmp_path / 'hmm.db'}"


def miner_subentry(
    sim: Simulator,
    miner_type: str,
    *,
    title: str = "Miner",
    unique_id: str | None = None,
    **extra: Any,
) -> ConfigSubentryData:
    """Subentry data for a miner simulator."""
    data: dict[str, Any] = {
        "name": title,
        "miner_type": miner_type,
        "host": sim.host,
        "port": sim.port,
        "scan_interval": 30,
        "enabled": True,
        **extra,
    }
    return ConfigSubentryData(
        data=data, subentry_type=SUBENTRY_MINER, title=title, unique_id=unique_id
    )


def add_subentry(
    hass: HomeAssistant, entry: MockConfigEntry, data: ConfigSubentryData
) -> None:
    """Add a subentry to a loaded hub, as its flow would (no reload)."""
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(data["data"]),
            subentry_type=data["subentry_type"],
            title=data["title"],
            unique_id=data["unique_id"],
        ),
    )


type HubFactory = Callable[..., Awaitable[MockConfigEntry]]


@pytest.fixture
def setup_hub(hass: HomeAssistant, db_url: str) -> HubFactory:
    """Add and set up a hub entry (optionally with miner subentries)."""

    async def _make(
        subentries: Iterable[ConfigSubentryData] = (),
        *,
        options: dict[str, Any] | None = None,
        expect: ConfigEntryState = ConfigEntryState.LOADED,
    ) -> MockConfigEntry:
        entry = MockConfigEntry(
            domain=DOMAIN,
            # Fixed, so the hub's own entities (unique ids built from it)
            # snapshot the same in every run.
            entry_id="01HMMHUBENTRY0000000000000",
            title="Home Miner Manager",
            data={CONF_DB_URL: db_url},
            options=options or {},
            subentries_data=list(subentries),
        )
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        # First polls run in the background: set-up never waits for a miner.
        await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.state is expect
        return entry

    return _make


async def rows[T: Base](
    hass: HomeAssistant, entry: MockConfigEntry, model: type[T]
) -> list[T]:
    """Flush the writer, then read every row of ``model``."""
    database = entry.runtime_data.database
    await database.async_flush()

    def _read(session: Session) -> list[T]:
        result = list(session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]
        session.expunge_all()
        return result

    result: list[T] = await database.async_run(_read)
    return result
