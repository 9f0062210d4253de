"""Miner entities through the real Home Assistant core, fed by simulators."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta
import re
import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.button.const import (
    DOMAIN as BUTTON_DOMAIN,
    SERVICE_PRESS,
)
from homeassistant.components.select import (
    ATTR_OPTION,
    DOMAIN as SELECT_DOMAIN,
    SERVICE_SELECT_OPTION,
)
from homeassistant.components.switch.const import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.home_miner_manager.const import DOMAIN
from hmm_sim import AxeOSSimulator, CgminerSimulator, Fault, NMMinerSimulator
from hmm_sim.base import Simulator
from tests.plugins.simulators import AVALON_WEB_PASSWORD, wait_until

from .conftest import (
    BITAXE_UID,
    NERDQAXE_UID,
    HubFactory,
    add_subentry,
    miner_subentry,
)

AVALON_UIDS = {"nano3s": "mac:e0:e1:a9:3f:30:53", "nano3": "mac:e0:e1:a9:3f:10:aa"}
NMMINER_UID = "host:nm-cyd-a1b2c3"


# -- helpers shared by the entity, energy and snapshot tests -------------------


def sync_sim_clock(sim: Simulator) -> None:
    """Restart a simulator's uptime clock on the (possibly frozen) monotonic time.

    The simulators capture ``time.monotonic`` at import, so under ``freezer``
    their uptime would mix the real and the frozen clock.
    """
    sim.device.counters.boot_monotonic = time.monotonic()  # type: ignore[attr-defined]


async def add_axeos(
    setup_hub: HubFactory, sim: AxeOSSimulator, **extra: Any
) -> MockConfigEntry:
    """Set up a hub with one Bitaxe/NerdQAxe simulator (title = its type)."""
    nerd = sim.miner_type == "nerdqaxe"
    return await setup_hub(
        [
            miner_subentry(
                sim,
                sim.miner_type,
                title="NerdQAxe" if nerd else "Bitaxe",
                unique_id=NERDQAXE_UID if nerd else BITAXE_UID,
                **extra,
            )
        ]
    )


async def add_avalon(
    setup_hub: HubFactory, sim: CgminerSimulator, **extra: Any
) -> MockConfigEntry:
    """Set up a hub with one Avalon Nano simulator, titled "Avalon"."""
    return await setup_hub(
        [
            miner_subentry(
                sim,
                "avalon_nano",
                title="Avalon",
                unique_id=AVALON_UIDS[sim.profile.name],
                web_password=AVALON_WEB_PASSWORD,
                **extra,
            )
        ]
    )


async def add_nmminer(
    setup_hub: HubFactory, sim: NMMinerSimulator, **extra: Any
) -> MockConfigEntry:
    """Set up a hub with one NMMiner v2 simulator, titled "NMMiner"."""
    return await setup_hub(
        [
            miner_subentry(
                sim, "nmminer", title="NMMiner", unique_id=NMMINER_UID, **extra
            )
        ]
    )


async def poll(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory | None = None
) -> None:
    """Let one polling interval (30 s) pass and wait for the refresh to finish."""
    if freezer is not None:
        freezer.tick(timedelta(seconds=30))
        async_fire_time_changed(hass)
    else:
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    await hass.async_block_till_done(wait_background_tasks=True)


def state(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state string (failing clearly if it does not exist)."""
    current = hass.states.get(entity_id)
    assert current is not None, f"{entity_id} does not exist"
    return current.state


def attribute(hass: HomeAssistant, entity_id: str, name: str) -> Any:
    """Return one attribute of an entity's state."""
    current = hass.states.get(entity_id)
    assert current is not None, f"{entity_id} does not exist"
    return current.attributes.get(name)


def number(hass: HomeAssistant, entity_id: str) -> float:
    """Return an entity's state as a float."""
    return float(state(hass, entity_id))


def mm_tokens(sim: CgminerSimulator) -> dict[str, str]:
    """Return the ``Key[value]`` tokens of the last ``estats`` the Avalon served."""
    mm = sim.served["estats"]["STATS"][0]["MM ID0"]
    return dict(re.findall(r"(\w+)\[([^\]]*)\]", mm))


def entity_ids(entity_registry: er.EntityRegistry, entry: MockConfigEntry) -> set[str]:
    """Return every entity id the hub entry registered."""
    return {
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    }


async def test_rarely_needed_sensors_are_disabled_for_a_new_miner(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """Best and session best difficulty, rejected shares, fan speed and the
    firmware start disabled by the integration (fewer state writes and a faster
    set-up at scale); what shows the same (best share ever, reject rate, the
    device page's firmware) and the temperature stay enabled."""
    entry = await add_axeos(setup_hub, axeos_sim)
    off = {
        "best_difficulty",
        "session_best_difficulty",
        "shares_rejected",
        "fan_speed",
        "firmware",
    }
    (miner,) = entry.runtime_data.coordinators.values()
    for key in (*off, "best_share_ever", "reject_rate", "temperature"):
        entity_id = entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{miner.device_identifier}_{key}"
        )
        assert entity_id is not None, key
        registered = entity_registry.async_get(entity_id)
        assert registered is not None
        expected = er.RegistryEntryDisabler.INTEGRATION if key in off else None
        assert registered.disabled_by is expected, key
        assert (hass.states.get(entity_id) is None) is (key in off), key


# -- values match what the simulators served ------------------------------------


@pytest.mark.usefixtures("all_entities_enabled")  # some are off by default
@pytest.mark.parametrize("axeos_sim", ["bitaxe_v2_9", "bitaxe_v2_15"], indirect=True)
async def test_bitaxe_values(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Every Bitaxe sensor shows the served value, hashrate in GH/s."""
    await add_axeos(setup_hub, axeos_sim)
    served = axeos_sim.served["/api/system/info"]
    counters = axeos_sim.device.counters

    assert number(hass, "sensor.bitaxe_hashrate") == served["hashRate"]
    assert attribute(hass, "sensor.bitaxe_hashrate", "unit_of_measurement") == "GH/s"
    assert number(hass, "sensor.bitaxe_temperature") == served["temp"]
    assert number(hass, "sensor.bitaxe_power") == served["power"]
    assert number(hass, "sensor.bitaxe_shares_accepted") == served["sharesAccepted"]
    assert number(hass, "sensor.bitaxe_shares_rejected") == served["sharesRejected"]
    accepted, rejected = served["sharesAccepted"], served["sharesRejected"]
    # To the hundredth of a percent it is shown with.
    assert number(hass, "sensor.bitaxe_reject_rate") == round(
        rejected * 100 / (accepted + rejected), 2
    )
    assert state(hass, "sensor.bitaxe_pool_in_use") == (
        f"{served['stratumURL']}:{served['stratumPort']}"
    )
    # v2.9 serves "4.29G"-style strings, v2.15 plain numbers.
    assert number(hass, "sensor.bitaxe_best_difficulty") == pytest.approx(
        counters.best_ever, rel=0.005
    )
    assert number(hass, "sensor.bitaxe_session_best_difficulty") == pytest.approx(
        counters.best_session, rel=0.005
    )
    # Rounded to what is shown (0.1 J/TH), so hashrate noise is not a new state.
    assert number(hass, "sensor.bitaxe_efficiency") == round(
        served["power"] / (served["hashRate"] / 1000), 1
    )
    assert state(hass, "sensor.bitaxe_firmware") == served["version"]
    assert number(hass, "sensor.bitaxe_fan_speed") == served["fanspeed"]
    boot = dt_util.parse_datetime(state(hass, "sensor.bitaxe_last_restart"))
    assert boot is not None
    expected_boot = dt_util.utcnow() - timedelta(seconds=served["uptimeSeconds"])
    assert abs(boot - expected_boot) < timedelta(seconds=5)
    assert state(hass, "select.bitaxe_mode") == "standard"
    assert state(hass, "switch.bitaxe_polling") == STATE_ON


@pytest.mark.usefixtures("all_entities_enabled")  # some are off by default
@pytest.mark.parametrize("axeos_sim", ["nerdqaxe_pp"], indirect=True)
async def test_nerdqaxe_values(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """NerdQAxe hashrate is shown in TH/s; the rest as served."""
    await add_axeos(setup_hub, axeos_sim)
    served = axeos_sim.served["/api/system/info"]

    hashrate = hass.states.get("sensor.nerdqaxe_hashrate")
    assert hashrate is not None
    assert hashrate.attributes["unit_of_measurement"] == "TH/s"
    assert float(hashrate.state) == pytest.approx(served["hashRate"] / 1000, abs=1e-5)
    assert number(hass, "sensor.nerdqaxe_power") == served["power"]
    assert number(hass, "sensor.nerdqaxe_temperature") == served["temp"]
    assert number(hass, "sensor.nerdqaxe_shares_accepted") == served["sharesAccepted"]
    assert number(hass, "sensor.nerdqaxe_best_difficulty") == served["bestDiff"]
    assert state(hass, "sensor.nerdqaxe_firmware") == served["version"]
    assert state(hass, "select.nerdqaxe_mode") == "standard"
    # NerdQAxe has no expectedHashrate: the sensor is not created.
    assert hass.states.get("sensor.nerdqaxe_expected_hashrate") is None


@pytest.mark.usefixtures("all_entities_enabled")  # some are off by default
@pytest.mark.parametrize(
    ("avalon_sim", "mode"),
    [("nano3s", "high"), ("nano3", "med")],
    indirect=["avalon_sim"],
)
async def test_avalon_values(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    mode: str,
) -> None:
    """Avalon hashrate in TH/s; Nano 3S measures power, Nano 3 only has a limit."""
    await add_avalon(setup_hub, avalon_sim)
    summary = avalon_sim.served["summary"]["SUMMARY"][0]
    mm = mm_tokens(avalon_sim)

    hashrate = hass.states.get("sensor.avalon_hashrate")
    assert hashrate is not None
    assert hashrate.attributes["unit_of_measurement"] == "TH/s"
    assert float(hashrate.state) == pytest.approx(float(mm["GHSspd"]) / 1000, abs=1e-5)
    assert number(hass, "sensor.avalon_shares_accepted") == summary["Accepted"]
    assert number(hass, "sensor.avalon_shares_rejected") == summary["Rejected"]
    assert (
        number(hass, "sensor.avalon_session_best_difficulty") == summary["Best Share"]
    )
    assert number(hass, "sensor.avalon_temperature") == float(mm["TAvg"])
    assert number(hass, "sensor.avalon_power_limit") == float(mm["MPO"])
    pool_url = avalon_sim.served["pools"]["POOLS"][0]["URL"]
    assert state(hass, "sensor.avalon_pool_in_use") == pool_url.split("://", 1)[1]
    assert state(hass, "sensor.avalon_firmware") == avalon_sim.profile.firmware
    assert state(hass, "select.avalon_mode") == mode
    options = attribute(hass, "select.avalon_mode", "options")
    assert options == ["low", "med", "high"]
    if avalon_sim.profile.name == "nano3s":
        assert number(hass, "sensor.avalon_power") == float(mm["PS"].split()[6])
        assert number(hass, "sensor.avalon_energy") == 0.0
    else:
        # No measured power and no manual estimate: unknown, never a guess.
        assert state(hass, "sensor.avalon_power") == STATE_UNKNOWN
        assert state(hass, "sensor.avalon_efficiency") == STATE_UNKNOWN
        assert state(hass, "sensor.avalon_energy") == STATE_UNKNOWN


@pytest.mark.usefixtures("all_entities_enabled")  # some are off by default
async def test_nmminer_values(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    nmminer_sim: NMMinerSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """NMMiner: kH/s, no power/energy without an estimate, no mode select."""
    entry = await add_nmminer(setup_hub, nmminer_sim)
    served = nmminer_sim.served["/api/system/info"]

    hashrate = hass.states.get("sensor.nmminer_hashrate")
    assert hashrate is not None
    assert hashrate.attributes["unit_of_measurement"] == "kH/s"
    assert float(hashrate.state) == pytest.approx(
        served["miner"]["hashRate"] * 1e6, abs=0.01
    )
    assert number(hass, "sensor.nmminer_temperature") == served["temps"]["vcore"]
    assert (
        number(hass, "sensor.nmminer_shares_accepted") == served["miner"]["sAccepted"]
    )
    assert state(hass, "sensor.nmminer_pool_in_use") == served["stratum"]["url"]
    assert number(hass, "sensor.nmminer_best_difficulty") == pytest.approx(
        float(served["miner"]["bestDiffEver"]), abs=1e-4
    )
    # Lottery-miner difficulties are below one: never rounded away to 0.
    session_best = float(served["miner"]["bestDiffSession"])
    assert 0 < session_best < 1
    assert number(hass, "sensor.nmminer_session_best_difficulty") == pytest.approx(
        session_best, abs=1e-4
    )
    ids = entity_ids(entity_registry, entry)
    assert "select.nmminer_mode" not in ids
    assert not {"sensor.nmminer_power", "sensor.nmminer_energy"} & ids
    assert {"button.nmminer_restart", "switch.nmminer_polling"} <= ids


async def test_nmminer_manual_power(
    hass: HomeAssistant, setup_hub: HubFactory, nmminer_sim: NMMinerSimulator
) -> None:
    """A manual estimate gives a miner without a power meter power and energy."""
    await add_nmminer(setup_hub, nmminer_sim, manual_power_watts=5)
    assert number(hass, "sensor.nmminer_power") == 5.0
    assert number(hass, "sensor.nmminer_energy") == 0.0


async def test_pool_sensor_never_shows_credentials(
    hass: HomeAssistant, setup_hub: HubFactory, nmminer_sim: NMMinerSimulator
) -> None:
    """A pool URL with user:password@ in it is shown as host:port only."""
    nmminer_sim.device.active["PrimaryPool"] = (
        "stratum+tcp://worker:s3cret@pool.example:3333"
    )
    await add_nmminer(setup_hub, nmminer_sim)
    assert state(hass, "sensor.nmminer_pool_in_use") == "pool.example:3333"
    for current in hass.states.async_all():
        assert "s3cret" not in str(current.as_dict())


# -- device registry --------------------------------------------------------------


async def test_device_info(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """One device per miner, in its subentry, with what the miner reported."""
    entry = await add_axeos(setup_hub, axeos_sim)
    device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    assert device.name == "Bitaxe"
    assert device.manufacturer == "Bitaxe"
    assert device.model == "Bitaxe Gamma"
    assert device.sw_version == axeos_sim.profile.firmware
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, "2c:54:91:88:c9:e5")}
    assert device.configuration_url == f"http://127.0.0.1:{axeos_sim.port}/"
    (subentry_id,) = entry.subentries
    assert device.config_entries_subentries == {entry.entry_id: {subentry_id}}
    hub_device = device_registry.async_get_device(
        identifiers={(DOMAIN, entry.entry_id)}
    )
    assert hub_device is not None
    assert device.via_device_id == hub_device.id
    for entity in er.async_entries_for_config_entry(entity_registry, entry.entry_id):
        if entity.config_subentry_id is None:  # the hub's own sensors
            assert entity.device_id == hub_device.id
            continue
        assert entity.device_id == device.id
        assert entity.config_subentry_id == subentry_id
        assert entity.unique_id.startswith(f"{BITAXE_UID}_")


async def test_avalon_device_points_at_web_ui(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    avalon_sim: CgminerSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Avalon's configuration URL is its web dashboard, not the cgminer port."""
    await add_avalon(setup_hub, avalon_sim)
    device = device_registry.async_get_device(
        identifiers={(DOMAIN, AVALON_UIDS["nano3s"])}
    )
    assert device is not None
    assert device.manufacturer == "Canaan"
    assert device.model == "Avalon Nano 3S"
    assert device.configuration_url == "http://127.0.0.1/"
    assert device.sw_version == avalon_sim.profile.firmware


@pytest.mark.usefixtures("all_entities_enabled")  # the firmware sensor is off
async def test_firmware_update_reaches_device_registry(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """After an OTA the device page shows the new firmware without a reload."""
    await add_axeos(setup_hub, axeos_sim)
    upgraded = dataclasses.replace(axeos_sim.profile, firmware="v2.16.0")
    axeos_sim.profile = axeos_sim.device.profile = upgraded
    await poll(hass)
    device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    assert device.sw_version == "v2.16.0"
    assert state(hass, "sensor.bitaxe_firmware") == "v2.16.0"


async def test_offline_at_start_then_device_info_filled(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A miner offline at start-up loads unavailable; its details arrive later."""
    await axeos_sim.set_fault(Fault.REFUSED)
    await add_axeos(setup_hub, axeos_sim)
    assert state(hass, "sensor.bitaxe_hashrate") == STATE_UNAVAILABLE
    device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    assert device.sw_version is None

    await axeos_sim.clear_fault()
    await poll(hass)
    assert state(hass, "sensor.bitaxe_hashrate") != STATE_UNAVAILABLE
    device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert device is not None
    assert device.sw_version == axeos_sim.profile.firmware
    assert device.model == "Bitaxe Gamma"
    assert (dr.CONNECTION_NETWORK_MAC, "2c:54:91:88:c9:e5") in device.connections


# -- availability -----------------------------------------------------------------


async def test_unavailable_while_faulted_then_recovers(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Failed polls make entities unavailable (never stale); recovery restores them."""
    await add_axeos(setup_hub, axeos_sim)
    assert state(hass, "sensor.bitaxe_hashrate") != STATE_UNAVAILABLE

    await axeos_sim.set_fault(Fault.HTTP_500)
    await poll(hass)
    for entity_id in (
        "sensor.bitaxe_hashrate",
        "sensor.bitaxe_power",
        "sensor.bitaxe_energy",
        "sensor.bitaxe_last_restart",
        "select.bitaxe_mode",
        "button.bitaxe_restart",
    ):
        assert state(hass, entity_id) == STATE_UNAVAILABLE, entity_id
    # The polling switch stays usable: it is how a user silences a dead miner.
    assert state(hass, "switch.bitaxe_polling") == STATE_ON

    await axeos_sim.clear_fault()
    await poll(hass)
    served = axeos_sim.served["/api/system/info"]
    assert number(hass, "sensor.bitaxe_hashrate") == served["hashRate"]
    assert state(hass, "select.bitaxe_mode") == "standard"


@pytest.mark.parametrize("avalon_sim", ["nano3s"], indirect=True)
async def test_avalon_unavailable_on_garbage(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    """An Avalon answering garbage is unavailable, not showing old numbers."""
    await add_avalon(setup_hub, avalon_sim)
    await avalon_sim.set_fault(Fault.GARBAGE)
    await poll(hass)
    assert state(hass, "sensor.avalon_hashrate") == STATE_UNAVAILABLE
    await avalon_sim.clear_fault()
    await poll(hass)
    assert number(hass, "sensor.avalon_hashrate") == pytest.approx(
        float(mm_tokens(avalon_sim)["GHSspd"]) / 1000, abs=1e-5
    )


async def test_last_restart_is_stable_and_moves_on_reboot(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The boot time does not churn with every poll; a reboot moves it."""
    sync_sim_clock(axeos_sim)
    await add_axeos(setup_hub, axeos_sim)
    first = state(hass, "sensor.bitaxe_last_restart")
    expected = dt_util.utcnow().replace(microsecond=0) - timedelta(
        seconds=axeos_sim.served["/api/system/info"]["uptimeSeconds"]
    )
    assert dt_util.parse_datetime(first) == expected
    for _ in range(3):
        await poll(hass, freezer)
        # Clock noise of a few seconds between miner and HA is not a restart.
        axeos_sim.device.counters.uptime_offset += 2
    assert state(hass, "sensor.bitaxe_last_restart") == first

    axeos_sim.device.counters.reboot()
    await poll(hass, freezer)
    rebooted = dt_util.parse_datetime(state(hass, "sensor.bitaxe_last_restart"))
    uptime = axeos_sim.served["/api/system/info"]["uptimeSeconds"]
    assert uptime == 30
    assert rebooted == dt_util.utcnow().replace(microsecond=0) - timedelta(seconds=30)
    assert rebooted > datetime.fromisoformat(first)


# -- controls reach the device ------------------------------------------------------


async def test_mode_select_changes_the_bitaxe(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Selecting eco patches the Bitaxe's frequency/voltage; the state follows."""
    await add_axeos(setup_hub, axeos_sim)
    default_frequency = axeos_sim.frequency
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: "select.bitaxe_mode", ATTR_OPTION: "eco"},
        blocking=True,
    )
    assert axeos_sim.frequency < default_frequency
    assert axeos_sim.frequency == 400  # BM1370 lowest option
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, "select.bitaxe_mode") == "eco"


@pytest.mark.parametrize("avalon_sim", ["nano3s", "nano3"], indirect=True)
async def test_mode_select_changes_the_avalon(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    """Selecting low sets workmode (3S) or worklevel (Nano 3) 0 on the device."""
    await add_avalon(setup_hub, avalon_sim)
    await hass.services.async_call(
        SELECT_DOMAIN,
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: "select.avalon_mode", ATTR_OPTION: "low"},
        blocking=True,
    )
    assert avalon_sim.mode == 0
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, "select.avalon_mode") == "low"


async def test_mode_select_rejects_unknown_mode(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """An Avalon mode on a Bitaxe is refused before anything is sent."""
    await add_axeos(setup_hub, axeos_sim)
    requests = axeos_sim.requests
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: "select.bitaxe_mode", ATTR_OPTION: "high"},
            blocking=True,
        )
    assert axeos_sim.requests == requests


@pytest.mark.parametrize("avalon_sim", ["nano3s"], indirect=True)
async def test_mode_select_refused_while_calibrating(
    hass: HomeAssistant, setup_hub: HubFactory, avalon_sim: CgminerSimulator
) -> None:
    """A device refusal surfaces as a translated error; the mode is unchanged."""
    await add_avalon(setup_hub, avalon_sim)
    avalon_sim.calibrating = True
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            SELECT_DOMAIN,
            SERVICE_SELECT_OPTION,
            {ATTR_ENTITY_ID: "select.avalon_mode", ATTR_OPTION: "low"},
            blocking=True,
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "calibrating"
    assert avalon_sim.mode == 2


async def test_restart_button_reboots_the_miner(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Pressing restart reboots the device (its boot counter goes up)."""
    await add_axeos(setup_hub, axeos_sim)
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: "button.bitaxe_restart"},
        blocking=True,
    )
    await wait_until(lambda: axeos_sim.boots == 2)


async def test_restart_is_followed_until_the_miner_is_back(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """After a restart the miner is polled every 5 s until it answers with a
    fresh uptime, not only at the next scheduled poll (30 s here)."""
    entry = await add_axeos(setup_hub, axeos_sim)
    (coordinator,) = entry.runtime_data.coordinators.values()
    before = coordinator.data.uptime_seconds
    axeos_sim.device.counters.uptime_offset += 3600  # an hour of uptime so far
    await coordinator.async_refresh()
    assert coordinator.data.uptime_seconds > before
    requests = axeos_sim.requests
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: "button.bitaxe_restart"},
        blocking=True,
    )
    await wait_until(lambda: axeos_sim.boots == 2)
    for _ in range(3):  # 15 s: well before the next scheduled poll
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=5.1))
        await hass.async_block_till_done(wait_background_tasks=True)
        if coordinator.data.uptime_seconds < 3600:
            break
        await asyncio.sleep(0.1)
    assert axeos_sim.requests > requests
    assert coordinator.data.uptime_seconds < 3600  # the fresh boot
    assert coordinator.restart_watch is not None
    assert not coordinator.restart_watch.active  # done watching


async def test_restart_button_error_when_unreachable(
    hass: HomeAssistant, setup_hub: HubFactory, nmminer_sim: NMMinerSimulator
) -> None:
    """A restart that cannot reach the miner raises a translated error."""
    await add_nmminer(setup_hub, nmminer_sim)
    await nmminer_sim.set_fault(Fault.HTTP_500)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            BUTTON_DOMAIN,
            SERVICE_PRESS,
            {ATTR_ENTITY_ID: "button.nmminer_restart"},
            blocking=True,
        )
    assert err.value.translation_domain == DOMAIN
    assert nmminer_sim.boots == 1


async def test_polling_switch(
    hass: HomeAssistant, setup_hub: HubFactory, axeos_sim: AxeOSSimulator
) -> None:
    """Polling off: no more requests, entities unavailable, switch still usable."""
    entry = await add_axeos(setup_hub, axeos_sim)
    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_OFF,
        {ATTR_ENTITY_ID: "switch.bitaxe_polling"},
        blocking=True,
    )
    assert state(hass, "switch.bitaxe_polling") == STATE_OFF
    assert state(hass, "sensor.bitaxe_hashrate") == STATE_UNAVAILABLE
    (subentry,) = entry.subentries.values()
    assert subentry.data["enabled"] is False
    requests = axeos_sim.requests
    await poll(hass)
    await poll(hass)
    assert axeos_sim.requests == requests

    await hass.services.async_call(
        SWITCH_DOMAIN,
        SERVICE_TURN_ON,
        {ATTR_ENTITY_ID: "switch.bitaxe_polling"},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state(hass, "switch.bitaxe_polling") == STATE_ON
    assert axeos_sim.requests > requests
    served = axeos_sim.served["/api/system/info"]
    assert number(hass, "sensor.bitaxe_hashrate") == served["hashRate"]


# -- dynamic devices ------------------------------------------------------------------


async def test_second_miner_added_at_runtime(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    nmminer_sim: NMMinerSimulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """A miner subentry added later gets entities without touching the first."""
    entry = await add_axeos(setup_hub, axeos_sim)
    before = entity_ids(entity_registry, entry)
    hashrate = hass.states.get("sensor.bitaxe_hashrate")

    data = miner_subentry(
        nmminer_sim, "nmminer", title="NMMiner", unique_id=NMMINER_UID
    )
    add_subentry(hass, entry, data)
    await hass.async_block_till_done(wait_background_tasks=True)
    added = entity_ids(entity_registry, entry) - before
    assert "sensor.nmminer_hashrate" in added
    assert state(hass, "sensor.nmminer_hashrate") != STATE_UNAVAILABLE
    # The Bitaxe's entities were not rebuilt.
    assert hass.states.get("sensor.bitaxe_hashrate") is hashrate


async def test_device_hangs_under_the_hub_device(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    axeos_sim: AxeOSSimulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The hub has a service device of its own; every miner device is under it."""
    entry = await add_axeos(setup_hub, axeos_sim)
    hub = device_registry.async_get_device(identifiers={(DOMAIN, entry.entry_id)})
    assert hub is not None
    assert hub.entry_type is dr.DeviceEntryType.SERVICE
    assert hub.name == "Home Miner Manager"
    # The entry's own device, not a miner subentry's.
    assert hub.config_entries_subentries == {entry.entry_id: {None}}
    miner = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert miner is not None
    assert miner.via_device_id == hub.id

    # Reloading keeps the one hub device (and the link).
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    devices = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert sorted(d.id for d in devices) == sorted([hub.id, miner.id])
    miner = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
    assert miner is not None
    assert miner.via_device_id == hub.id


async def test_ipv6_configuration_url(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    socket_enabled: None,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An IPv6 miner's web UI link has the address in brackets."""
    async with AxeOSSimulator("bitaxe_v2_15", host="::1") as sim:
        await add_axeos(setup_hub, sim)
        device = device_registry.async_get_device(identifiers={(DOMAIN, BITAXE_UID)})
        assert device is not None
        assert device.configuration_url == f"http://[::1]:{sim.port}/"
