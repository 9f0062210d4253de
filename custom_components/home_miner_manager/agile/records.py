"""The strategy's rows in the hub's database: audit log and event entries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ..audit import RESOURCE_MINER, queue_audit, queue_event

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
        queue_audit(
            self.database,
            actor=actor,
            action=action,
            resource_type=RESOURCE_MINER if miner is not None else SOURCE,
            resource_id=miner.miner_id if miner is not None else self.strategy_id,
            resource_name=miner.subentry.title if miner else "Agile strategy",
            changes=changes,
            status=status,
            error_message=error,
        )

    def event(self, event_type: str, message: str, data: dict[str, Any]) -> None:
        """Queue an ``events`` row from the strategy."""
        queue_event(
            self.database,
            event_type=event_type,
            source=SOURCE,
            message=message,
            data=data,
        )
