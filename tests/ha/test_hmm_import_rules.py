"""Upstream automation rules imported as ``rule`` subentries (real core)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.auth.models import User
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.home_miner_manager.const import (
    DOMAIN,
    SUBENTRY_MINER,
    SUBENTRY_POOL,
)
from custom_components.home_miner_manager.db.models import AutomationRule
from tests.hmm_import.hmm_source import build_hmm_database

from .conftest import HubFactory, closed_port, rows
from .strategy_support import entity_options

SKIPPED = {
    "ha_device_not_carried": 1,
    "miner_not_imported": 1,
    "mode_not_supported": 1,
    "pool_not_imported": 1,
    "unknown_trigger_type": 1,
}


async def _import(hass: HomeAssistant, user: User, path: Path) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "import_hmm_database",
        {"db_url": str(path), "include_history": False},
        blocking=True,
        return_response=True,
        context=Context(user_id=user.id),
    )
    assert isinstance(response, dict)
    await hass.async_block_till_done()
    counts: dict[str, Any] = response["counts"]["automation_rules"]
    return counts


async def test_rules_become_rule_subentries(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    hass_admin_user: User,
    tmp_path: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Four rules arrive with our ids; five are skipped with reasons; once only."""
    # Outside every imported time window: the runner leaves the miners alone.
    freezer.move_to("2026-01-20 12:00:00+00:00")
    path = tmp_path / "hmm" / "data.db"
    path.parent.mkdir()
    build_hmm_database(f"sqlite:///{path}", [closed_port() for _ in range(7)])
    entry = await setup_hub(options=entity_options())

    counts = await _import(hass, hass_admin_user, path)
    assert counts == {"imported": 4, "already_there": 0, "skipped": SKIPPED}

    def by_title(kind: str) -> dict[str, Any]:
        return {
            s.title: s for s in entry.subentries.values() if s.subentry_type == kind
        }

    miners = {t: s.subentry_id for t, s in by_title(SUBENTRY_MINER).items()}
    rules = by_title("rule")
    assert set(rules) == {
        "Cheap: turbo",
        "Night: Avalons low",
        "NerdQ hot",
        "Dear: Braiins",
    }
    cheap = rules["Cheap: turbo"]
    assert cheap.unique_id == "hmm_rule_1"
    assert dict(cheap.data) == {
        "name": "Cheap: turbo",
        "priority": 0,
        "enabled": True,
        "trigger_type": "price_threshold",
        "trigger_config": {"condition": "below", "threshold": 5.0},
        "action_type": "apply_mode",
        "action_config": {"miners": [miners["03 - Green"]], "mode": "turbo"},
    }
    assert rules["Night: Avalons low"].data["action_config"] == {
        "miners": [miners["Nano 3S"]],
        "mode": "low",
    }
    hot = rules["NerdQ hot"].data
    assert hot["enabled"] is False
    assert hot["priority"] == -5
    assert hot["trigger_config"] == {
        "miners": [miners["NerdQ"]],
        "threshold_celsius": 75.0,
    }
    assert rules["Dear: Braiins"].data["action_config"] == {
        "miners": [miners["NerdQ"]],
        "pool": "Braiins BTC",
    }
    # The rule runner takes them up like rules made in the UI.
    mirrored = {r.name: r for r in await rows(hass, entry, AutomationRule)}
    assert set(mirrored) == set(rules)
    assert mirrored["Cheap: turbo"].action_type == "apply_mode"

    # The rule flow opens an imported rule, its values prefilled.
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rule"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": cheap.subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "price_threshold"
    hass.config_entries.subentries.async_abort(result["flow_id"])

    # A second run adds nothing.
    again = await _import(hass, hass_admin_user, path)
    assert again == {"imported": 0, "already_there": 4, "skipped": SKIPPED}
    assert len(by_title("rule")) == 4

    # A pool that was already there is named by its title here.
    braiins = by_title(SUBENTRY_POOL)["Braiins BTC"]
    hass.config_entries.async_update_subentry(entry, braiins, title="My Braiins")
    hass.config_entries.async_remove_subentry(entry, rules["Dear: Braiins"].subentry_id)
    await hass.async_block_till_done()
    third = await _import(hass, hass_admin_user, path)
    assert third == {"imported": 1, "already_there": 3, "skipped": SKIPPED}
    assert by_title("rule")["Dear: Braiins"].data["action_config"]["pool"] == (
        "My Braiins"
    )


async def test_a_burst_of_rules_is_mirrored_whole(
    hass: HomeAssistant, setup_hub: HubFactory, freezer: FrozenDateTimeFactory
) -> None:
    """Rules added together (as the import adds them) all reach automation_rules.

    Each addition runs the runner's sync; concurrent syncs on the database's
    reader threads used to delete or miss each other's rows.
    """
    freezer.move_to("2026-01-20 12:00:00+00:00")  # outside the rules' window
    entry = await setup_hub()
    for round_ in range(3):
        for index in range(6):
            name = f"Log {round_}.{index}"
            hass.config_entries.async_add_subentry(
                entry,
                ConfigSubentry(
                    data=MappingProxyType(
                        {
                            "name": name,
                            "priority": 0,
                            "enabled": index % 2 == 0,
                            "trigger_type": "time_window",
                            "trigger_config": {"start": "01:00:00", "end": "02:00:00"},
                            "action_type": "log_event",
                            "action_config": {"message": name},
                        }
                    ),
                    subentry_type="rule",
                    title=name,
                    unique_id=None,
                ),
            )
            # Let the previous addition's sync start before the next one.
            await asyncio.sleep(0)
        await hass.async_block_till_done()
        mirrored = sorted(r.name for r in await rows(hass, entry, AutomationRule))
        assert mirrored == sorted(
            s.title for s in entry.subentries.values() if s.subentry_type == "rule"
        )
