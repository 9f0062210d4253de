"""Miner subentry flow: add each type, every error, duplicates, reconfigure."""

from __future__ import annotations

import socket
from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
)
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest

from custom_components.home_miner_manager.const import DOMAIN, SUBENTRY_MINER
from custom_components.home_miner_manager.db.models import AuditLog, Miner
from hmm_sim import AxeOSSimulator, CgminerSimulator, NMMinerSimulator
from hmm_sim.base import Simulator
from tests.plugins.simulators import AVALON_WEB_PASSWORD, FAST

from .conftest import BITAXE_UID, NERDQAXE_UID, HubFactory, miner_subentry, rows
from .test_entities import NMMINER_UID


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _input(sim: Simulator | None, miner_type: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": extra.pop("name", "My miner"),
        "miner_type": miner_type,
        "host": "127.0.0.1" if sim is None else sim.host,
        "port": _closed_port() if sim is None else sim.port,
        "scan_interval": 30,
        **extra,
    }


async def _add(hass: HomeAssistant, entry_id: str, user_input: dict[str, Any]) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )


@pytest.mark.parametrize(
    ("axeos_sim", "miner_type", "unique_id"),
    [
        ("bitaxe_v2_15", "bitaxe", BITAXE_UID),
        ("bitaxe_v2_15", "auto", BITAXE_UID),
        ("nerdqaxe_pp", "nerdqaxe", NERDQAXE_UID),
        ("nerdqaxe_pp", "auto", NERDQAXE_UID),
    ],
    indirect=["axeos_sim"],
)
async def test_add_axeos(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    miner_type: str,
    unique_id: str,
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, _input(axeos_sim, miner_type))
    # It reports its power: no estimate asked for.
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert subentry.unique_id == unique_id
    assert subentry.data["miner_type"] == axeos_sim.miner_type
    assert subentry.title == "My miner"
    # Added at runtime: a coordinator without reloading the hub.
    coordinator = entry.runtime_data.coordinators[subentry.subentry_id]
    assert coordinator.last_update_success
    (miner,) = await rows(hass, entry, Miner)
    assert (miner.name, miner.miner_type, miner.port) == (
        "My miner",
        axeos_sim.miner_type,
        axeos_sim.port,
    )
    assert miner.manual_power_watts is None
    assert subentry.data["miner_id"] == miner.id
    audit = await rows(hass, entry, AuditLog)
    assert [(a.action, a.resource_id, a.user) for a in audit] == [
        ("miner_added", miner.id, "system")
    ]


async def test_add_avalon_asks_password(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, _input(avalon_sim, "auto"))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "avalon"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"web_password": AVALON_WEB_PASSWORD}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert subentry.data["miner_type"] == "avalon_nano"
    assert subentry.data["web_password"] == AVALON_WEB_PASSWORD
    assert subentry.unique_id is not None
    (audit,) = await rows(hass, entry, AuditLog)
    assert AVALON_WEB_PASSWORD not in str(audit.changes)


async def test_add_nmminer_http(
    hass: HomeAssistant, setup_hub: HubFactory, nmminer_sim: NMMinerSimulator
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, _input(nmminer_sim, "nmminer"))
    # An NMMiner reports no power: an estimate is asked for (optional).
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "power"
    assert result["description_placeholders"] == {"name": "My miner"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"manual_power_watts": 3}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert subentry.data["miner_type"] == "nmminer"
    assert subentry.data["manual_power_watts"] == 3
    assert "udp_broadcast" not in subentry.data
    (miner,) = await rows(hass, entry, Miner)
    assert miner.manual_power_watts == 3


async def test_power_estimate_can_be_skipped(
    hass: HomeAssistant, setup_hub: HubFactory, nmminer_sim: NMMinerSimulator
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, _input(nmminer_sim, "nmminer"))
    assert result["step_id"] == "power"
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = entry.subentries.values()
    assert "manual_power_watts" not in subentry.data
    (miner,) = await rows(hass, entry, Miner)
    assert miner.manual_power_watts is None


async def test_type_comes_first_and_power_only_when_unreported(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub([miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID)])
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER), context={"source": SOURCE_USER}
    )
    fields = [str(key) for key in result["data_schema"].schema]
    assert fields[0] == "miner_type"
    assert "manual_power_watts" not in fields
    (subentry_id,) = entry.subentries
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_MINER),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    # A Bitaxe reports its power: no estimate offered.
    assert "manual_power_watts" not in [str(k) for k in result["data_schema"].schema]


@pytest.mark.parametrize("miner_type", ["bitaxe", "auto"])
async def test_unreachable(
    hass: HomeAssistant, setup_hub: HubFactory, socket_enabled: None, miner_type: str
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, _input(None, miner_type))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert not entry.subentries


async def test_wrong_type(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, _input(avalon_sim, "bitaxe"))
    assert result["errors"] == {"base": "wrong_type"}


@pytest.mark.parametrize("axeos_sim", ["nerdqaxe_pp"], indirect=True)
async def test_nerdqaxe_is_not_a_bitaxe(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, _input(axeos_sim, "bitaxe"))
    assert result["errors"] == {"base": "wrong_type"}


@pytest.mark.parametrize("miner_type", ["bitaxe", "auto"])
async def test_network_range(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    miner_type: str,
) -> None:
    entry = await setup_hub()
    await axeos_sim.set_fault("network_range")
    result = await _add(hass, entry.entry_id, _input(axeos_sim, miner_type))
    assert result["errors"] == {"base": "network_range"}


@pytest.mark.parametrize("miner_type", ["nerdqaxe", "auto"])
async def test_otp_enabled_is_monitored(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    socket_enabled: None,
    issue_registry: ir.IssueRegistry,
    device_registry: dr.DeviceRegistry,
    miner_type: str,
) -> None:
    """OTP guards writes only: the miner is added, with a warning issue."""
    entry = await setup_hub()
    async with AxeOSSimulator("nerdqaxe_pp", otp_enabled=True, **FAST) as sim:
        result = await _add(hass, entry.entry_id, _input(sim, miner_type))
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done(wait_background_tasks=True)
        (subentry_id,) = entry.subentries
        coordinator = entry.runtime_data.coordinators[subentry_id]
        assert coordinator.last_update_success
        issue = issue_registry.async_get_issue(DOMAIN, f"miner_otp_{subentry_id}")
        assert issue is not None
        assert issue.translation_key == "otp_enabled"
        assert issue.severity is ir.IssueSeverity.WARNING
        assert not issue.is_fixable
        assert issue.translation_placeholders == {
            "name": "My miner",
            "host": sim.host,
        }

        # A mode change is refused by the device: a translated error.
        device = device_registry.async_get_device(
            identifiers={(DOMAIN, coordinator.device_identifier)}
        )
        assert device is not None
        before = (sim.frequency, sim.core_voltage)
        with pytest.raises(HomeAssistantError) as err:
            await hass.services.async_call(
                DOMAIN,
                "set_mode",
                {"device_id": device.id, "mode": "eco"},
                blocking=True,
            )
        assert err.value.translation_key == "otp_required"
        assert sim.requests_to("PATCH", "/api/system")  # tried, and refused:
        assert (sim.frequency, sim.core_voltage) == before
        audit = await rows(hass, entry, AuditLog)
        assert (audit[-1].action, audit[-1].status) == ("mode_changed", "failure")

        # OTP switched off on the device: the issue goes at the next poll.
        sim.otp_enabled = False
        await coordinator.async_refresh()
    assert issue_registry.async_get_issue(DOMAIN, f"miner_otp_{subentry_id}") is None


@pytest.mark.parametrize("miner_type", ["nerdqaxe", "auto"])
async def test_otp_refusing_reads(
    hass: HomeAssistant, setup_hub: HubFactory, socket_enabled: None, miner_type: str
) -> None:
    """Only a device that refuses the read itself is an error."""
    entry = await setup_hub()
    async with AxeOSSimulator(
        "nerdqaxe_pp", otp_enabled=True, otp_reads=True, **FAST
    ) as sim:
        result = await _add(hass, entry.entry_id, _input(sim, miner_type))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "otp_required"}
    assert not entry.subentries


@pytest.mark.parametrize(
    ("host", "error"),
    [
        ("http://192.168.1.5", "host_has_scheme"),
        ("192.168.1.5/api", "host_has_path"),
        ("192.168.1.5:80", "host_has_port"),
        ("[::1]", "invalid_host"),
        ("bad_host!", "invalid_host"),
        ("-leading.example", "invalid_host"),
        ("", "invalid_host"),
    ],
)
async def test_bad_host(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    socket_enabled: None,
    host: str,
    error: str,
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry.entry_id, {**_input(None, "bitaxe"), "host": host})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"host": error}


async def test_duplicate_aborts(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID, title="First")]
    )
    result = await _add(hass, entry.entry_id, _input(axeos_sim, "auto", name="Again"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert result["description_placeholders"] == {"name": "First"}
    assert len(entry.subentries) == 1


async def _reconfigure(
    hass: HomeAssistant, entry_id: str, subentry_id: str, user_input: dict[str, Any]
) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry_id, SUBENTRY_MINER),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )


async def test_reconfigure_in_place(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: Any,
) -> None:
    entry = await setup_hub(
        [miner_subentry(axeos_sim, "bitaxe", unique_id=BITAXE_UID, title="Old")]
    )
    (subentry_id,) = entry.subentries
    coordinator = entry.runtime_data.coordinators[subentry_id]
    result = await _reconfigure(
        hass,
        entry.entry_id,
        subentry_id,
        {
            "name": "New name",
            "host": axeos_sim.host,
            "port": axeos_sim.port,
            "scan_interval": 60,
        },
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    subentry = entry.subentries[subentry_id]
    assert subentry.title == "New name"
    assert subentry.data["scan_interval"] == 60
    # Same coordinator object (entities keep it), new settings applied.
    assert entry.runtime_data.coordinators[subentry_id] is coordinator
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 60
    assert coordinator.manual_power_watts is None
    (miner,) = await rows(hass, entry, Miner)
    assert miner.name == "New name"
    audit = await rows(hass, entry, AuditLog)
    assert audit[-1].action == "miner_reconfigured"
    assert audit[-1].changes is not None
    assert audit[-1].changes["scan_interval"] == {"old": 30, "new": 60}


async def test_reconfigure_other_device_aborts(
    hass: HomeAssistant, setup_hub: HubFactory, socket_enabled: None
) -> None:
    async with (
        AxeOSSimulator("bitaxe_v2_15", **FAST) as first,
        AxeOSSimulator("bitaxe_v2_9", **FAST) as other,
    ):
        entry = await setup_hub([miner_subentry(first, "bitaxe", unique_id=BITAXE_UID)])
        (subentry_id,) = entry.subentries
        result = await _reconfigure(
            hass,
            entry.entry_id,
            subentry_id,
            {"name": "x", "host": other.host, "port": other.port, "scan_interval": 30},
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.subentries[subentry_id].data["port"] == first.port


async def test_reconfigure_to_another_known_miner_names_it(
    hass: HomeAssistant, setup_hub: HubFactory, socket_enabled: None
) -> None:
    """Pointing a miner at the address of another configured miner says which."""
    async with (
        AxeOSSimulator("bitaxe_v2_15", **FAST) as first,
        AxeOSSimulator("bitaxe_v2_9", **FAST) as second,
    ):
        entry = await setup_hub(
            [
                miner_subentry(first, "bitaxe", unique_id=BITAXE_UID, title="Desk"),
                miner_subentry(second, "bitaxe", title="Garage"),
            ]
        )
        desk_id = next(
            sid for sid, sub in entry.subentries.items() if sub.title == "Desk"
        )
        result = await _reconfigure(
            hass,
            entry.entry_id,
            desk_id,
            {
                "name": "Desk",
                "host": second.host,
                "port": second.port,
                "scan_interval": 30,
            },
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "address_of_other_miner"
    assert result["description_placeholders"] == {"name": "Garage"}
    assert entry.subentries[desk_id].data["port"] == first.port


async def test_reconfigure_keeps_avalon_password(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    entry = await setup_hub(
        [
            miner_subentry(
                avalon_sim,
                "avalon_nano",
                unique_id="mac:e0:e1:a9:3f:30:53",
                web_password=AVALON_WEB_PASSWORD,
            )
        ]
    )
    (subentry_id,) = entry.subentries
    # Identity from the simulator, whatever it is.
    probe_uid = entry.runtime_data.coordinators[subentry_id].data.identity
    hass.config_entries.async_update_subentry(
        entry, entry.subentries[subentry_id], unique_id=probe_uid
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await _reconfigure(
        hass,
        entry.entry_id,
        subentry_id,
        {
            "name": "Nano",
            "host": avalon_sim.host,
            "port": avalon_sim.port,
            "scan_interval": 45,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[subentry_id].data["web_password"] == AVALON_WEB_PASSWORD


async def test_audit_names_the_acting_user(  # noqa: PLR0917  (pytest fixtures)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    hass_client: Any,
    hass_ws_client: Any,
    hass_admin_user: Any,
) -> None:
    """Through the real HTTP/websocket API, the admin's name is recorded."""
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    assert await async_setup_component(hass, "config", {})
    entry = await setup_hub()
    client = await hass_client()
    resp = await client.post(
        "/api/config/config_entries/subentries/flow",
        json={"handler": [entry.entry_id, SUBENTRY_MINER]},
    )
    assert resp.status == 200
    flow_id = (await resp.json())["flow_id"]
    resp = await client.post(
        f"/api/config/config_entries/subentries/flow/{flow_id}",
        json=_input(axeos_sim, "bitaxe"),
    )
    assert resp.status == 200
    assert (await resp.json())["type"] == "create_entry"
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry_id,) = entry.subentries

    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {
            "type": "config_entries/subentries/delete",
            "entry_id": entry.entry_id,
            "subentry_id": subentry_id,
        }
    )
    assert (await ws.receive_json())["success"]
    await hass.async_block_till_done(wait_background_tasks=True)

    audit = await rows(hass, entry, AuditLog)
    assert [(a.action, a.user) for a in audit] == [
        ("miner_added", hass_admin_user.name),
        ("miner_removed", hass_admin_user.name),
    ]
    assert audit[0].ip_address == "127.0.0.1"


async def test_re_adding_a_removed_miner_reuses_its_row(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    entry = await setup_hub()
    await _add(hass, entry.entry_id, _input(axeos_sim, "bitaxe"))
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry_id,) = entry.subentries
    (first,) = await rows(hass, entry, Miner)
    hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await _add(hass, entry.entry_id, _input(axeos_sim, "auto", name="Back"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    (again,) = await rows(hass, entry, Miner)
    assert again.id == first.id
    assert again.enabled is True
    assert again.name == "Back"


async def test_manual_power_added_later_brings_power_sensors(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
    axeos_sim: AxeOSSimulator,
) -> None:
    """Reconfiguring in a power estimate adds power/efficiency/energy at once.

    No hub reload: the other miner keeps its coordinator and entities, and the
    NMMiner keeps its coordinator and the entities it already had.
    """
    entry = await setup_hub(
        [
            miner_subentry(
                nmminer_sim, "nmminer", title="NMMiner", unique_id=NMMINER_UID
            ),
            miner_subentry(axeos_sim, "bitaxe", title="Bitaxe", unique_id=BITAXE_UID),
        ]
    )
    hub = entry.runtime_data
    coordinators = dict(hub.coordinators)
    nm_id = next(s for s, c in coordinators.items() if c.miner_type == "nmminer")
    power_ids = {
        "sensor.nmminer_power",
        "sensor.nmminer_efficiency",
        "sensor.nmminer_energy",
    }
    assert not any(hass.states.get(e) for e in power_ids)
    entity_registry = er.async_get(hass)
    hashrate_entry = entity_registry.async_get("sensor.nmminer_hashrate")
    bitaxe_hashrate = hass.states.get("sensor.bitaxe_hashrate")
    reconfigure = {
        "name": "NMMiner",
        "host": nmminer_sim.host,
        "port": nmminer_sim.port,
        "scan_interval": 30,
    }

    result = await _reconfigure(
        hass, entry.entry_id, nm_id, {**reconfigure, "manual_power_watts": 5}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED
    assert hub.coordinators == coordinators  # same objects: nothing rebuilt
    power = hass.states.get("sensor.nmminer_power")
    energy = hass.states.get("sensor.nmminer_energy")
    assert power is not None
    assert float(power.state) == 5.0
    assert energy is not None
    assert float(energy.state) == 0.0
    assert hass.states.get("sensor.nmminer_efficiency") is not None
    # The Bitaxe was not touched; the NMMiner's other entities were kept.
    assert hass.states.get("sensor.bitaxe_hashrate") is bitaxe_hashrate
    assert entity_registry.async_get("sensor.nmminer_hashrate") is hashrate_entry

    # Taking the estimate away removes them again (entities and registry).
    result = await _reconfigure(hass, entry.entry_id, nm_id, reconfigure)
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hub.coordinators == coordinators
    for entity_id in power_ids:
        assert hass.states.get(entity_id) is None
        assert entity_registry.async_get(entity_id) is None
    assert hass.states.get("sensor.nmminer_hashrate") is not None


async def test_manual_power_added_to_avalon_nano3(
    hass: HomeAssistant, setup_hub: HubFactory, socket_enabled: None
) -> None:
    """The Nano 3 reports no power: its power sensor shows a later estimate."""
    async with CgminerSimulator(
        "nano3", web_password=AVALON_WEB_PASSWORD, **FAST
    ) as sim:
        entry = await setup_hub(
            [
                miner_subentry(
                    sim,
                    "avalon_nano",
                    title="Avalon",
                    web_password=AVALON_WEB_PASSWORD,
                )
            ]
        )
        (subentry_id,) = entry.subentries
        coordinator = entry.runtime_data.coordinators[subentry_id]
        hass.config_entries.async_update_subentry(
            entry, entry.subentries[subentry_id], unique_id=coordinator.data.identity
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        assert hass.states.get("sensor.avalon_power").state == STATE_UNKNOWN  # type: ignore[union-attr]
        result = await _reconfigure(
            hass,
            entry.entry_id,
            subentry_id,
            {
                "name": "Avalon",
                "host": sim.host,
                "port": sim.port,
                "scan_interval": 30,
                "manual_power_watts": 140,
            },
        )
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done(wait_background_tasks=True)
        assert float(hass.states.get("sensor.avalon_power").state) == 140.0  # type: ignore[union-attr]
        assert float(hass.states.get("sensor.avalon_energy").state) >= 0.0  # type: ignore[union-attr]
