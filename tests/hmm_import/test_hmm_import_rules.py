"""Upstream automation rules mapped onto our rule subentries (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.home_miner_manager.hmm_import.rules import (
    SKIP_REASONS,
    RuleMiner,
    RuleSkipped,
    RuleTargets,
    SourceRule,
    map_rule,
)

from .hmm_source import RULES


def _targets() -> RuleTargets:
    """Upstream miners 1-5 and pools 1-3 as the fixture's import leaves them."""
    return RuleTargets(
        miners={
            1: RuleMiner("bitaxe", True, "sub-green", "bitaxe"),
            2: RuleMiner("nerdqaxe", True, "sub-nerdq", "nerdqaxe"),
            3: RuleMiner("avalon_nano", True, "sub-nano", "avalon_nano"),
            4: RuleMiner("nmminer", True, "sub-nm", "nmminer"),
            5: RuleMiner("antminer_s9", True),  # not imported
            6: RuleMiner("avalon_nano", False, "sub-nano-off", "avalon_nano"),
        },
        pools={1: "Solo DGB", 2: "Braiins BTC"},  # pool 3 was invalid
    )


def _rule(
    trigger: str,
    trigger_config: dict[str, Any],
    action: str = "log_event",
    action_config: dict[str, Any] | None = None,
    **extra: Any,
) -> SourceRule:
    fields: dict[str, Any] = {
        "source_id": 7,
        "name": "Rule",
        "enabled": True,
        "priority": 0,
        "trigger_type": trigger,
        "trigger_config": trigger_config,
        "action_type": action,
        "action_config": {"message": "hi"} if action_config is None else action_config,
    }
    return SourceRule(**(fields | extra))


def _skip(rule: SourceRule) -> str:
    with pytest.raises(RuleSkipped) as caught:
        map_rule(rule, _targets())
    assert caught.value.reason in SKIP_REASONS
    return caught.value.reason


def test_fixture_rules_map_as_the_import_counts_them() -> None:
    """The fixture's nine rules: four map, five carry their reason."""
    results: dict[int, Any] = {}
    for rule_id, name, enabled, priority, trigger, tconf, action, aconf in RULES:
        rule = SourceRule(
            rule_id, name, enabled, priority, trigger, tconf, action, aconf
        )
        try:
            results[rule_id] = map_rule(rule, _targets())
        except RuleSkipped as skip:
            results[rule_id] = skip.reason
    assert results[1].unique_id == "hmm_rule_1"
    assert results[1].data == {
        "name": "Cheap: turbo",
        "priority": 0,
        "enabled": True,
        "trigger_type": "price_threshold",
        "trigger_config": {"condition": "below", "threshold": 5.0},
        "action_type": "apply_mode",
        "action_config": {"miners": ["sub-green"], "mode": "turbo"},
    }
    # "type:avalon_nano": upstream's enabled Avalons (not the disabled one).
    assert results[2].data["trigger_config"] == {"start": "22:00:00", "end": "06:30:00"}
    assert results[2].data["action_config"] == {"miners": ["sub-nano"], "mode": "low"}
    # Upstream runs priority 5 after 0; ours runs the highest first.
    assert results[3].data["priority"] == -5
    assert results[3].data["enabled"] is False
    assert results[3].data["trigger_config"] == {
        "miners": ["sub-nerdq"],
        "threshold_celsius": 75.0,
    }
    assert (results[3].data["action_type"], results[3].data["action_config"]) == (
        "alert",
        {"message": "NerdQ is hot"},
    )
    assert results[4].data["trigger_config"] == {
        "condition": "between",
        "threshold": 20.0,
        "threshold_high": 35.0,
    }
    assert results[4].data["action_config"] == {
        "miners": ["sub-nerdq"],
        "pool": "Braiins BTC",
    }
    assert {k: v for k, v in results.items() if isinstance(v, str)} == {
        5: "mode_not_supported",
        6: "pool_not_imported",
        7: "miner_not_imported",
        8: "ha_device_not_carried",
        9: "unknown_trigger_type",
    }


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        (_rule("pool_failure", {"miner_id": 1}), "pool_failure_not_equivalent"),
        (_rule("time_window", {"start": "9pm", "end": "06:00"}), "invalid_trigger"),
        (_rule("price_threshold", {"condition": "under", "threshold": 5}), "invalid_trigger"),
        (_rule("price_threshold", {"condition": "below", "threshold": "cheap"}), "invalid_trigger"),
        (_rule("price_threshold", {"condition": "between", "threshold_min": 9,
                                   "threshold_max": 3}), "invalid_trigger"),
        (_rule("miner_overheat", {"miner_id": 1, "threshold": 900}), "invalid_trigger"),
        # Upstream evaluated such triggers as never holding.
        (_rule("miner_offline", {"timeout_minutes": 5}), "no_miner"),
        (_rule("miner_offline", {"miner_id": 99}), "no_miner"),
        (_rule("time_window", {}, "reboot", {}), "unknown_action_type"),
        (_rule("time_window", {}, "apply_mode", {"miner_id": 1}), "invalid_action"),
        # NMMiners have no modes; Avalons not AxeOS's.
        (_rule("time_window", {}, "apply_mode", {"miner_id": 4, "mode": "eco"}),
         "mode_not_supported"),
        (_rule("time_window", {}, "apply_mode", {"miner_id": "type:avalon_nano",
                                                 "mode": "turbo"}), "mode_not_supported"),
        (_rule("time_window", {}, "apply_mode", {"miner_id": "type:antminer_s9",
                                                 "mode": "eco"}), "miner_not_imported"),
        (_rule("time_window", {}, "apply_mode", {"miner_id": "type:canaan",
                                                 "mode": "eco"}), "no_miner"),
        (_rule("time_window", {}, "switch_pool", {"miner_id": 1}), "invalid_action"),
        (_rule("time_window", {}, "switch_pool", {"miner_id": 5, "pool_id": 1}),
         "miner_not_imported"),
    ],
)  # fmt: skip
def test_rules_without_equivalent_are_skipped(rule: SourceRule, reason: str) -> None:
    """Each rule that cannot mean the same here names why."""
    assert _skip(rule) == reason


def test_defaults_as_upstream_applied_them() -> None:
    """Keys upstream's JSON left out take upstream's defaults; names are trimmed."""
    mapped = map_rule(
        _rule(
            "miner_offline",
            {"miner_id": "2"},
            "send_alert",
            {},
            name="  ",
            priority=-3,
            source_id=12,
        ),
        _targets(),
    )
    assert mapped.title == "HMM rule 12"
    assert mapped.data["priority"] == 3
    assert mapped.data["trigger_config"] == {"miners": ["sub-nerdq"], "minutes": 5.0}
    assert mapped.data["action_config"] == {"message": "Automation alert triggered"}
    window = map_rule(_rule("time_window", {}), _targets())
    assert window.data["trigger_config"] == {"start": "00:00:00", "end": "23:59:00"}
    outside = map_rule(_rule("price_threshold", {"condition": "outside"}), _targets())
    assert outside.data["trigger_config"] == {
        "condition": "outside",
        "threshold": 0.0,
        "threshold_high": 999.0,
    }
