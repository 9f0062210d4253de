"""Check that a pool switch shows in the miner's polls, or say it did not.

Drivers report success when the miner accepted the new settings; whether it
then mines there shows only in later polls (an Avalon reboots first). Until the
deadline every poll is compared with the pool asked for: a match records the
change; none by then leaves an Event row, a failed AuditLog row and a repair
issue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later

from ..audit import Actor, queue_audit, queue_event
from ..const import DOMAIN, POOL_SWITCH_DEADLINE
from ..pools.pool_match import same_user, snapshot_user
from ..pools.url import PoolAddress, pool_in_use_address
from .issues import pool_switch_issue_id

if TYPE_CHECKING:
    from datetime import datetime

    from homeassistant.config_entries import ConfigSubentry

    from ..devices.snapshot import MinerSnapshot
    from .runtime import MinerServices


class SwitchingMiner(Protocol):
    """What a pool switch watch needs of a miner (``MinerCoordinator`` has it)."""

    name: str
    miner_id: int
    subentry: ConfigSubentry
    services: MinerServices
    # The watch in progress, cleared by the watch itself when it ends.
    pool_watch: PoolSwitchWatch | None

    @property
    def data(self) -> MinerSnapshot:
        """Return the latest poll."""

    @property
    def available(self) -> bool:
        """Return whether the latest poll is current."""

    def async_add_listener(self, update_callback: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update_callback`` after every poll."""


class PoolSwitchWatch:
    """Follows one miner's polls after a pool switch (one watch per miner)."""

    def __init__(
        self,
        hass: HomeAssistant,
        coordinator: SwitchingMiner,
        pool_name: str,
        address: PoolAddress,
        *,
        user: str,
        actor: Actor,
    ) -> None:
        """Start watching; :meth:`cancel` stops it."""
        self._hass = hass
        self._coordinator = coordinator
        self._pool_name = pool_name
        self._address = address
        self._user = user
        self._actor = actor
        self._unsubs: list[CALLBACK_TYPE] = [
            coordinator.async_add_listener(self._async_check),
            async_call_later(hass, POOL_SWITCH_DEADLINE, self._async_timeout),
        ]

    @callback
    def cancel(self) -> None:
        """Stop watching (a newer switch, or the miner is removed)."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    def _shows_target(self) -> bool:
        """Tell whether the last poll shows the pool asked for.

        Pools for several coins may share one stratum server, so the user is
        compared too when the miner reports it (not every driver does).
        """
        data = self._coordinator.data
        if pool_in_use_address(data.pool_in_use) != self._address:
            return False
        reported = snapshot_user(data)
        return reported is None or same_user(reported, self._user)

    @callback
    def _async_check(self) -> None:
        coordinator = self._coordinator
        if not coordinator.available or not self._shows_target():
            return
        self._finish()
        ir.async_delete_issue(
            self._hass, DOMAIN, pool_switch_issue_id(coordinator.subentry.subentry_id)
        )
        queue_event(
            coordinator.services.database,
            event_type="pool_changed",
            source=f"miner:{coordinator.name}",
            message=f"{coordinator.name} now mines on {self._pool_name}",
            data={"miner": coordinator.name, "pool": self._pool_name},
        )

    @callback
    def _async_timeout(self, _now: datetime) -> None:
        coordinator = self._coordinator
        self._finish()
        minutes = int(POOL_SWITCH_DEADLINE.total_seconds() // 60)
        message = (
            f"{coordinator.name} does not show {self._pool_name} "
            f"{minutes} minutes after the switch"
        )
        queue_event(
            coordinator.services.database,
            event_type="pool_switch_failed",
            source=f"miner:{coordinator.name}",
            message=message,
            data={"miner": coordinator.name, "pool": self._pool_name},
        )
        queue_audit(
            coordinator.services.database,
            actor=self._actor,
            action="pool_switch_verified",
            resource_id=coordinator.miner_id,
            resource_name=coordinator.name,
            changes={"pool": self._pool_name},
            status="failure",
            error_message=message,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            pool_switch_issue_id(coordinator.subentry.subentry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="pool_switch_failed",
            translation_placeholders={
                "name": coordinator.name,
                "pool": self._pool_name,
                "minutes": str(minutes),
            },
        )

    def _finish(self) -> None:
        self.cancel()
        if self._coordinator.pool_watch is self:
            self._coordinator.pool_watch = None
