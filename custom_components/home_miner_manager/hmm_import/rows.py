"""Map one source row of each history table onto our columns.

Every mapper returns the target row, or a short reason when the row is
skipped (counted per reason in the response).  Telemetry is the hot path
(millions of rows): its JSON ``data`` is passed through as text unless the
unit it may carry is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
import json
from typing import TYPE_CHECKING, Any, Final

from ..db.rollup import hashrate_ghs
from .normalize import difficulty, json_dict, number, telemetry_hashrate

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

NOT_IMPORTED: Final = "miner_not_imported"
BAD_TIME: Final = "unreadable_timestamp"
BAD_DIFFICULTY: Final = "unreadable_difficulty"
BAD_HASHRATE: Final = "unreadable_hashrate"

type Mapped = dict[str, Any] | str  # a target row, or why it is skipped
type Mapper = Callable[[Mapping[str, Any]], Mapped]


@dataclass(frozen=True, slots=True)
class MinerLink:
    """Our miner row for a source miner id."""

    miner_id: int
    name: str
    miner_type: str


def parse_time(raw: object) -> datetime | None:
    """Return a naive UTC datetime from a driver's datetime or SQLite's text."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            return None
    else:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def text(raw: object, length: int) -> str | None:
    """Return a string column's value cut to the column's length (None if empty)."""
    if raw is None:
        return None
    value = str(raw)
    return value[:length] if value else None


def _count(raw: object) -> int | None:
    value = number(raw)
    return None if value is None else int(value)


def raw_json(raw: object) -> tuple[str | None, dict[str, Any] | None]:
    """Return (JSON text to store, the object if it had to be decoded).

    SQLite hands JSON columns over as text: kept as is, decoded only when it
    names a hashrate unit.  PostgreSQL's driver decodes them: encoded again.
    """
    if isinstance(raw, str):
        body = raw.strip()
        if not (body.startswith("{") and body.endswith("}")):
            return None, None
        if '"hashrate_unit"' not in body:
            return body, None
        decoded = json_dict(body)
        return (body, decoded) if decoded is not None else (None, None)
    if isinstance(raw, dict):
        return json.dumps(raw), raw
    return None, None


class RowMappers:
    """The mappers, knowing which source miner is which of ours."""

    def __init__(self, miners: Mapping[int, MinerLink]) -> None:
        """Map rows of ``miners`` (source id → our row); others are skipped."""
        self._miners = miners
        self.by_kind: dict[str, Mapper] = {
            "telemetry": self.telemetry,
            "telemetry_hourly": lambda row: self.rollup(row, "hour_start"),
            "telemetry_daily": lambda row: self.rollup(row, "date"),
            "high_diff_shares": self.share,
            "blocks_found": self.block,
            "energy_prices": price,
            "events": event,
            "audit_logs": self.audit,
        }

    def _link(self, row: Mapping[str, Any]) -> MinerLink | None:
        raw = row.get("miner_id")
        if type(raw) is not int:
            value = number(raw)
            raw = None if value is None else int(value)
        return None if raw is None else self._miners.get(raw)

    def telemetry(self, row: Mapping[str, Any]) -> Mapped:
        """Map one sample; the unit repaired, ``data`` kept as its JSON text."""
        link = self._link(row)
        if link is None:
            return NOT_IMPORTED
        stamp = parse_time(row.get("timestamp"))
        if stamp is None:
            return BAD_TIME
        data, decoded = raw_json(row.get("data"))
        rate = telemetry_hashrate(
            row.get("hashrate"), row.get("hashrate_unit"), decoded, link.miner_type
        )
        if rate is None:
            return BAD_HASHRATE
        temperature, watts = row.get("temperature"), row.get("power_watts")
        return {
            "miner_id": link.miner_id,
            "timestamp": stamp,
            "hashrate": rate[0],
            "hashrate_unit": rate[1],
            "temperature": temperature
            if type(temperature) is float
            else number(temperature),
            "power_watts": watts if type(watts) is float else number(watts),
            "shares_accepted": _count(row.get("shares_accepted")),
            "shares_rejected": _count(row.get("shares_rejected")),
            "pool_in_use": text(row.get("pool_in_use"), 255),
            "data": data,
        }

    def rollup(self, row: Mapping[str, Any], start_col: str) -> Mapped:
        """Map one upstream hourly or daily row; hashrates to GH/s."""
        link = self._link(row)
        if link is None:
            return NOT_IMPORTED
        start = parse_time(row.get(start_col))
        if start is None:
            return BAD_TIME
        unit = row.get("hashrate_unit")
        minutes = _count(row.get("uptime_minutes")) or 0
        return {
            "miner_id": link.miner_id,
            "period_start": start,
            # Upstream counted one row per minute.
            "sample_count": minutes,
            "online_seconds": minutes * 60.0,
            "hashrate_avg_ghs": hashrate_ghs(number(row.get("avg_hashrate")), unit),
            "hashrate_min_ghs": hashrate_ghs(number(row.get("min_hashrate")), unit),
            "hashrate_max_ghs": hashrate_ghs(number(row.get("max_hashrate")), unit),
            "temperature_avg": number(row.get("avg_temperature")),
            "temperature_max": number(row.get("peak_temperature")),
            "energy_kwh": number(row.get("total_kwh")) or 0.0,
            "shares_accepted": _count(row.get("shares_accepted")) or 0,
            "shares_rejected": _count(row.get("shares_rejected")) or 0,
            "reject_pct": number(row.get("reject_rate_pct")),
        }

    @staticmethod
    def _found(row: Mapping[str, Any], link: MinerLink) -> dict[str, Any]:
        return {
            "miner_id": link.miner_id,
            "miner_name": text(row.get("miner_name"), 100) or link.name[:100],
            "miner_type": text(row.get("miner_type"), 50) or link.miner_type,
            "coin": text(row.get("coin"), 10) or "BTC",
            "pool_name": text(row.get("pool_name"), 100) or "Unknown Pool",
            "hashrate": number(row.get("hashrate")),
            "hashrate_unit": text(row.get("hashrate_unit"), 10) or "GH/s",
            "miner_mode": text(row.get("miner_mode"), 20),
        }

    def share(self, row: Mapping[str, Any]) -> Mapped:
        """Map a best share; string difficulties ("270M") read as numbers."""
        link = self._link(row)
        if link is None:
            return NOT_IMPORTED
        stamp = parse_time(row.get("timestamp"))
        if stamp is None:
            return BAD_TIME
        value = difficulty(row.get("difficulty"))
        if value is None:
            return BAD_DIFFICULTY
        return {
            **self._found(row, link),
            "difficulty": value,
            "network_difficulty": difficulty(row.get("network_difficulty")),
            "was_block_solve": bool(row.get("was_block_solve") or False),
            "timestamp": stamp,
        }

    def block(self, row: Mapping[str, Any]) -> Mapped:
        """Map a block found."""
        link = self._link(row)
        if link is None:
            return NOT_IMPORTED
        stamp = parse_time(row.get("timestamp"))
        if stamp is None:
            return BAD_TIME
        value = difficulty(row.get("difficulty"))
        network = difficulty(row.get("network_difficulty"))
        if value is None or network is None:
            return BAD_DIFFICULTY
        return {
            **self._found(row, link),
            "difficulty": value,
            "network_difficulty": network,
            "block_height": _count(row.get("block_height")),
            "block_reward": number(row.get("block_reward")),
            "timestamp": stamp,
        }

    def audit(self, row: Mapping[str, Any]) -> Mapped:
        """Map an audit row; a miner's id becomes ours."""
        stamp = parse_time(row.get("timestamp"))
        if stamp is None:
            return BAD_TIME
        resource_type = text(row.get("resource_type"), 50) or "unknown"
        resource_id = _count(row.get("resource_id"))
        if resource_type == "miner" and resource_id is not None:
            link = self._miners.get(resource_id)
            resource_id = None if link is None else link.miner_id
        return {
            "timestamp": stamp,
            "user": text(row.get("user"), 100) or "system",
            "action": text(row.get("action"), 50) or "unknown",
            "resource_type": resource_type,
            "resource_id": resource_id,
            "resource_name": text(row.get("resource_name"), 255),
            "changes": json_dict(row.get("changes")),
            "ip_address": text(row.get("ip_address"), 45),
            "user_agent": text(row.get("user_agent"), 255),
            "status": text(row.get("status"), 20) or "success",
            "error_message": text(row.get("error_message"), 500),
        }


def price(row: Mapping[str, Any]) -> Mapped:
    """Map one half-hour price slot."""
    start, end = parse_time(row.get("valid_from")), parse_time(row.get("valid_to"))
    pence = number(row.get("price_pence"))
    if start is None or end is None:
        return BAD_TIME
    if pence is None:
        return "unreadable_price"
    return {
        "region": (text(row.get("region"), 1) or "H").upper(),
        "valid_from": start,
        "valid_to": end,
        "price_pence": pence,
        "created_at": parse_time(row.get("created_at")) or start,
    }


def event(row: Mapping[str, Any]) -> Mapped:
    """Map one event."""
    stamp = parse_time(row.get("timestamp"))
    if stamp is None:
        return BAD_TIME
    return {
        "timestamp": stamp,
        "event_type": text(row.get("event_type"), 50) or "info",
        "source": text(row.get("source"), 100) or "hmm",
        "message": text(row.get("message"), 500) or "",
        "data": json_dict(row.get("data")),
    }
