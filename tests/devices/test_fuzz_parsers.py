"""Property-based fuzzing of every response parser (below the transport).

Each parser gets random JSON, mutated real fixtures, damaged bytes, wrong
types and NaN / huge numbers. Only ``MinerError`` subclasses may escape, and
every snapshot must be sane (:func:`assert_sane`). The number of generated
cases is printed at the end of the module.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import math
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.home_miner_manager.devices.avalon_stats import (
    decode_cgminer_reply,
    parse_avalon,
    parse_mm_string,
)
from custom_components.home_miner_manager.devices.axeos_info import (
    firmware_has_pool_list,
    parse_axeos_body,
)
from custom_components.home_miner_manager.devices.cgminer import check_ascset_reply
from custom_components.home_miner_manager.devices.exceptions import MinerError
from custom_components.home_miner_manager.devices.factory import classify_axeos_info
from custom_components.home_miner_manager.devices.modes import (
    fallback_table,
    table_from_asic_info,
)
from custom_components.home_miner_manager.devices.nmminer_telemetry import (
    parse_datagram,
    parse_nmminer_body,
)
from custom_components.home_miner_manager.devices.parsing import (
    format_mac,
    parse_difficulty,
    parse_hashrate,
    parse_uptime,
)
from custom_components.home_miner_manager.devices.types import AXEOS_MODES, MinerType

from . import parse_fixtures as fx
from .fuzz_support import (
    CASES,
    assert_sane,
    count,
    damaged_bytes,
    dump,
    fuzz_settings,
    json_values,
    mutated,
)

GAMMA = fallback_table("BM1370")
AXEOS_FIXTURES = [fx.BITAXE_V29, fx.BITAXE_V215, fx.NERDQAXE_PP, fx.NERDAXE_OLD]


@pytest.fixture(autouse=True, scope="module")
def _report_cases(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print how many fuzz cases ran in this module."""
    CASES.clear()
    yield
    line = f"fuzz cases run: {sum(CASES.values())} " + str(dict(sorted(CASES.items())))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)


def _axeos(body: bytes, kind: MinerType) -> None:
    try:
        snap = parse_axeos_body(body, kind, GAMMA)
    except MinerError:
        return
    assert_sane(snap)
    assert snap.miner_type == kind


@fuzz_settings(1000)
@given(
    st.sampled_from(AXEOS_FIXTURES).flatmap(mutated),
    st.sampled_from(list(MinerType)[:2]),
)
def test_fuzz_axeos_mutated_fixtures(info: dict[str, Any], kind: MinerType) -> None:
    count("axeos_mutated")
    _axeos(dump(info), kind)
    firmware_has_pool_list(info)
    classify_axeos_info(info)


@fuzz_settings(800)
@given(st.sampled_from(AXEOS_FIXTURES).map(dump).flatmap(damaged_bytes))
def test_fuzz_axeos_damaged_bytes(body: bytes) -> None:
    count("axeos_bytes")
    _axeos(body, MinerType.BITAXE)


@fuzz_settings(600)
@given(json_values)
def test_fuzz_axeos_random_json(value: Any) -> None:
    count("axeos_random")
    _axeos(dump(value), MinerType.NERDQAXE)


@fuzz_settings(600)
@given(
    st.sampled_from([fx.BITAXE_ASIC_GAMMA, fx.NERDQAXE_PP_ASIC]).flatmap(mutated),
    st.floats(allow_nan=True) | st.none(),
)
def test_fuzz_mode_tables(asic: dict[str, Any], frequency: float | None) -> None:
    count("modes")
    table = table_from_asic_info(asic)
    if table is None:
        return
    for setting in table.settings.values():
        assert setting.frequency > 0
        assert setting.core_voltage > 0
    detected = table.detect(frequency)
    assert detected is None or detected in AXEOS_MODES


def _mm_tokens() -> st.SearchStrategy[str]:
    keys = st.sampled_from(
        [
            "GHSspd",
            "TAvg",
            "TMax",
            "OTemp",
            "ITemp",
            "PS",
            "WORKMODE",
            "WORKLEVEL",
            "MPO",
            "FanR",
            "Fan1",
            "Ver",
            "DNA",
            "HDNA",
            "Elapsed",
            "BAR",
            "ADJ",
            "Freq",
            "Temp",
        ]
    ) | st.from_regex(r"[A-Za-z_]{1,8}", fullmatch=True)
    values = st.text(
        alphabet=st.characters(blacklist_characters="]"), max_size=30
    ) | st.sampled_from(
        [
            "-273",
            "nan",
            "inf",
            "1e400",
            "-5",
            "0 0 27541 4 0 3756 133",
            "33%",
            "7",
            "Nano3s-1",
        ]
    )
    return st.lists(st.tuples(keys, values), max_size=25).map(
        lambda pairs: " ".join(f"{k}[{v}]" for k, v in pairs)
    )


def _avalon(raw: list[bytes]) -> None:
    decoded: list[dict[str, Any] | None] = []
    for body in raw:
        try:
            decoded.append(decode_cgminer_reply(body))
        except MinerError:
            decoded.append(None)
    try:
        state = parse_avalon(*decoded)
    except MinerError:
        return
    assert_sane(state.snapshot)
    assert state.mode_command in (None, "workmode", "worklevel")


@fuzz_settings(1200)
@given(_mm_tokens(), st.sampled_from([fx.NANO3S_MM, fx.NANO3_MM]), st.booleans())
def test_fuzz_avalon_mm_strings(tokens: str, base: str, keep_base: bool) -> None:
    count("avalon_mm")
    mm = (base + " " + tokens) if keep_base else tokens
    parse_mm_string(mm)
    _avalon(
        [fx.NANO3S_VERSION, fx.NANO3S_SUMMARY, fx.estats_reply(mm), fx.NANO3S_POOLS]
    )


_CG_REPLIES = [fx.NANO3S_VERSION, fx.NANO3S_SUMMARY, fx.NANO3S_ESTATS, fx.NANO3S_POOLS]


@fuzz_settings(800)
@given(st.integers(0, 3), st.sampled_from(_CG_REPLIES).flatmap(damaged_bytes))
def test_fuzz_avalon_damaged_replies(slot: int, body: bytes) -> None:
    count("avalon_bytes")
    replies = list(_CG_REPLIES)
    replies[slot] = body
    _avalon(replies)


@st.composite
def _mutated_cg(draw: st.DrawFn) -> list[bytes]:
    replies = []
    for reply in _CG_REPLIES:
        data = decode_cgminer_reply(reply)
        section = next(key for key in data if key not in ("STATUS", "id"))
        rows = data[section]
        if draw(st.booleans()):
            rows = [draw(mutated(rows[0])), *rows[1:]]
        if draw(st.booleans()):
            data[section] = draw(json_values)
        else:
            data[section] = rows
        replies.append(dump(data) + b"\x00")
    return replies


@fuzz_settings(400)
@given(_mutated_cg())
def test_fuzz_avalon_mutated_sections(replies: list[bytes]) -> None:
    count("avalon_mutated")
    _avalon(replies)


@fuzz_settings(400)
@given(
    json_values
    | st.sampled_from([fx.NANO3S_VERSION]).map(decode_cgminer_reply).flatmap(mutated)
)
def test_fuzz_ascset_replies(reply: Any) -> None:
    count("ascset")
    if type(reply) is not dict:
        return
    with contextlib.suppress(MinerError):
        check_ascset_reply(reply)


def _nmminer_http(body: bytes) -> None:
    try:
        snap = parse_nmminer_body(body)
    except MinerError:
        return
    assert_sane(snap)
    assert snap.mode is None


@st.composite
def _mutated_nmminer_http(draw: st.DrawFn) -> dict[str, Any]:
    info = dict(fx.NMMINER_HTTP)
    for section in ("identity", "miner", "stratum", "temps"):
        if draw(st.booleans()):
            info[section] = draw(mutated(fx.NMMINER_HTTP[section]))
    return draw(mutated(info))


@fuzz_settings(400)
@given(_mutated_nmminer_http())
def test_fuzz_nmminer_http(info: dict[str, Any]) -> None:
    count("nmminer_http")
    _nmminer_http(dump(info))


@fuzz_settings(400)
@given(st.just(dump(fx.NMMINER_HTTP)).flatmap(damaged_bytes) | json_values.map(dump))
def test_fuzz_nmminer_http_bytes(body: bytes) -> None:
    count("nmminer_http_bytes")
    _nmminer_http(body)


@fuzz_settings(600)
@given(
    mutated(fx.NMMINER_UDP)
    | mutated({k.upper(): v for k, v in fx.NMMINER_UDP.items()})
    | json_values,
    st.booleans(),
)
def test_fuzz_nmminer_datagram(data: Any, damage: bool) -> None:
    count("nmminer_udp")
    payload = dump(data)
    if damage:
        payload = payload[: len(payload) // 2]
    try:
        ip, snap = parse_datagram(payload)
    except MinerError:
        return
    assert ip is None or (ip and ip.isprintable())
    assert_sane(snap)


@fuzz_settings(500)
@given(json_values, st.sampled_from(["H/s", "KH/s", "MH/s", "GH/s"]))
def test_fuzz_value_parsers(value: Any, unit: str) -> None:
    count("values")
    difficulty = parse_difficulty(value)
    assert difficulty is None or (math.isfinite(difficulty) and difficulty >= 0)
    rate = parse_hashrate(value, unit)
    if rate is not None:
        assert all(math.isfinite(x) and x >= 0 for x in (rate[0], rate[2]))
    uptime = parse_uptime(value)
    assert uptime is None or uptime >= 0
    mac = format_mac(value)
    assert mac is None or len(mac) == 17
