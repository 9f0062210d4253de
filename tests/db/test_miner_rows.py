"""Saving every miner's row at hub set-up: one read of the table, one flush."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select

from custom_components.home_miner_manager.db import Database
from custom_components.home_miner_manager.db.miner_rows import MinerRow, save_miners
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
