"""Automation rules: evaluated every minute and at price slot changes, by priority.

Each rule runs once per occasion — a price slot, a day's time window, a
miner's outage or overheating episode, a pool outage — remembered in
``automation_rules.last_execution_context`` so a restart does not repeat it.
A rule never fights the strategy: miners enrolled in an enabled Agile
strategy are skipped by mode and pool actions, with an event saying why.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from ..audit import Actor, async_actor, queue_audit, queue_event
from ..const import DOMAIN, LOGGER, SUBENTRY_RULE
from ..db.exceptions import DatabaseError
from ..db.models import to_naive_utc
from ..db.rule_rows import mark_executed, sync_rules
from ..failure_log import FailureLog
from ..miner.commands import async_set_mode, async_switch_pool
from ..notifications import Message
from .problems import async_rule_failed, async_rule_ok, rule_issue_rule_ids
from .rule_triggers import RuleTriggers

if TYPE_CHECKING:
    from ..data import HMMConfigEntry
    from ..miner.coordinator import MinerCoordinator

EVALUATE_EVERY: Final = timedelta(minutes=1)
RESOURCE_RULE: Final = "automation_rule"


def _priority(rule: dict[str, Any]) -> float:
    # Stored data: a value that is not a number sorts as 0, not as a crash.
    try:
        return float(rule.get("priority", 0))
    except (TypeError, ValueError):
        return 0.0


def _describe(err: Exception) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


class RuleRunner(RuleTriggers):
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
        self._failures = FailureLog()
        # rule id -> "trigger" or "action": what failed last (its issue is up).
        self._failing: dict[str, str] = {}
        self._lock = asyncio.Lock()
        # Syncs run on the database's reader threads: one at a time, or a
        # burst of added rules (an import) races to duplicate or drop rows.
        self._sync_lock = asyncio.Lock()

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
        async with self._sync_lock:
            await self._async_sync()

    async def _async_sync(self) -> None:
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
        # A removed, edited or disabled rule starts with a clean slate; so
        # does the issue of a rule removed while Home Assistant was stopped.
        for rule_id in set(self._failing) | rule_issue_rule_ids(self.hass):
            rule = rules.get(rule_id)
            edited = rule_id in self._failing and rule != self._synced.get(rule_id)
            if edited or rule is None or not rule.get("enabled", True):
                self._clear_failure(rule_id, str((rule or {}).get("name") or rule_id))
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
        """Run every enabled rule whose trigger holds for a new occasion.

        One evaluation at a time: the minute tick and a price update may
        come together, and a rule's action awaits its device before its
        occasion is recorded; two at once would run it twice.
        """
        async with self._lock:
            await self._async_evaluate_all()

    async def _async_evaluate_all(self) -> None:
        rules = sorted(self._rules().items(), key=lambda item: -_priority(item[1]))
        for subentry_id, rule in rules:
            if not rule.get("enabled", True) or subentry_id not in self.rows:
                continue
            # One broken rule (bad stored values, a bug) must not stop the
            # others: each is isolated, reported once, and retried.
            name = str(rule.get("name") or subentry_id)
            try:
                occasion = self._occasion(subentry_id, rule)
            except Exception as err:  # noqa: BLE001
                self._failed(subentry_id, name, "trigger", _describe(err), err)
                continue
            if self._failing.get(subentry_id) == "trigger":
                self._clear_failure(subentry_id, name)
            last = self.rows[subentry_id].get("last_execution_context") or {}
            if occasion is None or last.get("occasion") == occasion:
                continue
            try:
                errors = await self._async_execute(subentry_id, rule, occasion)
            except Exception as err:  # noqa: BLE001
                self._failed(subentry_id, name, "action", _describe(err), err)
                continue
            if errors:
                self._failed(subentry_id, name, "action", "; ".join(errors))
            else:
                self._clear_failure(subentry_id, name)

    def _failed(
        self,
        rule_id: str,
        name: str,
        part: str,
        error: str,
        err: Exception | None = None,
    ) -> None:
        """Say a rule failed: log (once), repair issue, logbook line.

        An action fails once per occasion, so each failure is a logbook
        line; a trigger that cannot be evaluated fails every minute, so only
        its first failure is.
        """
        new = self._failures.failed(
            rule_id, f"Rule {name}", err or error, trace=err is not None
        )
        self._failing[rule_id] = part
        async_rule_failed(
            self.hass,
            self.entry,
            rule_id,
            name,
            error,
            logbook=new or part == "action",
        )

    def _clear_failure(self, rule_id: str, name: str) -> None:
        if self._failing.pop(rule_id, None) is not None:
            self._failures.succeeded(rule_id, f"Rule {name}")
        # Also an issue raised before a restart (nothing remembers it here).
        async_rule_ok(self.hass, rule_id)

    # -- actions ------------------------------------------------------------------

    async def _async_execute(
        self, rule_id: str, rule: dict[str, Any], occasion: str
    ) -> list[str]:
        """Run a rule's action; return its errors (none: it succeeded)."""
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
            sent = await hub.notifier.async_send(message, hub.notifier.senders())
            errors += [
                f"{channel.name}: {result.error}"
                for channel, result in sent
                if not result.success
            ]
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
        return errors

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
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="rule_pool_missing",
                translation_placeholders={"pool": str(config.get("pool"))},
            )
        await async_switch_pool(miner, pool.subentry)
