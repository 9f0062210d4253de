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

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    column,
    func,
    insert,
    select,
    table,
)

from ..db.rollup import (
    DAILY,
    HOURLY,
    floor_day,
    rollup,
)
from ..db.rollup_models import (
    TelemetryDaily,
)
from .rows import MinerLink, RowMappers
from .tables import CopySpec, copy_specs, table_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from .counts import ImportCounts
    from .schema import SourceSchema

ROLLUP_CHUNK: Final = timedelta(days=7)
ROLLUPS_KIND: Final = "telemetry_rollups"
EXPIRED: Final = "older_than_retention"
COVERED: Final = "day_rolled_up_from_raw"


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
        keep_since: Mapping[str, datetime] | None = None,
    ) -> None:
        """Import the history of ``miners`` (source id → our row).

        ``keep_since`` (kind → oldest time our retention keeps): older rows
        would go at the next nightly maintenance, and a later run would bring
        them back, so they are skipped, except raw telemetry of a miner-day
        that has no daily rollup yet (rolled up here, then purged as usual).
        """
        self._keep_since = dict(keep_since or {})
        self._source = source
        self._schema = schema
        self._miners = miners
        self._counts = counts
        self._batch = batch_size
        self._specs = [s for s in copy_specs() if schema.has(s.source, "id")]
        self._index = 0
        self._last_id: Any = None
        self._done = 0
        self._totals: dict[str, int] = {}
        self._raw_range: tuple[datetime, datetime] | None = None
        self._raw_miners: set[int] = set()
        self._rollup_at: datetime | None = None
        self._mappers = RowMappers(miners).by_kind

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

    def _read(self, spec: CopySpec) -> list[Mapping[str, Any]]:
        present = self._schema.columns.get(spec.source, frozenset())
        names = ["id", *(c for c in spec.columns if c in present and c != "id")]
        source = table(spec.source, *(column(name) for name in names))
        query = select(*source.c).order_by(source.c.id).limit(self._batch)
        if self._last_id is not None:
            query = query.where(source.c.id > self._last_id)
        with self._source.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]  # noqa: SLF001

    def _write(
        self, session: Session, spec: CopySpec, rows: list[Mapping[str, Any]]
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
        cutoff = self._keep_since.get(spec.kind)
        if cutoff is not None:
            self._drop_expired(session, spec, fresh, cutoff)
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
        if spec.kind == "telemetry_hourly" and fresh:
            # A day rolled up from raw rows is ours: maintenance rewrites its
            # hours from them and would drop upstream's hours beside them.
            for key in self._rolled_days(session, fresh, "period_start"):
                del fresh[key]
                counts.skipped[COVERED] += 1
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

    @staticmethod
    def _rolled_days(
        session: Session, rows: dict[tuple[Any, ...], dict[str, Any]], time_col: str
    ) -> list[tuple[Any, ...]]:
        """Keys of ``rows`` whose miner-day has a daily rollup here."""
        days = {(r["miner_id"], floor_day(r[time_col])) for r in rows.values()}
        daily = table_of(TelemetryDaily)
        rolled = set(
            session.execute(
                select(daily.c.miner_id, daily.c.period_start).where(
                    daily.c.miner_id.in_(sorted({m for m, _ in days})),
                    daily.c.period_start >= min(d for _, d in days),
                    daily.c.period_start <= max(d for _, d in days),
                )
            ).tuples()
        )
        return [
            key
            for key, row in rows.items()
            if (row["miner_id"], floor_day(row[time_col])) in rolled
        ]

    def _drop_expired(
        self,
        session: Session,
        spec: CopySpec,
        fresh: dict[tuple[Any, ...], dict[str, Any]],
        cutoff: datetime,
    ) -> None:
        """Take rows older than ``cutoff`` out of ``fresh`` (see ``keep_since``)."""
        counts = self._counts[spec.kind]
        old = {k: r for k, r in fresh.items() if r[spec.time_col] < cutoff}
        if not old:
            return
        if spec.kind != "telemetry":
            counts.skipped[EXPIRED] += len(old)
            for key in old:
                del fresh[key]
            return
        for key in self._rolled_days(session, old, "timestamp"):
            counts.already_there += 1  # rolled up here, raw rows purged
            del fresh[key]

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
