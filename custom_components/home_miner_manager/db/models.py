"""SQLAlchemy models for the 18 tables of the HMM schema contract.

Table and column names, types, lengths and nullability follow the upstream
schema reference exactly, so a database written by upstream HMM can be read.
Timestamps are naive UTC, as upstream stores them.  Rollup and bookkeeping
tables live in ``rollup_models.py`` and ``migrations.py``; the base, column types
and time helpers in ``base.py``.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003  (SQLAlchemy reads annotations)
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import DATETIME, DOUBLE, NULLABLE_JSON, Base, utcnow


def _miner_fk() -> ForeignKey:
    return ForeignKey("miners.id", ondelete="CASCADE")


class Miner(Base):
    """A miner and its configuration (pool in use comes from Telemetry)."""

    __tablename__ = "miners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    miner_type: Mapped[str] = mapped_column(String(50))
    ip_address: Mapped[str] = mapped_column(String(45))
    port: Mapped[int | None] = mapped_column(Integer)
    current_mode: Mapped[str | None] = mapped_column(String(20))
    firmware_version: Mapped[str | None] = mapped_column(String(100))
    manual_power_watts: Mapped[int | None] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    last_mode_change: Mapped[datetime | None] = mapped_column(DATETIME)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DATETIME, default=utcnow, onupdate=utcnow
    )


class Telemetry(Base):
    """One telemetry sample; hashrate is stored in the unit the device reported."""

    __tablename__ = "telemetry"
    __table_args__ = (Index("ix_telemetry_miner_timestamp", "miner_id", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    miner_id: Mapped[int] = mapped_column(Integer, _miner_fk(), index=True)
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)
    hashrate: Mapped[float | None] = mapped_column(DOUBLE)
    hashrate_unit: Mapped[str | None] = mapped_column(String(10))
    temperature: Mapped[float | None] = mapped_column(DOUBLE)
    power_watts: Mapped[float | None] = mapped_column(DOUBLE)
    shares_accepted: Mapped[int | None] = mapped_column(Integer)
    shares_rejected: Mapped[int | None] = mapped_column(Integer)
    pool_in_use: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)


class Pool(Base):
    """A mining pool. ``password`` must never reach logs or diagnostics."""

    __tablename__ = "pools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer)
    user: Mapped[str] = mapped_column(String(255))
    password: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    network_difficulty: Mapped[float | None] = mapped_column(DOUBLE)
    network_difficulty_updated_at: Mapped[datetime | None] = mapped_column(DATETIME)
    best_share: Mapped[float | None] = mapped_column(DOUBLE)
    best_share_updated_at: Mapped[datetime | None] = mapped_column(DATETIME)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)

    def __repr__(self) -> str:
        """Leave the password out of reprs (they end up in logs)."""
        return f"Pool(id={self.id!r}, name={self.name!r}, url={self.url!r})"


class BlockFound(Base):
    """A block solved by one of our miners."""

    __tablename__ = "blocks_found"
    __table_args__ = (Index("idx_miner_coin", "miner_id", "coin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    miner_id: Mapped[int] = mapped_column(Integer, _miner_fk(), index=True)
    miner_name: Mapped[str] = mapped_column(String(100))
    miner_type: Mapped[str] = mapped_column(String(50))
    coin: Mapped[str] = mapped_column(String(10), index=True)
    pool_name: Mapped[str] = mapped_column(String(100))
    difficulty: Mapped[float] = mapped_column(DOUBLE)
    network_difficulty: Mapped[float] = mapped_column(DOUBLE)
    block_height: Mapped[int | None] = mapped_column(Integer)
    block_reward: Mapped[float | None] = mapped_column(DOUBLE)
    hashrate: Mapped[float | None] = mapped_column(DOUBLE)
    hashrate_unit: Mapped[str] = mapped_column(String(10))
    miner_mode: Mapped[str | None] = mapped_column(String(20))
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)


class HighDiffShare(Base):
    """A new session-best share (the leaderboard)."""

    __tablename__ = "high_diff_shares"
    __table_args__ = (Index("idx_difficulty_timestamp", "difficulty", "timestamp"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    miner_id: Mapped[int] = mapped_column(Integer, _miner_fk(), index=True)
    miner_name: Mapped[str] = mapped_column(String(100))
    miner_type: Mapped[str] = mapped_column(String(50))
    coin: Mapped[str] = mapped_column(String(10))
    pool_name: Mapped[str] = mapped_column(String(100))
    difficulty: Mapped[float] = mapped_column(DOUBLE, index=True)
    network_difficulty: Mapped[float | None] = mapped_column(DOUBLE)
    was_block_solve: Mapped[bool] = mapped_column(Boolean, default=False)
    hashrate: Mapped[float | None] = mapped_column(DOUBLE)
    hashrate_unit: Mapped[str] = mapped_column(String(10))
    miner_mode: Mapped[str | None] = mapped_column(String(20))
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)


class EnergyPrice(Base):
    """One Octopus Agile half-hour slot."""

    __tablename__ = "energy_prices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(1), index=True)
    valid_from: Mapped[datetime] = mapped_column(DATETIME, index=True)
    valid_to: Mapped[datetime] = mapped_column(DATETIME)
    price_pence: Mapped[float] = mapped_column(DOUBLE)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)


class CryptoPrice(Base):
    """Latest price of one coin in GBP."""

    __tablename__ = "crypto_prices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coin_id: Mapped[str] = mapped_column(String(50), unique=True)
    price_gbp: Mapped[float] = mapped_column(DOUBLE)
    source: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(
        DATETIME, default=utcnow, onupdate=utcnow
    )


class AutomationRule(Base):
    """A user-defined automation rule."""

    __tablename__ = "automation_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    trigger_type: Mapped[str] = mapped_column(String(50))
    trigger_config: Mapped[dict[str, Any]] = mapped_column(JSON)
    action_type: Mapped[str] = mapped_column(String(50))
    action_config: Mapped[dict[str, Any]] = mapped_column(JSON)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    last_executed_at: Mapped[datetime | None] = mapped_column(DATETIME)
    last_execution_context: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)


class AgileStrategy(Base):
    """State of the Agile Solo strategy (one row)."""

    __tablename__ = "agile_strategy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    current_price_band: Mapped[str | None] = mapped_column(String(20))
    hysteresis_counter: Mapped[int] = mapped_column(Integer, default=0)
    last_action_time: Mapped[datetime | None] = mapped_column(DATETIME)
    last_price_checked: Mapped[float | None] = mapped_column(DOUBLE)
    state_data: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DATETIME, default=utcnow, onupdate=utcnow
    )


class AgileStrategyBand(Base):
    """One price band of the strategy and the mode per miner family."""

    __tablename__ = "agile_strategy_bands"
    __table_args__ = (
        Index("ix_strategy_bands_unique", "strategy_id", "sort_order", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("agile_strategy.id", ondelete="CASCADE")
    )
    min_price: Mapped[float | None] = mapped_column(DOUBLE)
    max_price: Mapped[float | None] = mapped_column(DOUBLE)
    target_coin: Mapped[str] = mapped_column(String(10))
    bitaxe_mode: Mapped[str] = mapped_column(String(20))
    nerdqaxe_mode: Mapped[str] = mapped_column(String(20))
    avalon_nano_mode: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DATETIME, default=utcnow, onupdate=utcnow
    )


class MinerStrategy(Base):
    """Enrollment of one miner in the Agile strategy."""

    __tablename__ = "miner_strategy"
    __table_args__ = (Index("ix_miner_strategy_unique", "miner_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    miner_id: Mapped[int] = mapped_column(Integer, _miner_fk(), index=True)
    strategy_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)


class HealthScore(Base):
    """A miner health score at one point in time."""

    __tablename__ = "health_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    miner_id: Mapped[int] = mapped_column(Integer, _miner_fk(), index=True)
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)
    overall_score: Mapped[float] = mapped_column(DOUBLE)
    uptime_score: Mapped[float] = mapped_column(DOUBLE)
    temperature_score: Mapped[float | None] = mapped_column(DOUBLE)
    hashrate_score: Mapped[float] = mapped_column(DOUBLE)
    reject_rate_score: Mapped[float] = mapped_column(DOUBLE)
    details: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)


class PoolHealth(Base):
    """One pool health check."""

    __tablename__ = "pool_health"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("pools.id", ondelete="CASCADE"), index=True
    )
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)
    response_time_ms: Mapped[float | None] = mapped_column(DOUBLE)
    is_reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    reject_rate: Mapped[float | None] = mapped_column(DOUBLE)
    shares_accepted: Mapped[int | None] = mapped_column(Integer)
    shares_rejected: Mapped[int | None] = mapped_column(Integer)
    health_score: Mapped[float | None] = mapped_column(DOUBLE)
    luck_percentage: Mapped[float | None] = mapped_column(DOUBLE)
    error_message: Mapped[str | None] = mapped_column(String(500))


class Event(Base):
    """A system event or alert."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)
    event_type: Mapped[str] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)


class AuditLog(Base):
    """A configuration change or action, for the audit trail."""

    __tablename__ = "audit_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)
    user: Mapped[str] = mapped_column(String(100), default="system")
    action: Mapped[str] = mapped_column(String(50), index=True)
    resource_type: Mapped[str] = mapped_column(String(50), index=True)
    resource_id: Mapped[int | None] = mapped_column(Integer)
    resource_name: Mapped[str | None] = mapped_column(String(255))
    changes: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="success")
    error_message: Mapped[str | None] = mapped_column(String(500))


class NotificationConfig(Base):
    """A notification channel (Telegram, Discord); ``config`` holds tokens."""

    __tablename__ = "notification_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_type: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DATETIME, default=utcnow, onupdate=utcnow
    )

    def __repr__(self) -> str:
        """Leave the channel secrets out of reprs."""
        return f"NotificationConfig(id={self.id!r}, channel_type={self.channel_type!r})"


class AlertConfig(Base):
    """Settings of one alert type."""

    __tablename__ = "alert_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_type: Mapped[str] = mapped_column(String(50), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any] | None] = mapped_column(NULLABLE_JSON)
    created_at: Mapped[datetime] = mapped_column(DATETIME, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DATETIME, default=utcnow, onupdate=utcnow
    )


class NotificationLog(Base):
    """One notification sent (or attempted)."""

    __tablename__ = "notification_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    timestamp: Mapped[datetime] = mapped_column(DATETIME, default=utcnow, index=True)
    channel_type: Mapped[str] = mapped_column(String(20))
    alert_type: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(String(1000))
    success: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500))


SEED_MODELS: tuple[type[Base], ...] = (
    Miner,
    Telemetry,
    Pool,
    BlockFound,
    HighDiffShare,
    EnergyPrice,
    CryptoPrice,
    AutomationRule,
    AgileStrategy,
    AgileStrategyBand,
    MinerStrategy,
    HealthScore,
    PoolHealth,
    Event,
    AuditLog,
    NotificationConfig,
    AlertConfig,
    NotificationLog,
)
