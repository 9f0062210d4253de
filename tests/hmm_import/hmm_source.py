"""An upstream HMM database built from the schema, with a realistic mix of rows.

The CREATE script is derived from ``tests/db/schema_contract.json`` (the 18
contract tables exactly as upstream declares them) plus what upstream's
``app/core/database.py`` has beside them and this import reads: the
``telemetry`` columns ``energy_cost`` and ``mode``, and the
``telemetry_hourly`` / ``telemetry_daily`` rollups.  Rows include what
upstream's bugs produce: NMMiner rows in MH/s labelled GH/s (the column's
default), rows without a unit, and (SQLite, whose columns hold any type)
difficulties stored as text such as "270M" and a hashrate string.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import json
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, create_engine, text

CONTRACT: Final = Path(__file__).parent.parent / "db" / "schema_contract.json"
NOW: Final = datetime(2026, 1, 20, 12, 0, 0)  # noqa: DTZ001  (naive UTC, as upstream)
RAW_START: Final = NOW - timedelta(hours=2)
SAMPLES: Final = 120  # two hours at upstream's 60 s

# Upstream columns and tables beside the contract's (app/core/database.py).
_EXTRA_COLUMNS: Final = {
    "telemetry": [("energy_cost", "FLOAT"), ("mode", "VARCHAR(20)")],
    "agile_strategy": [
        ("current_band_sort_order", "INTEGER"),
        ("last_aggregation_time", "{datetime}"),
    ],
}
_ROLLUP_BODY: Final = """
    id {pk},
    miner_id INTEGER NOT NULL,
    {start} {datetime} NOT NULL,
    uptime_minutes INTEGER NOT NULL,{extra}
    avg_hashrate FLOAT, min_hashrate FLOAT, max_hashrate FLOAT,
    hashrate_unit VARCHAR(10),
    avg_temperature FLOAT, peak_temperature FLOAT,
    total_kwh FLOAT, total_energy_cost FLOAT,
    shares_accepted INTEGER, shares_rejected INTEGER, reject_rate_pct FLOAT,{health}
    created_at {datetime} NOT NULL
"""


def _sql_type(field: dict[str, Any], dialect: str) -> str:
    kind = field["type"]
    if kind == "str":
        return f"VARCHAR({field['length']})"
    return {
        "int": "INTEGER",
        "float": "FLOAT" if dialect == "sqlite" else "DOUBLE PRECISION",
        "bool": "BOOLEAN",
        "datetime": "DATETIME" if dialect == "sqlite" else "TIMESTAMP",
        "JSON": "JSON",
    }[kind]


def create_script(dialect: str) -> list[str]:
    """CREATE TABLE / INDEX statements of an HMM database on ``dialect``."""
    contract = json.loads(CONTRACT.read_text())
    dt = "DATETIME" if dialect == "sqlite" else "TIMESTAMP"
    pk = "INTEGER NOT NULL PRIMARY KEY" if dialect == "sqlite" else "SERIAL PRIMARY KEY"
    statements: list[str] = []
    for spec in contract["tables"]:
        name = spec["table"]
        columns = []
        for field in spec["fields"]:
            if field["name"] == "id":
                columns.append(f"id {pk}")
                continue
            null = "" if field["nullable"] else " NOT NULL"
            unique = " UNIQUE" if field["unique"] else ""
            columns.append(
                f'"{field["name"]}" {_sql_type(field, dialect)}{null}{unique}'
            )
        for column, kind in _EXTRA_COLUMNS.get(name, []):
            columns.append(f"{column} {kind.format(datetime=dt)}")
        statements.append(f"CREATE TABLE {name} (\n  " + ",\n  ".join(columns) + "\n)")
        statements.extend(
            f"CREATE INDEX ix_{name}_{field['name']} ON {name} ({field['name']})"
            for field in spec["fields"]
            if field["indexed"]
        )
        for index in spec["extra_indexes"]:
            unique = "UNIQUE " if index["unique"] else ""
            statements.append(
                f"CREATE {unique}INDEX {index['name']} ON {name} "
                f"({', '.join(index['columns'])})"
            )
    statements.append(
        "CREATE TABLE telemetry_hourly ("
        + _ROLLUP_BODY.format(
            pk=pk, start="hour_start", datetime=dt, extra="", health=""
        )
        + ")"
    )
    statements.append(
        "CREATE TABLE telemetry_daily ("
        + _ROLLUP_BODY.format(
            pk=pk,
            start="date",
            datetime=dt,
            extra="\n    uptime_percentage FLOAT,",
            health="\n    health_score FLOAT,",
        )
        + ")"
    )
    statements.append(
        "CREATE INDEX ix_telemetry_hourly_miner_hour ON telemetry_hourly (miner_id, hour_start)"
    )
    statements.append(
        "CREATE INDEX ix_telemetry_daily_miner_date ON telemetry_daily (miner_id, date)"
    )
    return statements


def _insert(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    names = list(rows[0])
    if conn.dialect.name == "sqlite":
        # As upstream's SQLAlchemy DateTime writes them.
        rows = [
            {
                k: v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v
                for k, v in row.items()
            }
            for row in rows
        ]
    cols = ", ".join(f'"{n}"' for n in names)
    params = ", ".join(f":{n}" for n in names)
    conn.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({params})"), rows)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


MINERS: Final = [
    # id, name, type, port
    (1, "03 - Green", "bitaxe"),
    (2, "NerdQ", "nerdqaxe"),
    (3, "Nano 3S", "avalon_nano"),
    (4, "Desk NM", "nmminer"),
    (5, "Old S9", "antminer_s9"),
]

# Upstream rules as its UI saves them (app/core/scheduler.py reads these keys):
# four map onto ours, five cannot (the comment says why).
RULES: Final = [
    # id, name, enabled, priority, trigger, its config, action, its config
    (1, "Cheap: turbo", True, 0, "price_threshold", {"condition": "below", "threshold": 5},
     "apply_mode", {"miner_id": 1, "mode": "turbo"}),
    (2, "Night: Avalons low", True, 2, "time_window", {"start": "22:00", "end": "06:30"},
     "apply_mode", {"miner_id": "type:avalon_nano", "mode": "low"}),
    (3, "NerdQ hot", False, 5, "miner_overheat", {"miner_id": 2, "threshold": 75},
     "send_alert", {"message": "NerdQ is hot"}),
    (4, "Dear: Braiins", True, 1, "price_threshold",
     {"condition": "between", "threshold_min": 20, "threshold_max": 35},
     "switch_pool", {"miner_id": 2, "pool_id": 2}),
    # Free-text mode: upstream sent "Eco" to the device, which refused it.
    (5, "Typo", True, 0, "price_threshold", {"condition": "above", "threshold": 9},
     "apply_mode", {"miner_id": 1, "mode": "Eco"}),
    (6, "To broken pool", True, 0, "miner_offline", {"miner_id": 2, "timeout_minutes": 5},
     "switch_pool", {"miner_id": 2, "pool_id": 3}),  # pool 3 is not imported
    (7, "S9 hot", True, 0, "miner_overheat", {"miner_id": 5, "threshold": 85},
     "log_event", {"message": "S9 hot"}),  # an Antminer: not imported
    (8, "Plug off", True, 0, "time_window", {"start": "07:00", "end": "08:00"},
     "control_ha_device", {"device_id": 1, "command": "turn_off"}),
    (9, "Hashrate drop", True, 0, "hashrate_drop", {"percent": 20},
     "log_event", {"message": "drop"}),
]  # fmt: skip


def build_hmm_database(url: str, ports: list[int]) -> None:
    """Create the schema at ``url`` and fill it; miners answer on ``ports``."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in create_script(dialect):
            conn.execute(text(statement))
        fill(conn, dialect, ports)
    engine.dispose()


def fill(conn: Connection, dialect: str, ports: list[int]) -> None:
    """Insert a realistic mix of rows, including upstream's buggy ones."""
    created = NOW - timedelta(days=30)
    _insert(
        conn,
        "miners",
        [
            {
                "id": miner_id,
                "name": name,
                "miner_type": kind,
                "ip_address": "127.0.0.1",
                "port": ports[miner_id - 1],
                "current_mode": None,
                "firmware_version": None,
                "manual_power_watts": 5 if kind == "nmminer" else None,
                "enabled": True,
                "config": _json(
                    {"admin_password": "s3cret"} if kind == "avalon_nano" else None
                ),
                "last_mode_change": None,
                "created_at": created,
                "updated_at": created,
            }
            for miner_id, name, kind in MINERS
        ],
    )
    pool = {
        "enabled": True,
        "priority": 0,
        "network_difficulty": None,
        "network_difficulty_updated_at": None,
        "best_share": None,
        "best_share_updated_at": None,
        "created_at": created,
    }
    _insert(
        conn,
        "pools",
        [
            {**pool, "id": 1, "name": "Solo DGB", "url": "127.0.0.1", "port": ports[5],
             "user": "DGBwallet", "password": "x"},
            {**pool, "id": 2, "name": "Braiins BTC", "url": "127.0.0.1", "port": ports[6],
             "user": "acct", "password": "pool-secret-pw"},
            {**pool, "id": 3, "name": "Broken", "url": "bad host name", "port": 3333,
             "user": "u", "password": "x"},
        ],
    )  # fmt: skip
    _insert(
        conn,
        "agile_strategy",
        [{"id": 1, "enabled": True, "current_price_band": None, "hysteresis_counter": 0,
          "last_action_time": None, "last_price_checked": None, "state_data": None,
          "created_at": created, "updated_at": created}],
    )  # fmt: skip
    bands = [
        (0, 20.0, None, "OFF", "managed_externally", "managed_externally", "managed_externally"),
        (1, 12.0, 20.0, "DGB", "eco", "eco", "low"),
        (2, 7.0, 12.0, "DGB", "standard", "std", "med"),
        (3, None, 7.0, "BTC", "oc", "standard", "high"),
    ]  # fmt: skip
    _insert(
        conn,
        "agile_strategy_bands",
        [
            {"strategy_id": 1, "sort_order": order, "min_price": low, "max_price": high,
             "target_coin": coin, "bitaxe_mode": bitaxe, "nerdqaxe_mode": nerd,
             "avalon_nano_mode": avalon, "created_at": created, "updated_at": created}
            for order, low, high, coin, bitaxe, nerd, avalon in bands
        ],
    )  # fmt: skip
    _insert(
        conn,
        "miner_strategy",
        [
            {"miner_id": 1, "strategy_enabled": True, "created_at": created},
            {"miner_id": 3, "strategy_enabled": True, "created_at": created},
            {"miner_id": 2, "strategy_enabled": False, "created_at": created},
        ],
    )
    _insert(
        conn,
        "alert_config",
        [
            {"alert_type": kind, "enabled": enabled, "config": _json(config),
             "created_at": created, "updated_at": created}
            for kind, enabled, config in [
                ("miner_offline", True, {"timeout_minutes": 10}),
                ("high_temperature", True, {"threshold_celsius": 72}),
                ("aggregation_status", True, {}),
                ("ha_offline", False, None),
            ]
        ],
    )  # fmt: skip
    _insert(
        conn,
        "automation_rules",
        [
            {"id": rule_id, "name": name, "enabled": enabled, "trigger_type": trigger,
             "trigger_config": _json(trigger_config), "action_type": action,
             "action_config": _json(action_config), "priority": priority,
             "last_executed_at": None, "last_execution_context": None,
             "created_at": created}
            for rule_id, name, enabled, priority, trigger, trigger_config, action,
            action_config in RULES
        ],
    )  # fmt: skip
    _insert(conn, "telemetry", list(telemetry_rows(dialect)))
    _insert(conn, "telemetry_hourly", hourly_rows())
    _insert(conn, "telemetry_daily", daily_rows())
    _insert(conn, "high_diff_shares", share_rows(dialect))
    _insert(
        conn,
        "blocks_found",
        [{"miner_id": 1, "miner_name": "03 - Green", "miner_type": "bitaxe", "coin": "DGB",
          "pool_name": "Solo DGB", "difficulty": 3.1e9, "network_difficulty": 2.9e9,
          "block_height": None, "block_reward": None, "hashrate": 1100.0,
          "hashrate_unit": "GH/s", "miner_mode": "standard",
          "timestamp": NOW - timedelta(days=3)}],
    )  # fmt: skip
    _insert(
        conn,
        "energy_prices",
        [
            {"region": "H", "valid_from": NOW - timedelta(minutes=30 * (i + 1)),
             "valid_to": NOW - timedelta(minutes=30 * i), "price_pence": 10.0 + i % 7,
             "created_at": NOW - timedelta(days=2)}
            for i in range(48)
        ],
    )  # fmt: skip
    _insert(
        conn,
        "events",
        [
            {"timestamp": NOW - timedelta(hours=i), "event_type": "info",
             "source": "miner_1", "message": f"Mode set {i}", "data": _json({"i": i})}
            for i in range(5)
        ],
    )  # fmt: skip
    _insert(
        conn,
        "audit_logs",
        [
            {"timestamp": NOW - timedelta(hours=i), "user": "system", "action": "update",
             "resource_type": "miner", "resource_id": 1, "resource_name": "03 - Green",
             "changes": _json({"mode": "eco"}), "ip_address": None, "user_agent": None,
             "status": "success", "error_message": None}
            for i in range(4)
        ],
    )  # fmt: skip


def telemetry_rows(dialect: str) -> Any:
    """Two hours per miner; NMMiner rows hold MH/s labelled GH/s (upstream's bug)."""
    for miner_id, _name, kind in MINERS:
        for i in range(SAMPLES):
            stamp = RAW_START + timedelta(minutes=i)
            unit: str | None = "GH/s"
            rate: Any = {"bitaxe": 1100.0, "nerdqaxe": 4800.0, "avalon_nano": 6000.0,
                         "nmminer": 1.0154, "antminer_s9": 13500.0}[kind] + i % 3  # fmt: skip
            data: dict[str, Any] = {"best_session_diff": f"{i}M"}
            if kind == "nmminer":
                data["hashrate_unit"] = "MH/s"
            if kind == "bitaxe" and i < 10:
                unit = None  # rows from before the unit column existed
            if kind == "bitaxe" and i == 20 and dialect == "sqlite":
                rate = "1.1TH/s"  # a device string in a FLOAT column
            yield {
                "miner_id": miner_id, "timestamp": stamp, "hashrate": rate,
                "hashrate_unit": unit, "temperature": 55.0, "power_watts":
                None if kind == "nmminer" else 15.0, "energy_cost": 0.004,
                "shares_accepted": 100 + i, "shares_rejected": 1,
                "pool_in_use": "127.0.0.1:3333", "mode": "standard", "data": _json(data),
            }  # fmt: skip
    # The same sample twice (upstream wrote one per NMMiner datagram).
    yield {
        "miner_id": 4, "timestamp": RAW_START, "hashrate": 1.0154, "hashrate_unit": "GH/s",
        "temperature": None, "power_watts": None, "energy_cost": None,
        "shares_accepted": 100, "shares_rejected": 1, "pool_in_use": None, "mode": None,
        "data": _json({"hashrate_unit": "MH/s"}),
    }  # fmt: skip


def hourly_rows() -> list[dict[str, Any]]:
    """Upstream hourly rollups of the 24 hours before the raw window (purged raw)."""
    return [
        {"miner_id": 1, "hour_start": RAW_START - timedelta(hours=h + 1),
         "uptime_minutes": 60, "avg_hashrate": 1.1, "min_hashrate": 1.0,
         "max_hashrate": 1.2, "hashrate_unit": "TH/s", "avg_temperature": 55.0,
         "peak_temperature": 60.0, "total_kwh": 0.015, "total_energy_cost": 0.2,
         "shares_accepted": 60, "shares_rejected": 1, "reject_rate_pct": 1.6,
         "created_at": NOW}
        for h in range(24)
    ]  # fmt: skip


def daily_rows() -> list[dict[str, Any]]:
    """Upstream daily rollups of ten days before (one per day, miner 1)."""
    day = RAW_START.replace(hour=0, minute=0)
    return [
        {"miner_id": 1, "date": day - timedelta(days=d + 2), "uptime_minutes": 1440,
         "uptime_percentage": 100.0, "avg_hashrate": 1100.0, "min_hashrate": 900.0,
         "max_hashrate": 1200.0, "hashrate_unit": "GH/s", "avg_temperature": 55.0,
         "peak_temperature": 61.0, "total_kwh": 0.36, "total_energy_cost": 4.0,
         "shares_accepted": 1440, "shares_rejected": 10, "reject_rate_pct": 0.7,
         "health_score": 96.0, "created_at": NOW}
        for d in range(10)
    ]  # fmt: skip


def share_rows(dialect: str) -> list[dict[str, Any]]:
    """Best shares; on SQLite one difficulty is the text "270M", one unreadable."""
    base = {"miner_name": "03 - Green", "miner_type": "bitaxe", "coin": "DGB",
            "pool_name": "Solo DGB", "network_difficulty": 2.9e9, "was_block_solve": False,
            "hashrate": 1100.0, "hashrate_unit": "GH/s", "miner_mode": "standard"}  # fmt: skip
    rows = [
        {**base, "miner_id": 1, "difficulty": 1.5e8, "timestamp": NOW - timedelta(days=5)},
        {**base, "miner_id": 1, "difficulty": 3.1e9, "timestamp": NOW - timedelta(days=3),
         "was_block_solve": True},
        {**base, "miner_id": 5, "difficulty": 9e7, "timestamp": NOW - timedelta(days=4)},
    ]  # fmt: skip
    if dialect == "sqlite":
        rows.append({**base, "miner_id": 1, "difficulty": "270M",
                     "timestamp": NOW - timedelta(days=2)})  # fmt: skip
        rows.append({**base, "miner_id": 1, "difficulty": "lots",
                     "timestamp": NOW - timedelta(days=1)})  # fmt: skip
    return rows
