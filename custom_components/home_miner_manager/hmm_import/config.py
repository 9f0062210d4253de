"""Configuration rows of the source: miners, pools, bands, enrolment, alerts.

Passwords are never read: only whether a pool had one that matters (anything
but stratum's conventional "x"), so the user can be asked to enter it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import column, select, table

from ..alerts.config import AlertType
from .normalize import band_mode, json_dict, miner_type, number, pool_coin
from .rules import SourceRule

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ..devices.types import MinerType
    from .schema import SourceSchema

# Upstream alert settings that mean the same here (others have no equivalent).
ALERT_PARAMS: Final[dict[str, tuple[str, ...]]] = {
    AlertType.MINER_OFFLINE: ("timeout_minutes",),
    AlertType.HIGH_TEMPERATURE: ("threshold_celsius",),
    AlertType.HIGH_REJECT_RATE: ("threshold_percent",),
    AlertType.LOW_HASHRATE: ("drop_percent",),
    AlertType.POOL_FAILURE: (),
    AlertType.BLOCK_FOUND: (),
}
_ALERT_ALIASES: Final = {"high_temp": AlertType.HIGH_TEMPERATURE.value}


@dataclass(frozen=True, slots=True)
class SourceMiner:
    """One ``miners`` row as we would configure it."""

    source_id: int
    name: str
    raw_type: str
    miner_type: MinerType | None
    host: str
    port: int | None
    enabled: bool
    manual_power_watts: int | None


@dataclass(frozen=True, slots=True)
class SourcePool:
    """One ``pools`` row (its password is not carried, only whether it had one)."""

    source_id: int
    name: str
    url: str
    port: int
    user: str
    coin: str
    priority: int
    enabled: bool
    had_password: bool


@dataclass(slots=True)
class SourceConfig:
    """Everything but history."""

    miners: list[SourceMiner] = field(default_factory=list)
    pools: list[SourcePool] = field(default_factory=list)
    # Bands as upstream stored them (sort_order 0 = dearest, as ours).
    bands: list[dict[str, Any]] = field(default_factory=list)
    strategy_enabled: bool | None = None
    enrolled: set[int] = field(default_factory=set)
    alerts: list[tuple[str, bool, dict[str, Any]]] = field(default_factory=list)
    rules: list[SourceRule] = field(default_factory=list)


def _rows(conn: Connection, name: str, names: list[str]) -> list[Any]:
    source = table(name, *(column(c) for c in names))
    return list(conn.execute(select(*source.c).order_by(source.c[names[0]])))


def _int(raw: object) -> int | None:
    value = number(raw)
    return None if value is None else int(value)


def read_config(conn: Connection, schema: SourceSchema) -> SourceConfig:
    """Read the source's configuration (one short read)."""
    config = SourceConfig()
    cols = ["id", "name", "miner_type", "ip_address", "port", "enabled"]
    if schema.has("miners", "manual_power_watts"):
        cols.append("manual_power_watts")
    for row in _rows(conn, "miners", cols):
        values = row._mapping  # noqa: SLF001  (SQLAlchemy's public row mapping)
        config.miners.append(
            SourceMiner(
                source_id=int(values["id"]),
                name=str(values["name"] or f"Miner {values['id']}").strip(),
                raw_type=str(values["miner_type"] or ""),
                miner_type=miner_type(values["miner_type"]),
                host=str(values["ip_address"] or "").strip(),
                port=_int(values["port"]),
                enabled=bool(values["enabled"])
                if values["enabled"] is not None
                else True,
                manual_power_watts=_int(values.get("manual_power_watts")),
            )
        )
    pool_cols = ["id", "name", "url", "port", "user", "password", "enabled", "priority"]
    for row in _rows(conn, "pools", pool_cols):
        values = row._mapping  # noqa: SLF001
        port = _int(values["port"]) or 0
        name = str(values["name"] or values["url"] or "").strip()
        password = str(values["password"] or "").strip()
        config.pools.append(
            SourcePool(
                source_id=int(values["id"]),
                name=name,
                url=str(values["url"] or "").strip(),
                port=port,
                user=str(values["user"] or "").strip(),
                coin=pool_coin(name, str(values["url"] or ""), port),
                priority=_int(values["priority"]) or 0,
                enabled=bool(values["enabled"])
                if values["enabled"] is not None
                else True,
                had_password=password not in ("", "x", "X"),
            )
        )
    _read_strategy(conn, schema, config)
    for row in _rows(conn, "alert_config", ["id", "alert_type", "enabled", "config"]):
        values = row._mapping  # noqa: SLF001
        kind = str(values["alert_type"] or "")
        config.alerts.append(
            (
                _ALERT_ALIASES.get(kind, kind),
                bool(values["enabled"]),
                json_dict(values["config"]) or {},
            )
        )
    config.rules = _read_rules(conn, schema)
    return config


def _read_rules(conn: Connection, schema: SourceSchema) -> list[SourceRule]:
    names = ["id", "name", "enabled", "trigger_type", "action_type"]
    # Columns every HMM has; read only if there (the schema check needs fewer).
    names += [
        c
        for c in ("priority", "trigger_config", "action_config")
        if schema.has("automation_rules", c)
    ]
    rules: list[SourceRule] = []
    for row in _rows(conn, "automation_rules", names):
        values = row._mapping  # noqa: SLF001
        rules.append(
            SourceRule(
                source_id=int(values["id"]),
                name=str(values["name"] or ""),
                enabled=bool(values["enabled"]),
                priority=_int(values.get("priority")) or 0,
                trigger_type=str(values["trigger_type"] or ""),
                trigger_config=json_dict(values.get("trigger_config")) or {},
                action_type=str(values["action_type"] or ""),
                action_config=json_dict(values.get("action_config")) or {},
            )
        )
    return rules


def _read_strategy(
    conn: Connection, schema: SourceSchema, config: SourceConfig
) -> None:
    if schema.usable("agile_strategy"):
        first: Any = conn.execute(
            select(column("id"), column("enabled"))
            .select_from(table("agile_strategy"))
            .order_by(column("id"))
            .limit(1)
        ).first()
        if first is not None:
            config.strategy_enabled = bool(first.enabled)
            if schema.usable("agile_strategy_bands"):
                names = [
                    "sort_order",
                    "strategy_id",
                    "min_price",
                    "max_price",
                    "target_coin",
                    "bitaxe_mode",
                    "nerdqaxe_mode",
                    "avalon_nano_mode",
                ]
                for row in _rows(conn, "agile_strategy_bands", names):
                    values = row._mapping  # noqa: SLF001
                    if values["strategy_id"] != first.id:
                        continue
                    config.bands.append(
                        {
                            "sort_order": _int(values["sort_order"]) or 0,
                            "min_price": number(values["min_price"]),
                            "max_price": number(values["max_price"]),
                            "target_coin": str(values["target_coin"] or "").upper(),
                            "bitaxe_mode": band_mode(values["bitaxe_mode"]),
                            "nerdqaxe_mode": band_mode(values["nerdqaxe_mode"]),
                            "avalon_nano_mode": band_mode(values["avalon_nano_mode"]),
                        }
                    )
    if schema.usable("miner_strategy"):
        for row in _rows(conn, "miner_strategy", ["miner_id", "strategy_enabled"]):
            if row.strategy_enabled:
                config.enrolled.add(int(row.miner_id))


def merged_alert_config(
    alert_type: str, current: dict[str, Any], source: dict[str, Any]
) -> dict[str, Any] | None:
    """Our config for ``alert_type`` with upstream's values; None: no equivalent."""
    params = ALERT_PARAMS.get(alert_type)
    if params is None:
        return None
    merged = dict(current)
    for key in (*params, "cooldown_minutes"):
        value = source.get(key)
        if key == "threshold_celsius" and isinstance(value, dict):
            limits = {k: v for k, v in value.items() if number(v) is not None}
            base = merged.get(key)
            merged[key] = {**(base if isinstance(base, dict) else {}), **limits}
            continue
        if number(value) is None:
            continue
        if key == "threshold_celsius":
            # One figure upstream: it is the limit of every type it did not tune.
            base = merged.get(key)
            merged[key] = {
                **(base if isinstance(base, dict) else {}),
                "default": float(value),  # type: ignore[arg-type]
            }
        else:
            merged[key] = float(value)  # type: ignore[arg-type]
    return merged
