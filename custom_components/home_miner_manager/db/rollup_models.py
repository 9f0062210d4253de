"""Hourly and daily telemetry rollups (tables beside the 18-table contract).

Hashrates here are normalized to GH/s whatever unit the device reported.
Share columns are counter *deltas* within the period (reboots handled), not
the lifetime counters raw telemetry carries.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003  (SQLAlchemy reads annotations)

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from .base import DATETIME, DOUBLE, Base


class _RollupColumns:
    """Columns shared by the hourly and daily rollups."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)

    @declared_attr
    def miner_id(cls) -> Mapped[int]:  # noqa: N805  (declared_attr takes the class)
        """Owning miner; rollups go when the miner goes."""
        # No single-column index: the unique (miner_id, period_start) covers it.
        return mapped_column(Integer, ForeignKey("miners.id", ondelete="CASCADE"))

    period_start: Mapped[datetime] = mapped_column(DATETIME, index=True)
    sample_count: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds covered by samples (each sample counts until the next one, capped),
    # i.e. how long the miner was seen online in the period.
    online_seconds: Mapped[float] = mapped_column(DOUBLE, default=0.0)
    hashrate_avg_ghs: Mapped[float | None] = mapped_column(DOUBLE)
    hashrate_min_ghs: Mapped[float | None] = mapped_column(DOUBLE)
    hashrate_max_ghs: Mapped[float | None] = mapped_column(DOUBLE)
    temperature_avg: Mapped[float | None] = mapped_column(DOUBLE)
    temperature_max: Mapped[float | None] = mapped_column(DOUBLE)
    energy_kwh: Mapped[float] = mapped_column(DOUBLE, default=0.0)
    shares_accepted: Mapped[int] = mapped_column(Integer, default=0)
    shares_rejected: Mapped[int] = mapped_column(Integer, default=0)
    reject_pct: Mapped[float | None] = mapped_column(DOUBLE)


class TelemetryHourly(_RollupColumns, Base):
    """One miner-hour of telemetry (kept ``hourly_rollup_days``)."""

    __tablename__ = "telemetry_hourly"
    __table_args__ = (
        UniqueConstraint(
            "miner_id", "period_start", name="uq_telemetry_hourly_miner_period"
        ),
    )


class TelemetryDaily(_RollupColumns, Base):
    """One miner-day (UTC day) of telemetry, kept forever."""

    __tablename__ = "telemetry_daily"
    __table_args__ = (
        UniqueConstraint(
            "miner_id", "period_start", name="uq_telemetry_daily_miner_period"
        ),
    )


ROLLUP_MODELS: tuple[type[Base], ...] = (TelemetryHourly, TelemetryDaily)
