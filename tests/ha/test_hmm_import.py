"""``import_hmm_database`` through the real Home Assistant core (SQLite source)."""

from __future__ import annotations

from collections.abc import Iterator
import hashlib
from pathlib import Path
from typing import Any
import uuid

from homeassistant.auth.models import User
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError, Unauthorized
from homeassistant.helpers import issue_registry as ir
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from custom_components.home_miner_manager.const import (
    DOMAIN,
    SUBENTRY_MINER,
    SUBENTRY_POOL,
)
from custom_components.home_miner_manager.db.models import (
    AlertConfig,
    HighDiffShare,
    Telemetry,
)
from custom_components.home_miner_manager.hmm_import import open_source
from custom_components.home_miner_manager.importer.action import (
    EVENT_IMPORT_PROGRESS,
)
from tests.hmm_import.hmm_source import SAMPLES, build_hmm_database
from tests.plugins.postgres import PostgresServer

from .conftest import HubFactory, closed_port, rows
from .strategy_support import entity_options


def sha256(path: Path) -> str:
    """Hash of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _call(
    hass: HomeAssistant, user: User, db_url: str, **extra: Any
) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "import_hmm_database",
        {"db_url": db_url, **extra},
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id),
    )
    assert isinstance(response, dict)
    await hass.async_block_till_done()
    return response


async def check_import(
    hass: HomeAssistant, setup_hub: HubFactory, user: User, source: str
) -> dict[str, Any]:
    """Import ``source`` twice; check subentries, history, repairs; return counts."""
    entry = await setup_hub(options=entity_options())
    progress: list[dict[str, Any]] = []
    hass.bus.async_listen(EVENT_IMPORT_PROGRESS, lambda e: progress.append(e.data))
    first = await _call(hass, user, source)
    counts = first["counts"]
    assert counts["miners"] == {
        "imported": 4,
        "already_there": 0,
        "skipped": {"unsupported_type": 1},
    }
    assert counts["pools"] == {
        "imported": 2,
        "already_there": 0,
        "skipped": {"invalid_pool": 1},
    }
    miners = {
        s.title: s
        for s in entry.subentries.values()
        if s.subentry_type == SUBENTRY_MINER
    }
    assert set(miners) == {"03 - Green", "NerdQ", "Nano 3S", "Desk NM"}
    green = miners["03 - Green"]
    assert {k: v for k, v in green.data.items() if k != "port"} == {
        "name": "03 - Green",
        "host": "127.0.0.1",
        "miner_type": "bitaxe",
        "enabled": True,
        "miner_id": green.data["miner_id"],
    }
    assert miners["Desk NM"].data["udp_broadcast"] is True
    pools = {
        s.title: s
        for s in entry.subentries.values()
        if s.subentry_type == SUBENTRY_POOL
    }
    assert pools["Solo DGB"].data["coin"] == "DGB"
    assert pools["Solo DGB"].data["password"] == "x"
    assert "password" not in pools["Braiins BTC"].data
    issues = ir.async_get(hass).issues
    assert (
        DOMAIN,
        f"hmm_import_web_password_{miners['Nano 3S'].subentry_id}",
    ) in issues
    assert (
        DOMAIN,
        f"hmm_import_pool_password_{pools['Braiins BTC'].subentry_id}",
    ) in issues
    # Entering the password (the miner's Reconfigure) ends the issue.
    nano = miners["Nano 3S"]
    hass.config_entries.async_update_subentry(
        entry, nano, data={**nano.data, "web_password": "admin"}
    )
    await hass.async_block_till_done()
    assert (DOMAIN, f"hmm_import_web_password_{nano.subentry_id}") not in issues
    # Secrets of the source never reach the response.
    assert "pool-secret-pw" not in repr(first)
    assert "s3cret" not in repr(first)
    assert "hmm-test-pw" not in repr(first)  # the PostgreSQL URL's password

    hub = entry.runtime_data
    assert hub.strategy is not None
    assert [b.nerdqaxe_mode for b in hub.strategy.bands][2] == "standard"
    assert counts["strategy_bands"]["imported"] == 4
    coordinators = {c.name: c for c in hub.coordinators.values()}
    assert hub.strategy.enrolled == {
        coordinators["03 - Green"].miner_id,
        coordinators["Nano 3S"].miner_id,
    }
    assert counts["strategy_enabled"]["skipped"] == {"turn_on_after_review": 1}
    assert counts["alert_settings"] == {
        "imported": 2,
        "already_there": 0,
        "skipped": {"no_equivalent": 2},
    }
    assert counts["automation_rules"] == {
        "imported": 4,
        "already_there": 0,
        "skipped": {
            "ha_device_not_carried": 1,
            "miner_not_imported": 1,
            "mode_not_supported": 1,
            "pool_not_imported": 1,
            "unknown_trigger_type": 1,
        },
    }

    telemetry = await rows(hass, entry, Telemetry)
    green_id = coordinators["03 - Green"].miner_id
    imported = [t for t in telemetry if t.data and "best_session_diff" in t.data]
    assert len([t for t in imported if t.miner_id == green_id]) == SAMPLES
    assert {
        t.hashrate_unit
        for t in imported
        if t.miner_id == coordinators["Desk NM"].miner_id
    } == {"MH/s"}
    shares = await rows(hass, entry, HighDiffShare)
    assert {s.miner_id for s in shares} == {green_id}
    alerts = {a.alert_type: a for a in await rows(hass, entry, AlertConfig)}
    assert alerts["miner_offline"].config["timeout_minutes"] == 10
    assert alerts["high_temperature"].config["threshold_celsius"]["default"] == 72
    assert {p["kind"] for p in progress} >= {"configuration", "telemetry", "done"}

    second = await _call(hass, user, source)
    assert all(kind["imported"] == 0 for kind in second["counts"].values()), second
    assert second["counts"]["miners"]["already_there"] == 4
    assert second["counts"]["automation_rules"]["already_there"] == 4
    assert second["counts"]["telemetry"]["already_there"] == 4 * SAMPLES + 1
    assert len(entry.subentries) == 10  # 4 miners, 2 pools, 4 rules
    return counts


def _hmm_file(tmp_path: Path) -> Path:
    path = tmp_path / "hmm" / "data.db"
    path.parent.mkdir()
    build_hmm_database(f"sqlite:///{path}", [closed_port() for _ in range(7)])
    return path


async def test_import_from_sqlite(
    hass: HomeAssistant, setup_hub: HubFactory, hass_admin_user: User, tmp_path: Path
) -> None:
    """Everything arrives once; the source file is byte for byte unchanged."""
    path = _hmm_file(tmp_path)
    before = sha256(path)
    counts = await check_import(hass, setup_hub, hass_admin_user, str(path))
    # SQLite holds upstream's string difficulties: "270M" read, "lots" skipped.
    assert counts["high_diff_shares"]["imported"] == 3
    assert counts["high_diff_shares"]["skipped"] == {
        "miner_not_imported": 1,
        "unreadable_difficulty": 1,
    }
    assert sha256(path) == before


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The hub's database: PostgreSQL for the test whose name says so."""
    if request.node.name.endswith("into_postgresql"):
        url: str = request.getfixturevalue("postgres_url")
        return url
    return f"sqlite:///{tmp_path / 'hmm.db'}"


@pytest.fixture
def hmm_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A second fresh PostgreSQL database: upstream HMM's."""
    name = f"hmm_src_{uuid.uuid4().hex[:12]}"
    admin = postgres_server.admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    yield postgres_server.url(name)
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.mark.postgres
async def test_import_from_postgresql_into_postgresql(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    hass_admin_user: User,
    hmm_postgres_url: str,
    db_url: str,
) -> None:
    """From a PostgreSQL HMM database (opened read-only) into a PostgreSQL hub."""
    assert db_url.startswith("postgresql://")
    assert db_url != hmm_postgres_url
    build_hmm_database(hmm_postgres_url, [closed_port() for _ in range(7)])
    engine = create_engine(hmm_postgres_url)
    query = text("SELECT count(*), max(id) FROM telemetry")
    with engine.connect() as conn:
        before = conn.execute(query).one()
    await check_import(hass, setup_hub, hass_admin_user, hmm_postgres_url)
    with engine.connect() as conn:
        assert conn.execute(query).one() == before
    engine.dispose()
    # The import's sessions are read-only: the server itself refuses writes.
    read_only = open_source(hmm_postgres_url)
    with pytest.raises(DBAPIError, match="read-only"), read_only.begin() as conn:
        conn.execute(text("DELETE FROM events"))
    read_only.dispose()


async def test_refuses_what_is_not_hmm(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    hass_admin_user: User,
    hass_read_only_user: User,
    tmp_path: Path,
) -> None:
    """A database of another schema is refused, naming what is missing."""
    await setup_hub()
    other = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{other}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE miners (id INTEGER PRIMARY KEY, name TEXT)"))
    engine.dispose()
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, hass_admin_user, str(other))
    assert err.value.translation_key == "not_hmm_database"
    assert "miners.ip_address" in err.value.translation_placeholders["missing"]
    assert "telemetry" in err.value.translation_placeholders["missing"]
    assert "lacks" in str(err.value)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, hass_admin_user, str(tmp_path / "nothing.db"))
    assert err.value.translation_key == "hmm_source_not_found"
    with pytest.raises(Unauthorized):
        await _call(hass, hass_read_only_user, str(other))
