"""Settings of an HMM import (through the runners), its rules, its password repairs."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from ..const import (
    CONF_MINER_TYPE,
    CONF_PASSWORD,
    CONF_WEB_PASSWORD,
    DOMAIN,
    SUBENTRY_RULE,
)
from ..db.alert_rows import alert_config_rows, update_alert_config
from ..hmm_import.config import merged_alert_config
from ..hmm_import.rules import RuleMiner, RuleSkipped, RuleTargets, map_rule
from ..strategy.bands import Band, validate_bands

if TYPE_CHECKING:
    from ..data import HMMConfigEntry
    from ..hmm_import import ImportCounts
    from ..hmm_import.config import SourceConfig
    from ..hmm_import.rows import MinerLink

ISSUE_WEB_PASSWORD: Final = "hmm_import_web_password"  # noqa: S105  (a key)
ISSUE_POOL_PASSWORD: Final = "hmm_import_pool_password"  # noqa: S105  (a key)


async def async_import_strategy(
    entry: HMMConfigEntry,
    config: SourceConfig,
    links: dict[int, MinerLink],
    counts: ImportCounts,
    user_id: str | None,
) -> None:
    """Apply the source's bands and enrolment; leave the strategy off."""
    runner = entry.runtime_data.strategy
    if not entry.runtime_data.prices.configured:
        if config.bands:
            counts["strategy_bands"].skipped["strategy_not_set_up"] += len(config.bands)
        return
    if config.bands:
        bands = [
            Band(id=-index, **band)
            for index, band in enumerate(
                sorted(config.bands, key=lambda b: b["sort_order"]), start=1
            )
        ]
        kind = counts["strategy_bands"]
        current = [replace(b, id=0, champion=False) for b in runner.bands]
        if validate_bands(bands):
            kind.skipped["invalid_bands"] += len(bands)
        elif [replace(b, id=0) for b in bands] == current:
            kind.already_there += len(bands)
        else:
            await runner.async_save_bands(bands, user_id)
            kind.imported += len(bands)
    by_row = {c.miner_id: c for c in entry.runtime_data.coordinators.values()}
    enrolled = counts["enrolled_miners"]
    for source_id in sorted(config.enrolled):
        link = links.get(source_id)
        if link is None or (coordinator := by_row.get(link.miner_id)) is None:
            enrolled.skipped["miner_not_imported"] += 1
        elif link.miner_id in runner.enrolled:
            enrolled.already_there += 1
        else:
            await runner.async_set_enrolled(coordinator, True, user_id)
            enrolled.imported += 1
    if config.strategy_enabled is not None:
        kind = counts["strategy_enabled"]
        if config.strategy_enabled == runner.enabled or not config.strategy_enabled:
            kind.already_there += 1
        else:
            # It powers miners down and switches pools whose passwords are not
            # carried: the user turns it on once the repairs are done.
            kind.skipped["turn_on_after_review"] += 1


async def async_import_alerts(
    entry: HMMConfigEntry, config: SourceConfig, counts: ImportCounts
) -> None:
    """Apply the source's alert settings that mean the same here."""
    hub = entry.runtime_data
    kind = counts["alert_settings"]
    rows = {r["alert_type"]: r for r in await hub.database.async_run(alert_config_rows)}
    changed = False
    for alert_type, enabled, source_config in config.alerts:
        row = rows.get(alert_type, {"enabled": True, "config": {}})
        current = dict(row.get("config") or {})
        merged = merged_alert_config(alert_type, current, source_config)
        if merged is None:
            kind.skipped["no_equivalent"] += 1
        elif merged == current and enabled == row["enabled"]:
            kind.already_there += 1
        else:
            await hub.database.async_run(
                partial(
                    update_alert_config,
                    alert_type=alert_type,
                    enabled=enabled,
                    config=merged,
                )
            )
            kind.imported += 1
            changed = True
    if changed:
        await hub.alerts.async_reload_settings()


async def async_import_rules(
    hass: HomeAssistant,
    entry: HMMConfigEntry,
    config: SourceConfig,
    counts: ImportCounts,
    *,
    linked: dict[int, str],
    pools: dict[int, str],
) -> None:
    """Add a ``rule`` subentry per upstream rule that means the same here."""
    kind = counts["automation_rules"]
    targets = RuleTargets(pools=pools)
    for miner in config.miners:
        subentry = entry.subentries.get(linked.get(miner.source_id, ""))
        targets.miners[miner.source_id] = RuleMiner(
            raw_type=miner.raw_type,
            enabled=miner.enabled,
            subentry_id=subentry.subentry_id if subentry else None,
            miner_type=str(subentry.data.get(CONF_MINER_TYPE)) if subentry else None,
        )
    known = {
        sub.unique_id
        for sub in entry.subentries.values()
        if sub.subentry_type == SUBENTRY_RULE
    }
    for rule in config.rules:
        try:
            mapped = map_rule(rule, targets)
        except RuleSkipped as skip:
            kind.skipped[skip.reason] += 1
            continue
        if mapped.unique_id in known:
            kind.already_there += 1
            continue
        known.add(mapped.unique_id)
        hass.config_entries.async_add_subentry(
            entry,
            ConfigSubentry(
                data=MappingProxyType(mapped.data),
                subentry_type=SUBENTRY_RULE,
                title=mapped.title,
                unique_id=mapped.unique_id,
            ),
        )
        kind.imported += 1


@callback
def pending_password(hass: HomeAssistant, key: str, subentry: ConfigSubentry) -> None:
    """Ask for a password that was not carried (a repair issue)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{key}_{subentry.subentry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={"name": subentry.title},
    )


async def async_clear_solved_issues(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Update listener: a password entered (or its subentry removed) ends its issue."""
    clear_solved_issues(hass, entry)


@callback
def clear_solved_issues(hass: HomeAssistant, entry: HMMConfigEntry) -> None:
    """Drop the password issues already solved (password entered, or removed)."""
    registry = ir.async_get(hass)
    for (domain, issue_id), _issue in list(registry.issues.items()):
        if domain != DOMAIN or not issue_id.startswith("hmm_import_"):
            continue
        subentry_id = issue_id.rsplit("_", 1)[-1]
        subentry = entry.subentries.get(subentry_id)
        wanted = (
            CONF_WEB_PASSWORD
            if issue_id.startswith(ISSUE_WEB_PASSWORD)
            else CONF_PASSWORD
        )
        if subentry is None or wanted in subentry.data:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
