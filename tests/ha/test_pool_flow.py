"""Pool subentry flow against the stratum pool simulator: add, errors, reconfigure."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import json
import logging
from pathlib import Path
import socket
from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigSubentryData,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import config_validation as cv
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous_serialize

from custom_components.home_miner_manager.const import (
    CONF_POOL_ID,
    POOL_COINS,
    SUBENTRY_POOL,
)
from custom_components.home_miner_manager.flows import pool as pool_flow
from custom_components.home_miner_manager.flows.pool import COIN_LABELS, pool_unique_id
from custom_components.home_miner_manager.pools import url as pool_url
from custom_components.home_miner_manager.pools.stratum import (
    ERROR_AUTH_FAILED,
    ERROR_NOT_STRATUM,
)
from hmm_sim.stratum import PoolMode, StratumPoolSimulator

from .conftest import HubFactory, closed_port

USER = "bc1qflowtestwallet0000000000000000000000"
PASSWORD = "s3cret-flow-pass"
NEW_PASSWORD = "n3w-s3cret-pass"
OTHER_USER = "bc1qotherwallet00000000000000000000000000"
RIG_USER = f"{OTHER_USER}.rig"
FORBIDDEN = [",", "|", '"', "\x00", "\n", "\t", "\x1b"]
FORM_FIELDS = {
    "name",
    "url",
    "port",
    "user",
    "password",
    "coin",
    "priority",
    "enabled",
    "failover_to",
    "keep_user",
}


@pytest.fixture
async def pool_sim(socket_enabled: None) -> AsyncGenerator[StratumPoolSimulator]:
    """A pool that accepts USER / PASSWORD; OTHER_USER, RIG_USER any password."""
    users = {USER: PASSWORD, OTHER_USER: None, RIG_USER: None}
    async with StratumPoolSimulator(users=users) as sim:
        yield sim


def _input(sim: StratumPoolSimulator | None, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Solo",
        "url": "127.0.0.1",
        "port": closed_port() if sim is None else sim.port,
        "user": USER,
        "password": PASSWORD,
        **extra,
    }


def pool_subentry(
    sim: StratumPoolSimulator,
    *,
    title: str = "Solo",
    user: str = USER,
    password: str = PASSWORD,
    **extra: Any,
) -> ConfigSubentryData:
    """A configured pool as the flow stores it."""
    data = {
        "name": title,
        "url": sim.host,
        "port": sim.port,
        "user": user,
        "password": password,
        "coin": "BTC",
        "priority": 0,
        "enabled": True,
        "keep_user": False,
        **extra,
    }
    return ConfigSubentryData(
        data=data,
        subentry_type=SUBENTRY_POOL,
        title=title,
        unique_id=pool_unique_id(sim.host, sim.port, user),
    )


def shown(result: Any) -> str:
    """The result as the frontend receives it (HA's own serialization)."""
    data = {k: v for k, v in result.items() if k not in ("data", "context")}
    if (schema := data.pop("data_schema", None)) is not None:
        data["data_schema"] = voluptuous_serialize.convert(
            schema, custom_serializer=cv.custom_serializer
        )
    return json.dumps(data, default=str)


def schema_field(result: Any, name: str) -> dict[str, Any] | None:
    fields = voluptuous_serialize.convert(
        result["data_schema"], custom_serializer=cv.custom_serializer
    )
    assert isinstance(fields, list)
    return next((f for f in fields if f["name"] == name), None)


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_POOL), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result


async def _add(
    hass: HomeAssistant, entry: MockConfigEntry, user_input: dict[str, Any]
) -> Any:
    result = await _start(hass, entry)
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )


async def _start_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str
) -> Any:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_POOL),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    return result


async def _reconfigure(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    subentry_id: str,
    user_input: dict[str, Any],
) -> Any:
    result = await _start_reconfigure(hass, entry, subentry_id)
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )


def _only(entry: MockConfigEntry, title: str) -> str:
    return next(str(sid) for sid, s in entry.subentries.items() if s.title == title)


async def _choose(hass: HomeAssistant, result: Any, option: str) -> Any:
    assert result["type"] is FlowResultType.MENU
    assert option in result["menu_options"]
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": option}
    )


def _authorizations(sim: StratumPoolSimulator) -> list[Any]:
    return [r["params"] for r in sim.requests_log if r["method"] == "mining.authorize"]


# -- add ---------------------------------------------------------------------------


async def test_add_pool_against_simulator(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub()
    first = await _start(hass, entry)
    # No other pool yet: nothing to fail over to.
    assert schema_field(first, "failover_to") is None
    assert schema_field(first, "port") == {
        "name": "port",
        "required": True,
        "default": 3333,
        "selector": {
            "number": {"min": 1.0, "max": 65535.0, "step": 1.0, "mode": "box"}
        },
    }
    # Numbers come from the frontend as floats.
    user_input = _input(
        pool_sim,
        port=float(pool_sim.port),
        coin="BCH",
        priority=2.0,
        keep_user=True,
        enabled=False,
    )
    result = await hass.config_entries.subentries.async_configure(
        first["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Solo"
    assert result["data"] == {
        "name": "Solo",
        "url": "127.0.0.1",
        "port": pool_sim.port,
        "user": USER,
        "password": PASSWORD,
        "coin": "BCH",
        "priority": 2,
        "enabled": False,
        "keep_user": True,
    }
    assert type(result["data"]["port"]) is int
    assert type(result["data"]["priority"]) is int
    assert PASSWORD not in shown(result)
    await hass.async_block_till_done(wait_background_tasks=True)
    subentry = entry.subentries[_only(entry, "Solo")]
    assert subentry.subentry_type == SUBENTRY_POOL
    assert subentry.unique_id == f"127.0.0.1:{pool_sim.port}:{USER}"
    # Checked with the credentials as entered (a real login, not just a connect).
    assert _authorizations(pool_sim)[0] == [USER, PASSWORD]


async def test_defaults_and_empty_password(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry, _input(pool_sim, user=OTHER_USER, password=""))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        "name": "Solo",
        "url": "127.0.0.1",
        "port": pool_sim.port,
        "user": OTHER_USER,
        "password": "x",  # stratum's conventional "no password"
        "coin": "BTC",
        "priority": 0,
        "enabled": True,
        "keep_user": False,
    }
    assert _authorizations(pool_sim) == [[OTHER_USER, "x"]]


async def test_stratum_url_is_split_and_its_port_wins(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub()
    result = await _add(
        hass,
        entry,
        _input(
            pool_sim,
            url=f"  stratum+tcp://127.0.0.1:{pool_sim.port}/ ",
            port=closed_port(),
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["data"]["url"], result["data"]["port"]) == (
        "127.0.0.1",
        pool_sim.port,
    )
    assert result["data"]["password"] == PASSWORD


def test_unique_id_lowercases_the_host_only() -> None:
    assert pool_unique_id("Solo.CKPool.ORG", 3333, "bc1Q.Rig") == (
        "solo.ckpool.org:3333:bc1Q.Rig"
    )


# -- errors ------------------------------------------------------------------------


@pytest.mark.parametrize("char", FORBIDDEN)
@pytest.mark.parametrize("field", ["url", "user", "password"])
async def test_invalid_characters(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    field: str,
    char: str,
) -> None:
    entry = await setup_hub()
    values = {"url": "127.0.0.1", "user": USER, "password": PASSWORD}
    good = values[field]
    values[field] = good[:3] + char + good[3:]  # inside: stripping can't help
    result = await _add(hass, entry, _input(pool_sim, **values))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {field: "invalid_characters"}
    # Refused before any connection; the password is not sent back.
    assert pool_sim.connections == 0
    assert values["password"] not in shown(result)
    password_field = schema_field(result, "password")
    assert password_field is not None
    assert password_field["selector"] == {
        "text": {"type": "password", "multiline": False, "multiple": False}
    }
    assert "default" not in password_field
    assert "description" not in password_field  # no suggested value either
    assert not entry.subentries


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"url": "pool .example.org"}, {"url": "invalid_host"}),
        ({"url": "127.0.0.1:99999"}, {"url": "invalid_port"}),
        ({"url": "https://127.0.0.1"}, {"url": "unsupported_scheme"}),
        ({"user": "   "}, {"user": "user_required"}),
        ({"name": "   "}, {"name": "name_required"}),
        ({"name": "n" * 101}, {"name": "name_too_long"}),
    ],
)
async def test_field_errors(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    values: dict[str, str],
    errors: dict[str, str],
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry, _input(pool_sim, **values))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert pool_sim.connections == 0
    assert PASSWORD not in shown(result)


@pytest.mark.parametrize(
    ("mode", "user_input", "error"),
    [
        (PoolMode.GARBAGE, {}, ERROR_NOT_STRATUM),
        (PoolMode.AUTH_REJECT, {}, ERROR_AUTH_FAILED),
        (PoolMode.NORMAL, {"password": "wrong-pass"}, ERROR_AUTH_FAILED),
    ],
)
async def test_check_errors(  # noqa: PLR0917  (fixtures and parameters)
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    mode: PoolMode,
    user_input: dict[str, Any],
    error: str,
) -> None:
    entry = await setup_hub()
    await pool_sim.set_mode(mode)
    result = await _add(hass, entry, _input(pool_sim, **user_input))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    reason = result["description_placeholders"]["reason"]
    assert reason
    # The simulator echoes the credentials in its refusal; none reach the form.
    text = shown(result)
    assert PASSWORD not in text
    assert "wrong-pass" not in text
    assert USER not in reason  # the wallet address stays out of pool messages
    # What was typed is offered again (the URL as typed), except the password.
    assert schema_field(result, "user")["default"] == USER  # type: ignore[index]
    assert not entry.subentries
    # Fixed at the pool: the same form now saves.
    await pool_sim.set_mode(PoolMode.NORMAL)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _input(pool_sim)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("mode", "step_id"),
    [
        (PoolMode.REFUSE, "unreachable_refused"),
        (PoolMode.DROP_AFTER_SUBSCRIBE, "unreachable_closed"),
    ],
)
async def test_unreachable_pool_is_saved_after_confirming(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    mode: PoolMode,
    step_id: str,
) -> None:
    entry = await setup_hub()
    await pool_sim.set_mode(mode)
    result = await _add(hass, entry, _input(pool_sim))
    # A choice, worded for the cause: save anyway, or back to the form.
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == step_id
    assert result["menu_options"] == ["save_anyway", "back"]
    assert result["description_placeholders"] == {
        "name": "Solo",
        "host": "127.0.0.1",
        "port": str(pool_sim.port),
        "timeout": "10",
    }
    assert PASSWORD not in shown(result)
    assert not entry.subentries  # nothing saved before the confirmation
    result = await _choose(hass, result, "save_anyway")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["port"] == pool_sim.port
    assert result["data"]["password"] == PASSWORD
    assert entry.subentries[_only(entry, "Solo")].unique_id == (
        f"127.0.0.1:{pool_sim.port}:{USER}"
    )


async def test_slow_pool_times_out_into_unreachable(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pool_flow, "STRATUM_TIMEOUT_S", 0.2)
    entry = await setup_hub()
    await pool_sim.set_mode(PoolMode.SLOW, slow_delay=1.0)
    result = await _add(hass, entry, _input(pool_sim))
    assert result["step_id"] == "unreachable_timeout"
    assert result["description_placeholders"]["timeout"] == "0.2"


async def test_unreachable_can_be_abandoned(
    hass: HomeAssistant, setup_hub: HubFactory, socket_enabled: None
) -> None:
    entry = await setup_hub()
    result = await _add(hass, entry, _input(None))  # nothing listens there
    assert result["step_id"] == "unreachable_refused"
    # No Python text ("Connect call failed (...)") reaches the user.
    assert "call failed" not in shown(result).lower()
    hass.config_entries.subentries.async_abort(result["flow_id"])
    await hass.async_block_till_done()
    assert not hass.config_entries.subentries.async_progress()
    assert not entry.subentries


async def test_back_shows_the_form_as_filled_in(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    """ "Back" returns to the form with what was typed; the password is kept."""
    entry = await setup_hub()
    await pool_sim.set_mode(PoolMode.REFUSE)
    typed = _input(pool_sim, name="Typo pool", port=closed_port())
    result = await _add(hass, entry, typed)
    assert result["step_id"] == "unreachable_refused"
    result = await _choose(hass, result, "back")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert not entry.subentries
    for name in ("name", "url", "port", "user"):
        field = schema_field(result, name)
        assert field is not None
        assert field["default"] == typed[name]
    # The password is never sent back to the browser...
    assert PASSWORD not in shown(result)
    # ...yet kept: the corrected form is submitted with the field empty.
    await pool_sim.set_mode(PoolMode.NORMAL)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**typed, "port": pool_sim.port, "password": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["password"] == PASSWORD
    assert _authorizations(pool_sim)[-1] == [USER, PASSWORD]


async def test_unknown_host_says_so(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    socket_enabled: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name that does not resolve (no DNS server is asked: the lookup fails)."""

    async def _no_such_host(host: str, *args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(hass.loop, "getaddrinfo", _no_such_host)
    entry = await setup_hub()
    result = await _add(hass, entry, _input(None, url="pool.example.invalid"))
    assert result["step_id"] == "unreachable_dns"
    assert result["description_placeholders"]["host"] == "pool.example.invalid"


async def test_duplicate_aborts_naming_the_pool(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub([pool_subentry(pool_sim, title="Home solo")])
    # Same host, port and user, written as a stratum URL: the same login.
    result = await _add(
        hass,
        entry,
        _input(
            pool_sim,
            name="Again",
            url=f"stratum+tcp://127.0.0.1:{pool_sim.port}",
            password="",
        ),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert result["description_placeholders"] == {"name": "Home solo"}
    assert len(entry.subentries) == 1
    # Another user on the same pool is another pool (and a name must be unique).
    result = await _add(
        hass, entry, _input(pool_sim, name="home SOLO", user=OTHER_USER)
    )
    assert result["errors"] == {"name": "name_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _input(pool_sim, name="Rig 2", user=OTHER_USER)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(entry.subentries) == 2


async def test_hub_not_loaded_aborts(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub()
    await hass.config_entries.async_unload(entry.entry_id)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_POOL), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "hub_not_loaded"


# -- reconfigure -------------------------------------------------------------------


async def test_reconfigure_keeps_password_when_empty(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub([pool_subentry(pool_sim, coin="DGB", priority=1)])
    subentry_id = _only(entry, "Solo")
    pool_id = entry.subentries[subentry_id].data.get(CONF_POOL_ID)
    form = await _start_reconfigure(hass, entry, subentry_id)
    # The stored values are offered, never the password.
    assert schema_field(form, "coin")["default"] == "DGB"  # type: ignore[index]
    assert schema_field(form, "url")["default"] == "127.0.0.1"  # type: ignore[index]
    assert PASSWORD not in shown(form)
    before = len(_authorizations(pool_sim))
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"],
        _input(pool_sim, name="Renamed", password="", priority=5, coin="DGB"),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    subentry = entry.subentries[subentry_id]
    assert subentry.title == "Renamed"
    assert subentry.data["name"] == "Renamed"
    assert subentry.data["password"] == PASSWORD
    assert subentry.data["priority"] == 5
    assert subentry.unique_id == f"127.0.0.1:{pool_sim.port}:{USER}"
    # The pool was checked with the stored password (it accepts no other).
    assert _authorizations(pool_sim)[before:][0] == [USER, PASSWORD]
    # The hub's row id survives a reconfigure.
    assert subentry.data.get(CONF_POOL_ID) == pool_id


async def test_reconfigure_keeps_keys_the_form_does_not_own(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub([pool_subentry(pool_sim, extra_key="kept")])
    subentry_id = _only(entry, "Solo")
    result = await _reconfigure(hass, entry, subentry_id, _input(pool_sim))
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[subentry_id].data["extra_key"] == "kept"


async def test_reconfigure_stores_a_changed_password(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = await setup_hub([pool_subentry(pool_sim)])
    subentry_id = _only(entry, "Solo")
    assert pool_sim.users is not None
    pool_sim.users[USER] = NEW_PASSWORD
    # The old password no longer works; an empty field keeps it: refused.
    result = await _reconfigure(hass, entry, subentry_id, _input(pool_sim, password=""))
    assert result["errors"] == {"base": "auth_failed"}
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _input(pool_sim, password=NEW_PASSWORD)
    )
    assert result["reason"] == "reconfigure_successful"
    assert PASSWORD not in shown(result)
    assert NEW_PASSWORD not in shown(result)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.subentries[subentry_id].data["password"] == NEW_PASSWORD
    assert NEW_PASSWORD not in caplog.text
    assert PASSWORD not in caplog.text


async def test_reconfigure_unreachable_saves_after_confirming(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub([pool_subentry(pool_sim)])
    subentry_id = _only(entry, "Solo")
    await pool_sim.set_mode(PoolMode.REFUSE)
    result = await _reconfigure(
        hass, entry, subentry_id, _input(pool_sim, priority=9, password="")
    )
    assert result["step_id"] == "unreachable_refused"
    assert entry.subentries[subentry_id].data["priority"] == 0  # not yet
    result = await _choose(hass, result, "save_anyway")
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[subentry_id].data["priority"] == 9
    assert entry.subentries[subentry_id].data["password"] == PASSWORD


async def test_reconfigure_back_returns_to_the_pool_form(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub([pool_subentry(pool_sim)])
    subentry_id = _only(entry, "Solo")
    await pool_sim.set_mode(PoolMode.REFUSE)
    result = await _reconfigure(
        hass, entry, subentry_id, _input(pool_sim, priority=9, password="")
    )
    result = await _choose(hass, result, "back")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    priority = schema_field(result, "priority")
    assert priority is not None
    assert priority["default"] == 9  # as typed, not as stored
    assert entry.subentries[subentry_id].data["priority"] == 0  # nothing saved


async def test_reconfigure_onto_another_pool_aborts(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub(
        [
            pool_subentry(pool_sim, title="Mine"),
            pool_subentry(pool_sim, title="Theirs", user=OTHER_USER, password="x"),
        ]
    )
    mine = _only(entry, "Mine")
    result = await _reconfigure(
        hass, entry, mine, _input(pool_sim, name="Mine", user=OTHER_USER)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert result["description_placeholders"] == {"name": "Theirs"}
    assert entry.subentries[mine].data["user"] == USER
    # Taking the other pool's name is refused too.
    result = await _reconfigure(hass, entry, mine, _input(pool_sim, name="theirs"))
    assert result["errors"] == {"name": "name_in_use"}


# -- failover ----------------------------------------------------------------------


async def test_failover_lists_other_pools_never_itself(
    hass: HomeAssistant, setup_hub: HubFactory, pool_sim: StratumPoolSimulator
) -> None:
    entry = await setup_hub(
        [
            pool_subentry(pool_sim, title="Zeta"),
            pool_subentry(pool_sim, title="Alpha", user=OTHER_USER, password="x"),
        ]
    )
    zeta, alpha = _only(entry, "Zeta"), _only(entry, "Alpha")
    form = await _start(hass, entry)
    field = schema_field(form, "failover_to")
    assert field is not None
    assert field["optional"] is True
    assert field["selector"]["select"]["options"] == [
        {"value": alpha, "label": "Alpha"},
        {"value": zeta, "label": "Zeta"},
    ]
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"],
        _input(pool_sim, name="Backup", user=RIG_USER, failover_to=zeta),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["failover_to"] == zeta
    backup = _only(entry, "Backup")

    # Reconfiguring Zeta: the others are offered, Zeta itself is not and is refused.
    form = await _start_reconfigure(hass, entry, zeta)
    field = schema_field(form, "failover_to")
    assert field is not None
    assert [o["value"] for o in field["selector"]["select"]["options"]] == [
        alpha,
        backup,
    ]
    with pytest.raises(InvalidData):
        await hass.config_entries.subentries.async_configure(
            form["flow_id"], _input(pool_sim, name="Zeta", failover_to=zeta)
        )
    assert "failover_to" not in entry.subentries[zeta].data

    # The stored choice is suggested; leaving it out clears it.
    form = await _start_reconfigure(hass, entry, backup)
    field = schema_field(form, "failover_to")
    assert field is not None
    assert field["description"] == {"suggested_value": zeta}
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], _input(pool_sim, name="Backup", user=RIG_USER)
    )
    assert result["reason"] == "reconfigure_successful"
    assert "failover_to" not in entry.subentries[backup].data


# -- secrets and translations ------------------------------------------------------


async def test_password_never_logged(
    hass: HomeAssistant,
    setup_hub: HubFactory,
    pool_sim: StratumPoolSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    entry = await setup_hub()
    for mode in (PoolMode.AUTH_REJECT, PoolMode.GARBAGE, PoolMode.REFUSE):
        await pool_sim.set_mode(mode)
        result = await _add(hass, entry, _input(pool_sim))
        assert PASSWORD not in shown(result)
        if result["step_id"].startswith("unreachable"):
            result = await _choose(hass, result, "save_anyway")
            assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    # The failures were logged (so the check below looked at something)...
    assert caplog.text.count("failed its check") == 3
    # ...and neither the password nor the wallet address is in any line.
    assert PASSWORD not in caplog.text
    assert USER not in caplog.text


def test_translations_cover_the_flow() -> None:
    path = Path(pool_flow.__file__).parent.parent / "translations" / "en.json"
    strings = json.loads(path.read_text(encoding="utf-8"))["config_subentries"]["pool"]
    errors = set(strings["error"])
    # Every key the URL parser and the stratum check can give, and the flow's own.
    parser_keys = {
        getattr(pool_url, name) for name in dir(pool_url) if name.startswith("ERROR_")
    }
    assert (
        parser_keys
        | {
            ERROR_NOT_STRATUM,
            ERROR_AUTH_FAILED,
            "name_required",
            "name_too_long",
            "name_in_use",
        }
        <= errors
    )
    assert "cannot_connect" not in errors  # never a form error: a second step
    for step in ("user", "reconfigure"):
        assert set(strings["step"][step]["data"]) == FORM_FIELDS
        assert set(strings["step"][step]["data_description"]) == FORM_FIELDS
    for step_id in pool_flow.UNREACHABLE_STEPS.values():
        step = strings["step"][step_id]
        assert "{host}" in step["description"]
        assert "{name}" in step["description"]
        assert list(step["menu_options"]) == pool_flow.UNREACHABLE_MENU
    assert "{name}" in strings["abort"]["already_configured"]
    assert set(COIN_LABELS) == set(POOL_COINS)
