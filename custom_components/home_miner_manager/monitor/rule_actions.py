"""What a rule does when its trigger holds: modes, pools, alerts, events, HA entities.

Miners the Agile strategy drives are left to it (skipped, with an event).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import HomeAssistantError

from ..audit import queue_event
from ..const import DOMAIN
from ..miner.commands import async_set_mode, async_switch_pool
from ..notifications import Message

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from ..db.database import Database
    from ..miner.coordinator import MinerCoordinator
    from .notify_channels import Notifier
    from .watched import Watched


class RuleActions:
    """Runs rule actions on the hub's miners, pools, channels and Home Assistant."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        database: Database,
        notifier: Notifier,
        watched: Watched,
    ) -> None:
        """Keep what actions act on."""
        self._hass = hass
        self._database = database
        self._notifier = notifier
        self._watched = watched

    async def async_run(
        self, name: str, action: str, config: dict[str, Any], occasion: str
    ) -> tuple[list[str], list[str]]:
        """Run one action; return its errors and the miners it left alone."""
        errors: list[str] = []
        skipped: list[str] = []
        strategy = self._watched.strategy
        enrolled = strategy.enrolled if strategy.enabled else set()
        if action in ("apply_mode", "switch_pool"):
            for subentry_id in config.get("miners") or []:
                miner = self._watched.coordinators.get(subentry_id)
                if miner is None:
                    continue
                if miner.miner_id in enrolled:
                    skipped.append(miner.name)
                    continue
                try:
                    await self._async_miner_action(action, config, miner)
                except HomeAssistantError as err:
                    errors.append(f"{miner.name}: {err}")
        elif action == "alert":
            message = Message.titled(
                name, str(config.get("message", "")), alert_type="rule"
            )
            notifier = self._notifier
            sent = await notifier.async_send(message, notifier.senders())
            errors += [
                f"{channel.name}: {result.error}"
                for channel, result in sent
                if not result.success
            ]
        elif action == "log_event":
            queue_event(
                self._database,
                event_type="rule_event",
                source=f"rule:{name}",
                message=str(config.get("message", "")),
                data={"rule": name, "occasion": occasion},
            )
        elif action == "control_ha_entity":
            try:
                await self._hass.services.async_call(
                    "homeassistant",
                    "turn_on" if config.get("state") == "on" else "turn_off",
                    {"entity_id": config.get("entity_id")},
                    blocking=True,
                )
            except HomeAssistantError as err:
                errors.append(str(err))
        if skipped:
            queue_event(
                self._database,
                event_type="rule_skipped",
                source=f"rule:{name}",
                message=f"{name}: {', '.join(skipped)} follow the Agile strategy",
                data={"rule": name, "miners": skipped},
            )
        return errors, skipped

    async def _async_miner_action(
        self, action: str, config: dict[str, Any], miner: MinerCoordinator
    ) -> None:
        if action == "apply_mode":
            await async_set_mode(miner, str(config.get("mode")))
            return
        wanted = str(config.get("pool", "")).casefold()
        pool = next(
            (p for p in self._watched.pools.values() if p.title.casefold() == wanted),
            None,
        )
        if pool is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="rule_pool_missing",
                translation_placeholders={"pool": str(config.get("pool"))},
            )
        await async_switch_pool(miner, pool.subentry)
