"""Automation rules: evaluated every minute and at price slot changes, by priority.

Each rule runs once per occasion — a price slot, a day's time window, a
miner's outage or overheating episode, a pool outage — remembered in
``automation_rules.last_execution_context`` so a restart does not repeat it.
A rule never fights the strategy: miners enrolled in an enabled Agile
strategy are skipped by mode and pool actions, with an event saying why.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .audit import Actor, async_actor, queue_audit, queue_event
from .commands import async_set_mode, async_switch_pool
from .const import DOMAIN, LOGGER
from .db.exceptions import DatabaseError
from .db.models import to_naive_utc
from .db.rule_rows import mark_executed, sync_rules
from .notifications import Message
from .rule_flow import SUBENTRY_RULE

if TYPE_CHECKING:
    from .coordinator import MinerCoordinator
    from .data import HMMConfigEntry

EVALUATE_EVERY: Final = timedelta(minutes=1)
RESOURCE_RULE: Final = "automation_rule"


def _time(value: Any) -> time | None:
    return dt_util.parse_time(str(value)) if value is not None else None


def price_matches(config: dict[str, Any], price: float) -> bool:
    """Return whether ``price`` meets a price_threshold trigger."""
    low = float(config.get("threshold", 0))
    high = config.get("threshold_high")
    condition = config.get("condition")
    if condition == "below":
        return price < low
    if condition == "above":
        return price > low
    if high is None:
        return False
    inside = low <= price <= float(high)
    return inside if condition == "between" else not inside


class RuleRunner:
    """Runs the hub's ``rule`` subentries."""

    def __init__(self, hass: HomeAssistant, entry: HMMConfigEntry) -> None:
        """Keep the hub; call :meth:`async_start` next."""
        self.hass = hass
        self.entry = entry
        # subentry id -> {"id", "last_executed_at", "last_execution_context"}
        self.rows: dict[str, dict[str, Any]] = {}
        self._synced: dict[str, dict[str, Any]] = {}
        # (rule, target) -> when its condition started (episode keys).
        self._since: dict[tuple[str, str], str] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._started = False  # the first sync (start-up) is not a change

    def _rules(self) -> dict[str, dict[str, Any]]:
        return {
            subentry_id: dict(subentry.data)
            for subentry_id, subentry in self.entry.subentries.items()
            if subentry.subentry_type == SUBENTRY_RULE
        }

    async def async_start(self) -> None:
        """Mirror the rules into rows, then evaluate every minute."""
        await self.async_sync()
        self._unsubs.append(
            async_track_time_interval(
                self.hass, self._async_tick, EVALUATE_EVERY, name=f"{DOMAIN} rules"
            )
        )
        self._unsubs.append(self.entry.add_update_listener(self._async_updated))
        if (prices := self.entry.runtime_data.prices) is not None:
            self._unsubs.append(prices.async_add_listener(self._async_prices))

    @callback
    def stop(self) -> None:
        """Stop evaluating."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    async def async_sync(self) -> None:
        """Bring automation_rules in line with the subentries (when they changed)."""
        rules = self._rules()
        if rules == self._synced and self.rows.keys() == rules.keys():
            return
        try:
            self.rows = await self.entry.runtime_data.database.async_run(
                partial(sync_rules, rules=rules)
            )
        except DatabaseError as err:
            LOGGER.warning("Could not store the automation rules: %s", err)
            return
        if self._started:
            await self._async_audit_changes(self._synced, rules)
        self._started = True
        self._synced = rules

    async def _async_audit_changes(
        self, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
    ) -> None:
        """Audit rules added, changed or removed (by whoever is making the change)."""
        actor = await async_actor(self.hass)
        for rule_id in sorted(old.keys() | new.keys()):
            before, after = old.get(rule_id), new.get(rule_id)
            if before == after:
                continue
            action = (
                "rule_added"
                if before is None
                else "rule_removed"
                if after is None
                else "rule_updated"
            )
            rule = after or before or {}
            queue_audit(
                self.entry.runtime_data.database,
                actor=actor,
                action=action,
                resource_id=(self.rows.get(rule_id) or {}).get("id"),
                resource_name=str(rule.get("name") or rule_id),
                changes={"old": before, "new": after},
                resource_type=RESOURCE_RULE,
            )

    async def _async_updated(self, hass: HomeAssistant, entry: HMMConfigEntry) -> None:
        if not entry.runtime_data.closed:
            await self.async_sync()

    @callback
    def _async_prices(self) -> None:
        self.entry.async_create_background_task(
            self.hass, self.async_evaluate(), f"{DOMAIN} rules on prices"
        )

    async def _async_tick(self, _now: datetime) -> None:
        await self.async_evaluate()

    async def async_evaluate(self) -> None:
        """Run every enabled rule whose trigger holds for a new occasion."""
        rules = sorted(
            self._rules().items(), key=lambda item: -int(item[1].get("priority", 0))
        )
        for subentry_id, rule in rules:
            if not rule.get("enabled", True) or subentry_id not in self.rows:
                continue
            occasion = self._occasion(subentry_id, rule)
            last = self.rows[subentry_id].get("last_execution_context") or {}
            if occasion is None or last.get("occasion") == occasion:
                continue
            await self._async_execute(subentry_id, rule, occasion)

    # -- triggers -----------------------------------------------------------------

    def _occasion(self, rule_id: str, rule: dict[str, Any]) -> str | None:
        """Return a key for the current occasion of a holding trigger, else None."""
        config = rule.get("trigger_config") or {}
        kind = rule.get("trigger_type")
        now = dt_util.now()
        hub = self.entry.runtime_data
        if kind == "price_threshold":
            slot = hub.prices.current() if hub.prices is not None else None
            if slot is None or not price_matches(config, slot.price_pence):
                return None
            return f"slot:{slot.start.isoformat()}"
        if kind == "time_window":
            start, end = _time(config.get("start")), _time(config.get("end"))
            if start is None or end is None:
                return None
            clock = now.time()
            if start <= end:
                inside, day = start <= clock < end, now.date()
            else:  # across midnight: the window belongs to the day it started
                inside = clock >= start or clock < end
                day = now.date() if clock >= start else now.date() - timedelta(days=1)
            return f"window:{day.isoformat()}" if inside else None
        targets: dict[str, bool] = {}
        if kind in ("miner_offline", "miner_overheat"):
            wanted = set(config.get("miners") or [])
            for subentry_id, miner in hub.coordinators.items():
                if wanted and subentry_id not in wanted:
                    continue
                targets[subentry_id] = self._miner_holds(kind, config, miner)
        elif kind == "pool_failure":
            wanted = set(config.get("pools") or [])
            for subentry_id, pool in hub.pools.items():
                if (not wanted or subentry_id in wanted) and pool.enabled:
                    targets[subentry_id] = (
                        pool.data is not None and not pool.data.reachable
                    )
        return self._episode(rule_id, targets, now)

    def _miner_holds(
        self, kind: str, config: dict[str, Any], miner: MinerCoordinator
    ) -> bool:
        if not miner.polling_enabled:
            return False
        if kind == "miner_overheat":
            snapshot = miner.data if miner.available else None
            temperature = snapshot.temperature if snapshot is not None else None
            return temperature is not None and temperature > float(
                config.get("threshold_celsius", 80)
            )
        if miner.available or miner.expected_offline:
            return False  # answering, or switched off by the strategy on purpose
        alerts = self.entry.runtime_data.alerts
        seen = alerts.last_seen(miner) if alerts is not None else None
        minutes = float(config.get("minutes", 5))
        return seen is not None and dt_util.utcnow() - seen >= timedelta(
            minutes=minutes
        )

    def _episode(
        self, rule_id: str, targets: dict[str, bool], now: datetime
    ) -> str | None:
        """Track when each target's condition began; key the newest episode."""
        key = None
        for target, holds in targets.items():
            if not holds:
                self._since.pop((rule_id, target), None)
                continue
            since = self._since.setdefault((rule_id, target), now.isoformat())
            key = f"{target}:{since}"
        return key

    # -- actions ------------------------------------------------------------------

    async def _async_execute(
        self, rule_id: str, rule: dict[str, Any], occasion: str
    ) -> None:
        hub = self.entry.runtime_data
        name = str(rule.get("name") or rule_id)
        action = str(rule.get("action_type"))
        config = rule.get("action_config") or {}
        errors: list[str] = []
        skipped: list[str] = []
        strategy = hub.strategy
        enrolled = (
            strategy.enrolled if strategy is not None and strategy.enabled else set()
        )
        if action in ("apply_mode", "switch_pool"):
            for subentry_id in config.get("miners") or []:
                miner = hub.coordinators.get(subentry_id)
                if miner is None:
                    continue
                if miner.miner_id in enrolled:
                    skipped.append(miner.name)
                    continue
                try:
                    await self._async_miner_action(action, config, miner)
                except HomeAssistantError as err:
                    errors.append(f"{miner.name}: {err}")
        elif action == "alert" and hub.notifier is not None:
            message = Message.titled(
                name, str(config.get("message", "")), alert_type="rule"
            )
            await hub.notifier.async_send(message, hub.notifier.senders())
        elif action == "log_event":
            queue_event(
                hub.database,
                event_type="rule_event",
                source=f"rule:{name}",
                message=str(config.get("message", "")),
                data={"rule": name, "occasion": occasion},
            )
        elif action == "control_ha_entity":
            try:
                await self.hass.services.async_call(
                    "homeassistant",
                    "turn_on" if config.get("state") == "on" else "turn_off",
                    {"entity_id": config.get("entity_id")},
                    blocking=True,
                )
            except HomeAssistantError as err:
                errors.append(str(err))
        if skipped:
            queue_event(
                hub.database,
                event_type="rule_skipped",
                source=f"rule:{name}",
                message=f"{name}: {', '.join(skipped)} follow the Agile strategy",
                data={"rule": name, "miners": skipped},
            )
        when = to_naive_utc(dt_util.utcnow())
        context = {
            "occasion": occasion,
            "trigger": rule.get("trigger_type"),
            "skipped": skipped,
        }
        self.rows[rule_id].update(last_executed_at=when, last_execution_context=context)
        queue_event(
            hub.database,
            event_type="rule_executed",
            source=f"rule:{name}",
            message=f"Rule {name}: {action}"[:500],
            data={"rule": name, "action": action, **context, "errors": errors},
        )
        queue_audit(
            hub.database,
            actor=Actor(),
            action="rule_executed",
            resource_id=self.rows[rule_id]["id"],
            resource_name=name,
            changes={"action": action, "occasion": occasion, "skipped": skipped},
            status="failure" if errors else "success",
            error_message="; ".join(errors) or None,
            resource_type=RESOURCE_RULE,
        )
        try:
            await hub.database.async_run(
                partial(
                    mark_executed,
                    row_id=self.rows[rule_id]["id"],
                    when=when,
                    context=context,
                )
            )
        except DatabaseError as err:
            LOGGER.warning("Could not record the run of rule %s: %s", name, err)

    async def _async_miner_action(
        self, action: str, config: dict[str, Any], miner: MinerCoordinator
    ) -> None:
        if action == "apply_mode":
            await async_set_mode(miner, str(config.get("mode")))
            return
        pools = self.entry.runtime_data.pools.values()
        wanted = str(config.get("pool", "")).casefold()
        pool = next((p for p in pools if p.title.casefold() == wanted), None)
        if pool is None:
            raise HomeAssistantError(f"no pool named {config.get('pool')}")
        await async_switch_pool(miner, pool.subentry)
