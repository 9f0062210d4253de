"""What the UI shows: action targets, device automation texts, flow placeholders.

Each of these rendered wrongly before: "<unknown entity> went offline", modes
listed raw (oc), a picked miner entity refused by the actions (whose device
filter is invalid from Home Assistant 2026.11), a URL inside a translation.
"""

from __future__ import annotations

import json
from pathlib import Path
import string
from typing import Any

from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

import custom_components.home_miner_manager as package
from custom_components.home_miner_manager.const import DOMAIN
from custom_components.home_miner_manager.db.models import AuditLog
from hmm_sim import AxeOSSimulator

from .conftest import BITAXE_UID, HubFactory, miner_subentry, rows

KINDS = {
    DeviceAutomationType.TRIGGER: "trigger_type",
    DeviceAutomationType.CONDITION: "condition_type",
    DeviceAutomationType.ACTION: "action_type",
}


def _en() -> dict[str, Any]:
    path = Path(package.__file__).parent / "translations" / "en.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


async def _miner(
    hass: HomeAssistant, setup_hub: HubFactory, sim: AxeOSSimulator
) -> tuple[MockConfigEntry, str]:
    entry = await setup_hub(
        [miner_subentry(sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID)]
    )
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    return entry, device.id


async def test_actions_take_a_miner_entity_or_area(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The target picker offers our entities: one stands for its miner."""
    entry, device_id = await _miner(hass, setup_hub, axeos_sim)
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{BITAXE_UID}_status"
    )
    assert entity_id is not None
    await hass.services.async_call(
        DOMAIN, "set_mode", {"entity_id": entity_id, "mode": "eco"}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    (coordinator,) = entry.runtime_data.coordinators.values()
    assert coordinator.data.mode == "eco"
    # An area holds more than miners: the others are left out, not refused.
    area = ar.async_get(hass).async_create("Office")
    lamp = device_registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={("other", "lamp")}
    )
    for device in (device_id, lamp.id):
        device_registry.async_update_device(device, area_id=area.id)
    await hass.services.async_call(
        DOMAIN, "set_mode", {"area_id": area.id, "mode": "turbo"}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    audit = await rows(hass, entry, AuditLog)
    assert [(a.action, a.changes, a.status) for a in audit] == [
        ("mode_changed", {"mode": mode}, "success") for mode in ("eco", "turbo")
    ]
    # Named directly, a device that is no miner is still refused.
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "restart", {"device_id": lamp.id}, blocking=True
        )
    assert err.value.translation_key == "not_a_miner"


async def test_device_automation_texts_render(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """A text uses {entity_name} / {subtype} only when the item carries them.

    The frontend fills ``entity_name`` from the item's ``entity_id`` and shows
    "<unknown entity>" without one.
    """
    _, device_id = await _miner(hass, setup_hub, axeos_sim)
    texts = _en()["device_automation"]
    for kind, section in KINDS.items():
        for item in await async_get_device_automations(hass, kind, device_id):
            if item["domain"] != DOMAIN:
                continue
            text = texts[section][item["type"]]
            names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
            given = {"entity_name"} if item.get("entity_id") else set()
            given |= {"subtype"} if item.get("subtype") else set()
            assert names <= given, (section, item["type"], text)


async def test_mode_choices_are_translated(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """Modes are offered as "Overclock", not "oc" (labels from ``selector.mode``)."""
    _, device_id = await _miner(hass, setup_hub, axeos_sim)
    assert await async_setup_component(hass, "device_automation", {})
    client = await hass_ws_client(hass)
    labels = _en()["selector"]["mode"]["options"]
    for kind, config in (
        ("action", {"type": "set_mode"}),
        ("condition", {"type": "mode_is", "condition": "device"}),
    ):
        await client.send_json_auto_id(
            {
                "type": f"device_automation/{kind}/capabilities",
                kind: {"device_id": device_id, "domain": DOMAIN, **config},
            }
        )
        message = await client.receive_json()
        assert message["success"], message
        (field,) = message["result"]["extra_fields"]
        options = dict(field["options"])
        assert options["oc"] == "Overclock"
        assert options == {mode: labels[mode] for mode in options}


async def test_discord_error_names_the_url_by_placeholder(
    hass: HomeAssistant, setup_hub: HubFactory
) -> None:
    """Translations hold no URL: the example comes from the flow."""
    entry = await setup_hub()
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    for step in ("alerts", "channel_discord"):
        flow = await hass.config_entries.options.async_configure(
            flow["flow_id"], {"next_step_id": step}
        )
    assert flow["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"name": "Den", "enabled": True, "webhook_url": "discord"}
    )
    assert result["errors"] == {"webhook_url": "invalid_webhook_url"}
    text = _en()["options"]["error"]["invalid_webhook_url"]
    shown = text.format(**result["description_placeholders"])
    assert "https://discord.com/api/webhooks/" in shown
