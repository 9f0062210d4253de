"""Failover: a pool's miners moved to its ``failover_to`` pool, and back.

After two failed checks in a row (:func:`.pools.pool_score.failover_decision`)
the miners on a pool move to its target; once the pool has been up for 15
minutes they come back. Each move leaves an Event and an AuditLog row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from homeassistant.exceptions import HomeAssistantError

from ..audit import RESOURCE_POOL, async_actor, queue_audit, queue_event
from ..miner.commands import async_switch_pool
from ..pools.pool_score import FailoverAction, failover_decision
from .lookup import ListedPool

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from datetime import datetime

    from homeassistant.core import HomeAssistant

    from ..db import Database
    from ..miner.coordinator import MinerCoordinator


class FailoverPool(ListedPool, Protocol):
    """What a failover reads of a pool (``PoolCoordinator`` has it)."""

    @property
    def pool_id(self) -> int:
        """Return the pool's row id."""


class PoolFailover:
    """One pool's failover: holds the miners it moved away, to bring back."""

    def __init__(
        self,
        hass: HomeAssistant,
        database: Database,
        miners: Mapping[str, MinerCoordinator],
        pool: FailoverPool,
    ) -> None:
        """Follow ``pool``; ``miners`` are the hub's, by subentry id."""
        self._hass = hass
        self._database = database
        self._miners = miners
        self._pool = pool
        # Miners moved away (subentry ids), to bring back.
        self.failed_over: list[str] = []

    async def async_step(
        self,
        checks: Iterable[tuple[datetime, bool]],
        now: datetime,
        target: FailoverPool,
        *,
        target_reachable: bool | None,
        on_pool: Callable[[], list[MinerCoordinator]],
    ) -> None:
        """Move the miners ``on_pool`` to ``target``, or back, as the checks say."""
        action = failover_decision(
            list(checks),
            failed_over=bool(self.failed_over),
            now=now,
            target_reachable=target_reachable,
        )
        if action is FailoverAction.FAIL_OVER:
            miners = on_pool()
            if not miners:
                return
            self.failed_over = [miner.subentry.subentry_id for miner in miners]
            await self._async_move(miners, target, "pool_failover")
        elif action is FailoverAction.FAIL_BACK:
            miners = [
                self._miners[subentry_id]
                for subentry_id in self.failed_over
                if subentry_id in self._miners
            ]
            self.failed_over = []
            await self._async_move(miners, self._pool, "pool_failback")

    async def _async_move(
        self, miners: list[MinerCoordinator], to: FailoverPool, action: str
    ) -> None:
        """Switch ``miners`` to ``to``; an Event and an AuditLog row each way."""
        title = self._pool.title
        names = [miner.name for miner in miners]
        queue_event(
            self._database,
            event_type=action,
            source=f"pool:{title}",
            message=(
                f"Pool {title} unreachable: moving {', '.join(names)} to {to.title}"
                if action == "pool_failover"
                else f"Pool {title} is back: moving {', '.join(names)} back"
            ),
            data={"from": title, "to": to.title, "miners": names},
        )
        errors: list[str] = []
        for miner in miners:
            try:
                await async_switch_pool(miner, to.subentry)
            except HomeAssistantError as err:
                errors.append(f"{miner.name}: {err}")
        queue_audit(
            self._database,
            actor=await async_actor(self._hass),
            action=action,
            resource_id=self._pool.pool_id,
            resource_name=title,
            changes={"to": to.title, "miners": names},
            status="failure" if errors else "success",
            error_message="; ".join(errors) or None,
            resource_type=RESOURCE_POOL,
        )
