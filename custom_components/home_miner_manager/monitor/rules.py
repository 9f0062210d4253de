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
from typing import TYPE_CHECKING, Any, Final, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from ..audit import Actor, async_actor, queue_audit, queue_event
from ..const import DOMAIN, LOGGER, SUBENTRY_RULE
from ..db.base import to_naive_utc
from ..db.exceptions import DatabaseError
from ..db.rule_rows import mark_executed, sync_rules
from ..failure_log import FailureLog
from .problems import async_rule_failed, async_rule_ok, rule_issue_rule_ids
from .rule_actions import RuleActions
from .rule_triggers import CurrentPrice, RuleTriggers

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from ..db.database import Database
    from .alerts import AlertCoordinator
    from .notify_channels import Notifier
    from .watched import Watched

EVALUATE_EVERY: Final = timedelta(minutes=1)
RESOURCE_RULE: Final = "automation_rule"


class Prices(CurrentPrice, Protocol):
    """The hub's prices: the current slot, and word of new ones."""

    def async_add_listener(self, update_callback: CALLBACK_TYPE, /) -> CALLBACK_TYPE:
        """Call ``update_callback`` when the prices change."""


def _priority(rule: dict[str, Any]) -> float:
    # Stored data: a value that is not a number sorts as 0, not as a crash.
    try:
        return float(rule.get("priority", 0))
    except (TypeError, ValueError):
        return 0.0


def _describe(err: Exception) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


class RuleRunner:
    """Runs the hub's ``rule`` subentries (a service: nothing shows its data)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        *,
        database: Database,
        notifier: Notifier,
        alerts: AlertCoordinator,
        watched: Watched,
        prices: Prices,
    ) -> None:
        """Keep what the rules act on; call :meth:`async_start` next.

        ``prices`` has no current slot while no price source is set; a first
        source tells its listeners (the rules evaluate then).
        """
        self.hass = hass
        self.entry = entry
        self._database = database
        self._prices = prices
        self._actions = RuleActions(
            hass, database=database, notifier=notifier, watched=watched
        )
        self._triggers = RuleTriggers(
            watched=watched, prices=prices, last_seen=alerts.last_seen
        )
        # subentry id -> {"id", "last_executed_at", "last_execution_context"}
        self.rows: dict[str, dict[str, Any]] = {}
        self._synced: dict[str, dict[str, Any]] = {}
        self._unsubs: list[CALLBACK_TYPE] = []
        self._stopped = False
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
        self._unsubs.append(self._prices.async_add_listener(self._async_prices))

    @callback
    def async_stop(self) -> None:
        """Stop evaluating (before the database closes)."""
        self._stopped = True
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
            self.rows = await self._database.async_run(partial(sync_rules, rules=rules))
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
                self._database,
                actor=actor,
                action=action,
                resource_id=(self.rows.get(rule_id) or {}).get("id"),
                resource_name=str(rule.get("name") or rule_id),
                changes={"old": before, "new": after},
                resource_type=RESOURCE_RULE,
            )

    async def _async_updated(
        self, hass: HomeAssistant, entry: ConfigEntry[Any]
    ) -> None:
        if not self._stopped:
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
                occasion = self._triggers.occasion(subentry_id, rule)
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

    async def _async_execute(
        self, rule_id: str, rule: dict[str, Any], occasion: str
    ) -> list[str]:
        """Run a rule's action and record the run; return its errors (none: ok)."""
        database = self._database
        name = str(rule.get("name") or rule_id)
        action = str(rule.get("action_type"))
        errors, skipped = await self._actions.async_run(
            name, action, rule.get("action_config") or {}, occasion
        )
        when = to_naive_utc(dt_util.utcnow())
        context = {
            "occasion": occasion,
            "trigger": rule.get("trigger_type"),
            "skipped": skipped,
        }
        self.rows[rule_id].update(last_executed_at=when, last_execution_context=context)
        queue_event(
            database,
            event_type="rule_executed",
            source=f"rule:{name}",
            message=f"Rule {name}: {action}"[:500],
            data={"rule": name, "action": action, **context, "errors": errors},
        )
        queue_audit(
            database,
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
            await database.async_run(
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
