"""Saving every miner's row at hub set-up: one read of the table, one flush."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, update

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.base import to_naive_utc
from custom_components.home_miner_manager.db.miner_rows import (
    MinerRow,
    save_miners,
    update_miners,
)
from custom_components.home_miner_manager.db.models import Miner


def _row(number: int, **kwargs: Any) -> MinerRow:
    return MinerRow(
        identity=f"mac:{number}",
        name=f"Miner {number}",
        miner_type="bitaxe",
        ip_address=f"127.0.0.{number}",
        **kwargs,
    )


def test_save_miners_reads_the_table_once(sqlite_db: Database) -> None:
    # Three known miners (found by id, by identity) and a new one. A row at a
    # time, 500 miners took half a second of the hub's set-up.
    first = sqlite_db.run(lambda s: save_miners(s, [_row(1), _row(2), _row(3)]))
    statements: list[str] = []

    def _on_execute(*args: Any) -> None:
        statements.append(args[2].split()[0].upper())

    event.listen(sqlite_db.engine, "before_cursor_execute", _on_execute)
    rows = [
        _row(1, miner_id=first[0], enabled=False),
        _row(2),  # by identity (no id remembered)
        _row(3, miner_id=first[2]),
        _row(4),
    ]
    ids = sqlite_db.run(lambda s: save_miners(s, rows))
    event.remove(sqlite_db.engine, "before_cursor_execute", _on_execute)

    assert ids[:3] == first
    assert ids[3] not in first
    assert statements.count("SELECT") == 1
    saved = sqlite_db.run(
        lambda s: [
            (m.id, m.enabled, m.config)
            for m in s.scalars(select(Miner).order_by(Miner.id))
        ]
    )
    assert saved == [
        (first[0], False, {"identity": "mac:1"}),
        (first[1], True, {"identity": "mac:2"}),
        (first[2], True, {"identity": "mac:3"}),
        (ids[3], True, {"identity": "mac:4"}),
    ]


def test_update_miners_reads_no_row_and_runs_one_update_per_column_set(
    sqlite_db: Database,
) -> None:
    # A slot change updates 200 miners' mode: one row read and flushed at a
    # time kept the database thread (and with it Python's GIL) busy.
    ids = sqlite_db.run(lambda s: save_miners(s, [_row(n) for n in range(1, 6)]))
    long_ago = to_naive_utc(datetime(2020, 1, 1, tzinfo=UTC))
    sqlite_db.run(lambda s: s.execute(update(Miner).values(updated_at=long_ago)))
    changed = to_naive_utc(datetime(2026, 12, 6, 4, 30, tzinfo=UTC))
    updates: dict[int, dict[str, Any]] = {
        ids[0]: {"current_mode": "eco", "last_mode_change": changed},
        ids[1]: {"current_mode": "oc", "last_mode_change": changed},
        ids[2]: {"firmware_version": "v2.16.0"},
        ids[3]: {},  # nothing to write
        10_000: {"current_mode": "eco", "last_mode_change": changed},  # gone
    }
    statements: list[tuple[str, int]] = []

    def _on_execute(*args: Any) -> None:
        params, executemany = args[3], args[5]
        statements.append(
            (args[2].split()[0].upper(), len(params) if executemany else 1)
        )

    event.listen(sqlite_db.engine, "before_cursor_execute", _on_execute)
    sqlite_db.run(lambda s: update_miners(s, updates))
    event.remove(sqlite_db.engine, "before_cursor_execute", _on_execute)

    assert sorted(statements) == [("UPDATE", 1), ("UPDATE", 3)]
    saved = sqlite_db.run(
        lambda s: {
            m.id: (m.current_mode, m.last_mode_change, m.firmware_version, m.updated_at)
            for m in s.scalars(select(Miner))
        }
    )
    assert saved[ids[0]][:3] == ("eco", changed, None)
    assert saved[ids[1]][:3] == ("oc", changed, None)
    assert saved[ids[2]][:3] == (None, None, "v2.16.0")
    assert saved[ids[3]] == (None, None, None, long_ago)
    assert saved[ids[4]] == (None, None, None, long_ago)
    for written in ids[:3]:
        assert saved[written][3] > long_ago  # the column's onupdate stamped it
    assert 10_000 not in saved
