"""Shares, leaderboard, blocks and pool rows on a real database (db/shares.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
import random
import sqlite3

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.models import (
    HighDiffShare,
    Pool,
    PoolHealth,
    Telemetry,
)
from custom_components.home_miner_manager.db.retention import (
    HIGH_DIFF_KEEP_TOP,
    HIGH_DIFF_SHARE_DAYS,
)
from custom_components.home_miner_manager.db.share_rows import (
    best_share_by_miner,
    blocks_found,
    leaderboard,
    leaderboard_query,
    pool_checks,
    raise_pool_best_share,
    record_high_diff_share,
    record_pool_health,
    set_pool_network_difficulty,
    share_counter_series,
)
from custom_components.home_miner_manager.pools.high_shares import is_block
from custom_components.home_miner_manager.pools.pool_score import (
    FailoverAction,
    ShareDeltas,
    failover_decision,
    pool_share_deltas,
    unreachable_checks,
)
from custom_components.home_miner_manager.pools.url import PoolAddress

from .conftest import add_miners

NOW = datetime(2026, 11, 20, 12, 0, 0)  # noqa: DTZ001 (the tables hold naive UTC)
BTC_NET = 126_271_255_279_307.0


def share(
    db: Database,
    miner_id: int,
    difficulty: float,
    *,
    days_ago: float = 1,
    coin: str = "BTC",
    network: float | None = BTC_NET,
) -> int:
    def _add(session: object) -> int:
        row = record_high_diff_share(
            session,  # type: ignore[arg-type]
            miner_id=miner_id,
            miner_name=f"miner-{miner_id}",
            miner_type="bitaxe",
            coin=coin,
            pool_name="Solopool BTC",
            difficulty=difficulty,
            network_difficulty=network,
            was_block_solve=is_block(difficulty, network),
            timestamp=NOW - timedelta(days=days_ago),
            hashrate=1100.0,
            miner_mode="standard",
        )
        return row.id

    return db.run(_add)


def test_record_share_and_block(shares_db: Database) -> None:
    (miner,) = add_miners(shares_db, 1)
    share(shares_db, miner, 4.29e9)
    share(shares_db, miner, BTC_NET * 1.5)
    shares = shares_db.run(lambda s: s.scalars(select(HighDiffShare)).all())
    assert sorted(s.was_block_solve for s in shares) == [False, True]
    blocks = shares_db.run(blocks_found)
    assert len(blocks) == 1
    block = blocks[0]
    assert block.difficulty == BTC_NET * 1.5
    assert block.network_difficulty == BTC_NET
    assert (block.miner_name, block.coin, block.pool_name) == (
        "miner-1" if miner == 1 else f"miner-{miner}",
        "BTC",
        "Solopool BTC",
    )
    assert block.block_height is None
    assert block.timestamp == NOW - timedelta(days=1)
    assert shares_db.run(lambda s: blocks_found(s, coin="DGB")) == []


def test_block_needs_network_difficulty(shares_db: Database) -> None:
    (miner,) = add_miners(shares_db, 1)
    with pytest.raises(ValueError, match="network difficulty"):
        shares_db.run(
            lambda s: record_high_diff_share(
                s,
                miner_id=miner,
                miner_name="m",
                miner_type="bitaxe",
                coin="BTC",
                pool_name="p",
                difficulty=1.0,
                network_difficulty=None,
                was_block_solve=True,
                timestamp=NOW,
            )
        )
    assert shares_db.run(lambda s: s.scalar(select(func.count(HighDiffShare.id)))) == 0


def test_leaderboard(shares_db: Database) -> None:
    a, b = add_miners(shares_db, 2)
    share(shares_db, a, 5e9, days_ago=10)
    share(shares_db, b, 9e9, days_ago=100)  # outside the default 90 days
    share(shares_db, b, 7e9, days_ago=3, coin="DGB")
    share(shares_db, a, 6e9, days_ago=2)
    share(shares_db, b, 6e9, days_ago=5)  # tie: the newer one ranks first
    for n in range(12):
        share(shares_db, a, 1e6 + n, days_ago=1)

    top = shares_db.run(lambda s: leaderboard(s, now=NOW))
    assert len(top) == 10
    assert [e.difficulty for e in top[:4]] == [7e9, 6e9, 6e9, 5e9]
    assert [e.miner_id for e in top[1:3]] == [a, b]
    assert all(type(e.difficulty) is float for e in top)
    assert top[0].coin == "DGB"
    assert top[0].network_difficulty == BTC_NET
    assert top[0].was_block_solve is False
    assert top[0].timestamp == NOW - timedelta(days=3)

    btc = shares_db.run(lambda s: leaderboard(s, now=NOW, coin="BTC", count=3))
    assert [e.difficulty for e in btc] == [6e9, 6e9, 5e9]
    ever = shares_db.run(lambda s: leaderboard(s, now=NOW, days=None, count=1))
    assert [e.difficulty for e in ever] == [9e9]
    week = shares_db.run(lambda s: leaderboard(s, now=NOW, days=7, count=50))
    assert len(week) == 15
    assert shares_db.run(lambda s: leaderboard(s, now=NOW, coin="BC2")) == []


def test_best_share_by_miner(shares_db: Database) -> None:
    a, b, c = add_miners(shares_db, 3)
    share(shares_db, a, 5e9, days_ago=400)
    share(shares_db, a, 1e9)
    share(shares_db, b, 2e6, coin="DGB")
    share(shares_db, b, 1e6)
    best = shares_db.run(best_share_by_miner)
    assert best == {a: 5e9, b: 2e6}
    assert c not in best
    assert shares_db.run(lambda s: best_share_by_miner(s, coin="BTC")) == {
        a: 5e9,
        b: 1e6,
    }


def test_nightly_retention_keeps_each_miners_best(shares_db: Database) -> None:
    """Retention (db/retention.py) and the leaderboard agree on the best shares."""
    a, b = add_miners(shares_db, 2)
    for n in range(40):
        share(shares_db, a, 1e6 * (n + 1), days_ago=200)  # old: only the top 30 stay
    share(shares_db, b, 10.0, days_ago=300)  # b's only share: its best, kept
    share(shares_db, b, 5.0, days_ago=10)  # recent: kept
    before = shares_db.run(lambda s: leaderboard(s, now=NOW, days=None, count=31))
    shares_db.run_maintenance(NOW, {HIGH_DIFF_SHARE_DAYS: 180})
    after = shares_db.run(lambda s: leaderboard(s, now=NOW, days=None, count=100))
    kept_a = [e.difficulty for e in after if e.miner_id == a]
    assert len(kept_a) == HIGH_DIFF_KEEP_TOP
    assert min(kept_a) == 11e6
    assert sorted(e.difficulty for e in after if e.miner_id == b) == [5.0, 10.0]
    assert [e.id for e in after[:30]] == [e.id for e in before[:30]]


def test_pool_rows(shares_db: Database) -> None:
    def _pool(session: object) -> int:
        pool = Pool(
            name="Solopool BTC",
            url="eu3.solopool.org",
            port=8005,
            user="bc1q",
            password="secret",
        )
        session.add(pool)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        return pool.id

    pool_id = shares_db.run(_pool)
    for minutes, reachable in ((50, True), (20, False), (10, False)):
        shares_db.run(
            lambda s, m=minutes, r=reachable: record_pool_health(
                s,
                pool_id=pool_id,
                timestamp=NOW - timedelta(minutes=m),
                is_reachable=r,
                response_time_ms=42.0 if r else None,
                health_score=100.0 if r else 30.0,
                error_message=None if r else "x" * 900,
            )
        )
    checks = shares_db.run(lambda s: pool_checks(s, pool_id, NOW - timedelta(hours=1)))
    assert checks == [
        (NOW - timedelta(minutes=50), True),
        (NOW - timedelta(minutes=20), False),
        (NOW - timedelta(minutes=10), False),
    ]
    assert unreachable_checks(checks, NOW) == 2
    decision = failover_decision(checks, failed_over=False, now=NOW)
    assert decision is FailoverAction.FAIL_OVER
    messages = shares_db.run(
        lambda s: s.scalars(select(PoolHealth.error_message)).all()
    )
    assert sorted(len(m) for m in messages if m) == [500, 500]

    shares_db.run(lambda s: set_pool_network_difficulty(s, pool_id, BTC_NET, NOW))
    assert shares_db.run(lambda s: raise_pool_best_share(s, pool_id, 5e9, NOW))
    assert not shares_db.run(lambda s: raise_pool_best_share(s, pool_id, 4e9, NOW))
    assert shares_db.run(lambda s: raise_pool_best_share(s, pool_id, 6e9, NOW))
    pool = shares_db.run(lambda s: s.get(Pool, pool_id))
    assert pool is not None
    assert (pool.network_difficulty, pool.network_difficulty_updated_at) == (
        BTC_NET,
        NOW,
    )
    assert pool.best_share == 6e9


def test_share_counter_series_feeds_pool_deltas(shares_db: Database) -> None:
    a, b = add_miners(shares_db, 2)
    rows = [
        (a, 65, 100, 1, "stratum+tcp://eu3.solopool.org:8005"),
        (a, 30, 200, 2, "stratum+tcp://eu3.solopool.org:8005"),
        (a, 10, 5, 0, "stratum+tcp://eu3.solopool.org:8005"),  # rebooted
        (b, 40, 50, 0, "eu3.solopool.org:8001"),  # another pool
        (b, 5, 90, 9, "eu3.solopool.org:8001"),
        (a, 200, 1, 1, "eu3.solopool.org:8005"),  # too old to be fetched
    ]
    shares_db.run(
        lambda s: s.execute(
            insert(Telemetry),
            [
                {
                    "miner_id": m,
                    "timestamp": NOW - timedelta(minutes=ago),
                    "shares_accepted": acc,
                    "shares_rejected": rej,
                    "pool_in_use": pool,
                }
                for m, ago, acc, rej, pool in rows
            ],
        )
    )
    series = shares_db.run(
        lambda s: share_counter_series(s, NOW - timedelta(minutes=70), NOW)
    )
    assert [len(series[a]), len(series[b])] == [3, 2]
    assert series[a][0] == (NOW - timedelta(minutes=65), 100, 1, rows[0][4])
    deltas = pool_share_deltas(
        series.values(), PoolAddress("eu3.solopool.org", 8005), NOW
    )
    assert deltas == ShareDeltas(105, 1)


def test_leaderboard_walks_the_difficulty_timestamp_index(tmp_path: object) -> None:
    """On SQLite the default leaderboard is an index walk, with or without ANALYZE."""
    path = f"{tmp_path}/plan.db"
    db = Database.open(f"sqlite:///{path}")
    try:
        (miner,) = add_miners(db, 1)
        rows = _random_shares(miner, 20_000)
        db.run(lambda s: s.execute(insert(HighDiffShare), rows))
        query = leaderboard_query(now=NOW)
        sql = str(
            query.compile(
                dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
            )
        )
    finally:
        db.close()
    with sqlite3.connect(path) as conn:
        for _ in range(2):
            plan = " ".join(
                str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql)
            )
            # A walk down the index that stops at LIMIT: no sort of the window.
            assert "USING INDEX idx_difficulty_timestamp" in plan
            assert "TEMP B-TREE" not in plan
            conn.execute("ANALYZE")


def _random_shares(miner: int, count: int) -> list[dict[str, object]]:
    rng = random.Random(4)
    return [
        {
            "miner_id": miner,
            "miner_name": "m",
            "miner_type": "bitaxe",
            "coin": rng.choice(["BTC", "BCH"]),
            "pool_name": "p",
            "difficulty": rng.lognormvariate(15, 2),
            "hashrate_unit": "GH/s",
            "was_block_solve": False,
            "timestamp": NOW - timedelta(seconds=rng.uniform(0, 365 * 86400)),
        }
        for _ in range(count)
    ]


def test_leaderboard_plan_on_postgresql(postgres_url: str) -> None:
    """PostgreSQL walks a difficulty index backwards too (no sort of the window)."""
    db = Database.open(postgres_url, retry_wait=0.05)
    try:
        (miner,) = add_miners(db, 1)
        db.run(
            lambda s: s.execute(insert(HighDiffShare), _random_shares(miner, 20_000))
        )
        db.run(lambda s: s.execute(text("ANALYZE high_diff_shares")))
        sql = str(
            leaderboard_query(now=NOW).compile(
                dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
            )
        )
        plan = "\n".join(db.run(lambda s: s.execute(text("EXPLAIN " + sql)).scalars()))
        top = db.run(lambda s: leaderboard(s, now=NOW))
    finally:
        db.close()
    assert "Index Scan Backward using idx_difficulty_timestamp" in plan
    assert "Seq Scan" not in plan
    assert len(top) == 10
    assert [e.difficulty for e in top] == sorted(
        (e.difficulty for e in top), reverse=True
    )
