"""The strategy's rows in the hub's database: audit log and event entries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ..db.models import AuditLog, Event, utcnow

if TYPE_CHECKING:
    from ..audit import Actor
    from ..db.database import Database
    from ..miner.coordinator import MinerCoordinator

SOURCE: Final = "agile_strategy"


class StrategyRecords:
    """Queues the strategy's audit and event rows (written in the background)."""

    def __init__(self, database: Database) -> None:
        """Write to ``database``; :attr:`strategy_id` is set once it is loaded."""
        self.database = database
        self.strategy_id = 0

    def audit(
        self,
        actor: Actor,
        action: str,
        *,
        changes: dict[str, Any] | None = None,
        miner: MinerCoordinator | None = None,
        status: str = "success",
        error: str | None = None,
    ) -> None:
        """Queue an audit row about the strategy, or one miner it acted on."""
        self.database.queue_insert(
            AuditLog,
            timestamp=utcnow(),
            user=actor.user,
            ip_address=actor.ip_address,
            user_agent=actor.user_agent,
            action=action,
            resource_type="miner" if miner is not None else SOURCE,
            resource_id=miner.miner_id if miner is not None else self.strategy_id,
            resource_name=(miner.subentry.title if miner else "Agile strategy")[:255],
            changes=changes,
            status=status,
            error_message=(error or "")[:500] or None,
        )

    def event(self, event_type: str, message: str, data: dict[str, Any]) -> None:
        """Queue an ``events`` row from the strategy."""
        self.database.queue_insert(
            Event,
            timestamp=utcnow(),
            event_type=event_type,
            source=SOURCE,
            message=message[:500],
            data=data,
        )
