"""Copy history from the source in batches; a second run copies nothing.

Each :meth:`HistoryImport.step` reads one batch of one source table (by
primary key, so every batch is an index range on either database), maps it,
drops rows already in the target (natural keys: miner and time, region and
slot...) and inserts the rest in one executemany.  It blocks: the glue runs
each step in the database's executor and reports progress between steps.
Raw telemetry imported is rolled up again by our own rollup code (for the
imported miners only); upstream's hourly and daily rollups then fill the
periods whose raw rows upstream had already purged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import column, func, insert, select, table

from custom_components.home_miner_manager.db.models import (
    AuditLog,
    BlockFound,
    EnergyPrice,
    Event,
    HighDiffShare,
    Telemetry,
)
from custom_components.home_miner_manager.db.rollup import (
    DAILY,
    HOURLY,
    floor_day,
    hashrate_ghs,
    rollup,
)
from custom_components.home_miner_manager.db.rollup_models import (
    TelemetryDaily,
    TelemetryHourly,
)

from .normalize import difficulty, json_dict, number, telemetry_hashrate

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy import Engine, Table
    from sqlalchemy.orm import Session

    from .counts import ImportCounts
    from .schema import SourceSchema

ROLLUP_CHUNK: Final = timedelta(days=7)
ROLLUPS_KIND: Final = "telemetry_rollups"
NOT_IMPORTED: Final = "miner_not_imported"
BAD_TIME: Final = "unreadable_timestamp"
BAD_DIFFICULTY: Final = "unreadable_difficulty"
BAD_HASHRATE: Final = "unreadable_hashrate"


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


type _Mapped = dict[str, Any] | str  # a target row, or why it is skipped


@dataclass(frozen=True, slots=True)
class _Spec:
    kind: str
    source: str
    columns: tuple[str, ...]
    target: Table
    time_col: str
    key_cols: tuple[str, ...]
    per_miner: bool


def _t(model: type[Any]) -> Table:
    return cast("Table", model.__table__)


class HistoryImport:
    """Batches over every history table the source has."""

    def __init__(
        self,
        source: Engine,
        schema: SourceSchema,
        miners: Mapping[int, MinerLink],
        counts: ImportCounts,
        *,
        batch_size: int = 10_000,
    ) -> None:
        """Import the history of ``miners`` (source id → our row)."""
        self._source = source
        self._schema = schema
        self._miners = miners
        self._counts = counts
        self._batch = batch_size
        self._specs = [s for s in _specs() if schema.has(s.source, "id")]
        self._index = 0
        self._last_id: Any = None
        self._done = 0
        self._totals: dict[str, int] = {}
        self._raw_range: tuple[datetime, datetime] | None = None
        self._raw_miners: set[int] = set()
        self._rollup_at: datetime | None = None
        self._mappers: dict[str, Callable[[Mapping[str, Any]], _Mapped]] = {
            "telemetry": self._telemetry,
            "telemetry_hourly": self._hourly,
            "telemetry_daily": self._daily,
            "high_diff_shares": self._share,
            "blocks_found": self._block,
            "energy_prices": self._price,
            "events": self._event,
            "audit_logs": self._audit,
        }

    def totals(self) -> dict[str, int]:
        """Rows per source table (for progress).  BLOCKING."""
        with self._source.connect() as conn:
            for spec in self._specs:
                self._totals[spec.kind] = int(
                    conn.scalar(select(func.count()).select_from(table(spec.source)))
                    or 0
                )
        return dict(self._totals)

    def step(self, session: Session) -> tuple[str, int, int] | None:
        """Import the next batch; return (kind, done, total), None when finished.

        BLOCKING; ``session`` is on the target and committed by the caller.
        """
        if self._rollup_at is not None:
            return self._rollup_step(session)
        if self._index >= len(self._specs):
            return None
        spec = self._specs[self._index]
        rows = self._read(spec)
        if rows:
            self._write(session, spec, rows)
            self._last_id = rows[-1]["id"]
            self._done += len(rows)
        done = self._done
        total = max(self._totals.get(spec.kind, done), done)
        if len(rows) < self._batch:
            self._index += 1
            self._last_id = None
            self._done = 0
            if spec.kind == "telemetry" and self._raw_range is not None:
                self._rollup_at = floor_day(self._raw_range[0])
        return spec.kind, done, total

    # -- reading and writing -----------------------------------------------------

    def _read(self, spec: _Spec) -> list[Mapping[str, Any]]:
        present = self._schema.columns.get(spec.source, frozenset())
        names = ["id", *(c for c in spec.columns if c in present and c != "id")]
        source = table(spec.source, *(column(name) for name in names))
        query = select(*source.c).order_by(source.c.id).limit(self._batch)
        if self._last_id is not None:
            query = query.where(source.c.id > self._last_id)
        with self._source.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]  # noqa: SLF001

    def _write(
        self, session: Session, spec: _Spec, rows: list[Mapping[str, Any]]
    ) -> None:
        counts = self._counts[spec.kind]
        mapper = self._mappers[spec.kind]
        fresh: dict[tuple[Any, ...], dict[str, Any]] = {}
        for source_row in rows:
            mapped = mapper(source_row)
            if isinstance(mapped, str):
                counts.skipped[mapped] += 1
                continue
            key = tuple(mapped[c] for c in spec.key_cols)
            if key in fresh:
                counts.already_there += 1  # the source holds it twice
                continue
            fresh[key] = mapped
        if not fresh:
            return
        times = [row[spec.time_col] for row in fresh.values()]
        target = spec.target
        query = select(*(target.c[c] for c in spec.key_cols)).where(
            target.c[spec.time_col] >= min(times),
            target.c[spec.time_col] <= max(times),
        )
        if spec.per_miner:
            ids = sorted({row["miner_id"] for row in fresh.values()})
            query = query.where(target.c.miner_id.in_(ids))
        for found in session.execute(query):
            if fresh.pop(tuple(found), None) is not None:
                counts.already_there += 1
        if not fresh:
            return
        session.execute(insert(target), list(fresh.values()))
        counts.imported += len(fresh)
        if spec.kind == "telemetry":
            lo, hi = min(times), max(times)
            if self._raw_range is not None:
                lo, hi = min(lo, self._raw_range[0]), max(hi, self._raw_range[1])
            self._raw_range = (lo, hi)
            self._raw_miners.update(row["miner_id"] for row in fresh.values())

    def _rollup_step(self, session: Session) -> tuple[str, int, int]:
        """Roll the imported raw telemetry up, a week per step."""
        assert self._rollup_at is not None
        assert self._raw_range is not None
        start = self._rollup_at
        end_all = floor_day(self._raw_range[1]) + timedelta(days=1)
        end = min(start + ROLLUP_CHUNK, end_all)
        written = rollup(
            session.connection(),
            start,
            end,
            (HOURLY, DAILY),
            only_miners=sorted(self._raw_miners),
        )
        self._counts[ROLLUPS_KIND].imported += sum(written.values())
        weeks = max(1, -(-(end_all - floor_day(self._raw_range[0])).days // 7))
        done = -(-(end - floor_day(self._raw_range[0])).days // 7)
        self._rollup_at = None if end >= end_all else end
        return ROLLUPS_KIND, done, weeks

    # -- mapping, one source row each ----------------------------------------------

    def _link(self, row: Mapping[str, Any]) -> MinerLink | None:
        raw = number(row.get("miner_id"))
        return None if raw is None else self._miners.get(int(raw))

    def _telemetry(self, row: Mapping[str, Any]) -> _Mapped:
        link = self._link(row)
        if link is None:
            return NOT_IMPORTED
        stamp = parse_time(row.get("timestamp"))
        if stamp is None:
            return BAD_TIME
        data = json_dict(row.get("data"))
        rate = telemetry_hashrate(
            row.get("hashrate"), row.get("hashrate_unit"), data, link.miner_type
        )
        if rate is None:
            return BAD_HASHRATE
        mode = row.get("mode")
        if mode and data is not None and "current_mode" not in data:
            data = {**data, "current_mode": str(mode)}
        accepted, rejected = (
            number(row.get("shares_accepted")),
            number(row.get("shares_rejected")),
        )
        return {
            "miner_id": link.miner_id,
            "timestamp": stamp,
            "hashrate": rate[0],
            "hashrate_unit": rate[1],
            "temperature": number(row.get("temperature")),
            "power_watts": number(row.get("power_watts")),
            "shares_accepted": None if accepted is None else int(accepted),
            "shares_rejected": None if rejected is None else int(rejected),
            "pool_in_use": _text(row.get("pool_in_use"), 255),
            "data": data,
        }

    def _rollup_row(self, row: Mapping[str, Any], start_col: str) -> _Mapped:
        link = self._link(row)
        if link is None:
            return NOT_IMPORTED
        start = parse_time(row.get(start_col))
        if start is None:
            return BAD_TIME
        unit = row.get("hashrate_unit")
        minutes = int(number(row.get("uptime_minutes")) or 0)
        accepted = int(number(row.get("shares_accepted")) or 0)
        rejected = int(number(row.get("shares_rejected")) or 0)
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
            "shares_accepted": accepted,
            "shares_rejected": rejected,
            "reject_pct": number(row.get("reject_rate_pct")),
        }

    def _hourly(self, row: Mapping[str, Any]) -> _Mapped:
        return self._rollup_row(row, "hour_start")

    def _daily(self, row: Mapping[str, Any]) -> _Mapped:
        return self._rollup_row(row, "date")

    def _found(self, row: Mapping[str, Any], link: MinerLink) -> dict[str, Any]:
        return {
            "miner_id": link.miner_id,
            "miner_name": _text(row.get("miner_name"), 100) or link.name[:100],
            "miner_type": _text(row.get("miner_type"), 50) or link.miner_type,
            "coin": _text(row.get("coin"), 10) or "BTC",
            "pool_name": _text(row.get("pool_name"), 100) or "Unknown Pool",
            "hashrate": number(row.get("hashrate")),
            "hashrate_unit": _text(row.get("hashrate_unit"), 10) or "GH/s",
            "miner_mode": _text(row.get("miner_mode"), 20),
        }

    def _share(self, row: Mapping[str, Any]) -> _Mapped:
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

    def _block(self, row: Mapping[str, Any]) -> _Mapped:
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
        height = number(row.get("block_height"))
        return {
            **self._found(row, link),
            "difficulty": value,
            "network_difficulty": network,
            "block_height": None if height is None else int(height),
            "block_reward": number(row.get("block_reward")),
            "timestamp": stamp,
        }

    def _price(self, row: Mapping[str, Any]) -> _Mapped:
        start, end = parse_time(row.get("valid_from")), parse_time(row.get("valid_to"))
        price = number(row.get("price_pence"))
        if start is None or end is None:
            return BAD_TIME
        if price is None:
            return "unreadable_price"
        return {
            "region": (_text(row.get("region"), 1) or "H").upper(),
            "valid_from": start,
            "valid_to": end,
            "price_pence": price,
            "created_at": parse_time(row.get("created_at")) or start,
        }

    def _event(self, row: Mapping[str, Any]) -> _Mapped:
        stamp = parse_time(row.get("timestamp"))
        if stamp is None:
            return BAD_TIME
        return {
            "timestamp": stamp,
            "event_type": _text(row.get("event_type"), 50) or "info",
            "source": _text(row.get("source"), 100) or "hmm",
            "message": _text(row.get("message"), 500) or "",
            "data": json_dict(row.get("data")),
        }

    def _audit(self, row: Mapping[str, Any]) -> _Mapped:
        stamp = parse_time(row.get("timestamp"))
        if stamp is None:
            return BAD_TIME
        resource_type = _text(row.get("resource_type"), 50) or "unknown"
        resource_id = number(row.get("resource_id"))
        if resource_type == "miner" and resource_id is not None:
            link = self._miners.get(int(resource_id))
            resource_id = None if link is None else link.miner_id
        return {
            "timestamp": stamp,
            "user": _text(row.get("user"), 100) or "system",
            "action": _text(row.get("action"), 50) or "unknown",
            "resource_type": resource_type,
            "resource_id": None if resource_id is None else int(resource_id),
            "resource_name": _text(row.get("resource_name"), 255),
            "changes": json_dict(row.get("changes")),
            "ip_address": _text(row.get("ip_address"), 45),
            "user_agent": _text(row.get("user_agent"), 255),
            "status": _text(row.get("status"), 20) or "success",
            "error_message": _text(row.get("error_message"), 500),
        }


def _text(raw: object, length: int) -> str | None:
    if raw is None:
        return None
    text = str(raw)
    return text[:length] if text else None


_FOUND_COLUMNS: Final = (
    "miner_id",
    "miner_name",
    "miner_type",
    "coin",
    "pool_name",
    "difficulty",
    "network_difficulty",
    "hashrate",
    "hashrate_unit",
    "miner_mode",
    "timestamp",
)
_ROLLUP_COLUMNS: Final = (
    "miner_id",
    "uptime_minutes",
    "avg_hashrate",
    "min_hashrate",
    "max_hashrate",
    "hashrate_unit",
    "avg_temperature",
    "peak_temperature",
    "total_kwh",
    "shares_accepted",
    "shares_rejected",
    "reject_rate_pct",
)


def _specs() -> list[_Spec]:
    telemetry = _t(Telemetry)
    return [
        _Spec(
            "telemetry",
            "telemetry",
            (*(c.name for c in telemetry.columns if c.name != "id"), "mode"),
            telemetry,
            "timestamp",
            ("miner_id", "timestamp"),
            per_miner=True,
        ),
        _Spec(
            "telemetry_hourly",
            "telemetry_hourly",
            (*_ROLLUP_COLUMNS, "hour_start"),
            _t(TelemetryHourly),
            "period_start",
            ("miner_id", "period_start"),
            per_miner=True,
        ),
        _Spec(
            "telemetry_daily",
            "telemetry_daily",
            (*_ROLLUP_COLUMNS, "date"),
            _t(TelemetryDaily),
            "period_start",
            ("miner_id", "period_start"),
            per_miner=True,
        ),
        _Spec(
            "high_diff_shares",
            "high_diff_shares",
            (*_FOUND_COLUMNS, "was_block_solve"),
            _t(HighDiffShare),
            "timestamp",
            ("miner_id", "timestamp", "difficulty"),
            per_miner=True,
        ),
        _Spec(
            "blocks_found",
            "blocks_found",
            (*_FOUND_COLUMNS, "block_height", "block_reward"),
            _t(BlockFound),
            "timestamp",
            ("miner_id", "timestamp"),
            per_miner=True,
        ),
        _Spec(
            "energy_prices",
            "energy_prices",
            ("region", "valid_from", "valid_to", "price_pence", "created_at"),
            _t(EnergyPrice),
            "valid_from",
            ("region", "valid_from"),
            per_miner=False,
        ),
        _Spec(
            "events",
            "events",
            ("timestamp", "event_type", "source", "message", "data"),
            _t(Event),
            "timestamp",
            ("timestamp", "event_type", "message"),
            per_miner=False,
        ),
        _Spec(
            "audit_logs",
            "audit_logs",
            tuple(c.name for c in _t(AuditLog).columns if c.name != "id"),
            _t(AuditLog),
            "timestamp",
            ("timestamp", "action", "resource_type", "resource_name"),
            per_miner=False,
        ),
    ]
