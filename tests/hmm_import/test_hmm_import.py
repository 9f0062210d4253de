"""The pure import: schema check, read-only source, normalisation, history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from custom_components.home_miner_manager.db import RETENTION_DEFAULTS, Database
from custom_components.home_miner_manager.db.miner_rows import MinerRow, save_miners
from custom_components.home_miner_manager.db.models import HighDiffShare, Telemetry
from custom_components.home_miner_manager.db.rollup import DAILY, HOURLY, rollup
from custom_components.home_miner_manager.db.rollup_models import (
    TelemetryDaily,
    TelemetryHourly,
)
from custom_components.home_miner_manager.hmm_import import (
    ImportCounts,
    NotHmmDatabaseError,
    SourceUrlError,
    check_schema,
    open_source,
)
from custom_components.home_miner_manager.hmm_import.config import (
    merged_alert_config,
    read_config,
)
from custom_components.home_miner_manager.hmm_import.history import HistoryImport
from custom_components.home_miner_manager.hmm_import.normalize import (
    difficulty,
    pool_coin,
    telemetry_hashrate,
)
from custom_components.home_miner_manager.hmm_import.rows import MinerLink
from custom_components.home_miner_manager.hmm_import.tables import keep_since

from .hmm_source import MINERS, NOW, RAW_START, SAMPLES, build_hmm_database


def sha256(path: Path) -> str:
    """Hash of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def source_file(tmp_path: Path) -> Path:
    """An HMM SQLite file (data.db)."""
    path = tmp_path / "hmm" / "data.db"
    path.parent.mkdir()
    build_hmm_database(f"sqlite:///{path}", list(range(40001, 40011)))
    return path


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Database]:
    """Our own database, with rows for the miners of the source."""
    db = Database.open(f"sqlite:///{tmp_path / 'ours.db'}", retry_wait=0.05)
    yield db
    db.close()


def _links(db: Database) -> dict[int, MinerLink]:
    rows = [
        MinerRow(identity=f"sub{i}", name=name, miner_type=kind, ip_address="127.0.0.1")
        for i, name, kind in MINERS[:4]
    ]
    ids = db.run(lambda s: save_miners(s, rows))
    return {
        source_id: MinerLink(our_id, name, kind)
        for (source_id, name, kind), our_id in zip(MINERS[:4], ids, strict=True)
    }


def _run(
    source: Path,
    db: Database,
    links: dict[int, MinerLink],
    now: datetime | None = None,
) -> ImportCounts:
    engine = open_source(str(source))
    with engine.connect() as conn:
        schema = check_schema(conn)
    counts = ImportCounts()
    cutoffs = keep_since(now, RETENTION_DEFAULTS) if now is not None else None
    job = HistoryImport(
        engine, schema, links, counts, batch_size=100, keep_since=cutoffs
    )
    job.totals()
    while db.run(job.step) is not None:
        pass
    engine.dispose()
    return counts


def test_normalise_upstream_bugs() -> None:
    """Units from the row's data win; bare NMMiner GH/s is MH/s; "270M" is 2.7e8."""
    assert telemetry_hashrate(1.0154, "GH/s", {"hashrate_unit": "MH/s"}, "nmminer") == (
        1.0154,
        "MH/s",
    )
    assert telemetry_hashrate(1013.4, "GH/s", None, "nmminer") == (1013.4, "MH/s")
    assert telemetry_hashrate(1100.0, None, None, "bitaxe") == (1100.0, "GH/s")
    assert telemetry_hashrate("1.1TH/s", "GH/s", None, "bitaxe") == (1.1, "TH/s")
    assert telemetry_hashrate(None, "GH/s", None, "bitaxe") == (None, None)
    assert telemetry_hashrate("fast", "GH/s", None, "bitaxe") is None
    assert difficulty("270M") == 2.7e8
    assert difficulty("4.29G") == pytest.approx(4.29e9)
    assert difficulty(1234.5) == 1234.5
    assert difficulty("lots") is None
    assert pool_coin("anything", "eu1.solopool.org", 8004) == "DGB"
    assert pool_coin("Braiins", "stratum.braiins.com", 3333) == "BTC_POOLED"
    assert pool_coin("My BCH solo", "10.0.0.2", 3333) == "BCH"
    assert pool_coin("Other", "10.0.0.2", 3333) == "BTC"


def test_alert_settings_map_onto_ours() -> None:
    """Upstream's single temperature becomes the default limit; others have none."""
    current = {"threshold_celsius": {"bitaxe": 70, "default": 75}, "channels": []}
    merged = merged_alert_config("high_temperature", current, {"threshold_celsius": 72})
    assert merged == {
        "threshold_celsius": {"bitaxe": 70, "default": 72.0},
        "channels": [],
    }
    assert merged_alert_config("miner_offline", {}, {"timeout_minutes": 10}) == {
        "timeout_minutes": 10.0
    }
    assert merged_alert_config("aggregation_status", {}, {}) is None


def test_refuses_a_database_that_is_not_hmm(tmp_path: Path) -> None:
    """Missing tables and columns are named."""
    path = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE miners (id INTEGER PRIMARY KEY, name TEXT)"))
    engine.dispose()
    with (
        pytest.raises(NotHmmDatabaseError) as err,
        open_source(str(path)).connect() as conn,
    ):
        check_schema(conn)
    assert "miners.miner_type" in err.value.missing
    assert "miners.ip_address" in err.value.missing
    assert "telemetry" in err.value.missing
    assert "pools" in err.value.missing


def test_source_is_read_only(source_file: Path) -> None:
    """Writes through the source engine fail; the file is unchanged."""
    before = sha256(source_file)
    engine = open_source(f"sqlite:///{source_file}")
    with pytest.raises(OperationalError, match="readonly"), engine.begin() as conn:
        conn.execute(text("DELETE FROM events"))
    engine.dispose()
    assert sha256(source_file) == before
    with pytest.raises(SourceUrlError) as err:
        open_source(str(source_file.parent / "missing.db"))
    assert err.value.reason == "not_found"


def test_reads_configuration(source_file: Path) -> None:
    """Miners, pools (no password read), bands with "std", enrolment, alerts."""
    engine = open_source(str(source_file))
    with engine.connect() as conn:
        config = read_config(conn, check_schema(conn))
    engine.dispose()
    assert [m.miner_type for m in config.miners][-1] is None  # antminer_s9
    assert [p.had_password for p in config.pools] == [False, True, False]
    assert [b["nerdqaxe_mode"] for b in config.bands] == [
        "managed_externally",
        "eco",
        "standard",
        "standard",
    ]
    assert config.enrolled == {1, 3}
    assert config.strategy_enabled is True
    assert [r.source_id for r in config.rules] == list(range(1, 10))
    assert config.rules[3].trigger_config == {
        "condition": "between",
        "threshold_min": 20,
        "threshold_max": 35,
    }
    assert config.rules[2].priority == 5
    assert config.rules[2].enabled is False
    assert "pool-secret-pw" not in repr(config)


def test_history_import_is_idempotent(source_file: Path, target: Database) -> None:
    """Everything lands on our rows; the second run adds nothing."""
    before = sha256(source_file)
    links = _links(target)
    counts = _run(source_file, target, links)
    got = counts.as_dict()
    assert got["telemetry"]["imported"] == 4 * SAMPLES
    assert got["telemetry"]["already_there"] == 1  # the duplicate sample
    assert got["telemetry"]["skipped"] == {"miner_not_imported": SAMPLES}
    assert got["high_diff_shares"] == {
        "imported": 3,
        "already_there": 0,
        "skipped": {"miner_not_imported": 1, "unreadable_difficulty": 1},
    }
    assert got["blocks_found"]["imported"] == 1
    assert got["energy_prices"]["imported"] == 48
    assert got["events"]["imported"] == 5
    assert got["audit_logs"]["imported"] == 4
    # The hours of the raw rows' first day are ours (rolled up from them).
    assert got["telemetry_hourly"] == {
        "imported": 14,
        "already_there": 0,
        "skipped": {"day_rolled_up_from_raw": 10},
    }
    assert got["telemetry_daily"]["imported"] == 10
    assert got["telemetry_rollups"]["imported"] > 0

    nm = links[4].miner_id
    units = target.run(
        lambda s: set(
            s.scalars(select(Telemetry.hashrate_unit).where(Telemetry.miner_id == nm))
        )
    )
    assert units == {"MH/s"}
    bitaxe = links[1].miner_id
    assert (
        target.run(
            lambda s: s.scalar(
                select(Telemetry.hashrate_unit).where(
                    Telemetry.miner_id == bitaxe,
                    Telemetry.timestamp == RAW_START + timedelta(minutes=20),
                )
            )
        )
        == "TH/s"
    )
    difficulties = target.run(
        lambda s: sorted(s.scalars(select(HighDiffShare.difficulty)))
    )
    assert difficulties == [1.5e8, 2.7e8, 3.1e9]
    # Upstream's hourly rows (TH/s) arrive in GH/s.
    first_hour = target.run(
        lambda s: s.scalar(
            select(TelemetryHourly.hashrate_avg_ghs).where(
                TelemetryHourly.period_start == RAW_START - timedelta(hours=11)
            )
        )
    )
    assert first_hour == pytest.approx(1100.0)
    # The imported raw hours were rolled up by our own code.
    assert (
        target.run(
            lambda s: s.scalar(
                select(TelemetryHourly.sample_count).where(
                    TelemetryHourly.miner_id == bitaxe,
                    TelemetryHourly.period_start == RAW_START,
                )
            )
        )
        == 60
    )

    again = _run(source_file, target, links).as_dict()
    assert all(kind["imported"] == 0 for kind in again.values()), again
    assert again["telemetry"]["already_there"] == 4 * SAMPLES + 1
    assert again["energy_prices"]["already_there"] == 48
    assert sha256(source_file) == before


def test_rollups_of_other_miners_survive(source_file: Path, target: Database) -> None:
    """Re-rolling imported days leaves other miners' rollups (raw purged) alone."""
    links = _links(target)
    other = target.run(
        lambda s: save_miners(
            s,
            [
                MinerRow(
                    identity="own",
                    name="Own",
                    miner_type="bitaxe",
                    ip_address="127.0.0.2",
                )
            ],
        )
    )[0]
    day = RAW_START.replace(hour=0, minute=0)
    target.run(
        lambda s: s.add(
            TelemetryDaily(
                miner_id=other, period_start=day, sample_count=99, online_seconds=1.0
            )
        )
    )
    _run(source_file, target, links)
    kept = target.run(
        lambda s: s.scalar(
            select(func.count())
            .select_from(TelemetryDaily)
            .where(TelemetryDaily.miner_id == other)
        )
    )
    assert kept == 1
    # Without the restriction the same call would drop it (what the fix guards).
    with target.engine.begin() as conn:
        rollup(conn, day, day + timedelta(days=1), (HOURLY, DAILY))
    assert (
        target.run(
            lambda s: s.scalar(
                select(func.count())
                .select_from(TelemetryDaily)
                .where(TelemetryDaily.miner_id == other)
            )
        )
        == 0
    )
    assert day < NOW


def test_idempotent_after_maintenance(source_file: Path, target: Database) -> None:
    """Raw rows purged by our retention are not brought back by a second run."""
    links = _links(target)
    later = NOW + timedelta(days=10)
    first = _run(source_file, target, links, now=later).as_dict()
    # Older than 7 days by then, but not rolled up yet: imported and rolled up.
    assert first["telemetry"]["imported"] == 4 * SAMPLES
    target.run_maintenance(later, RETENTION_DEFAULTS)
    assert (
        target.run(lambda s: s.scalar(select(func.count()).select_from(Telemetry))) == 0
    )
    again = _run(source_file, target, links, now=later).as_dict()
    assert all(kind["imported"] == 0 for kind in again.values()), again
    assert again["telemetry"]["already_there"] == 4 * SAMPLES + 1
    # Events a month past their 30 days are not imported at all.
    much_later = _run(source_file, target, links, now=NOW + timedelta(days=40))
    assert much_later.as_dict()["events"]["skipped"] == {"older_than_retention": 5}
