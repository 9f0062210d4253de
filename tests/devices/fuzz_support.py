"""Strategies, invariants and the case counter shared by the fuzz suites."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, settings, strategies as st

from custom_components.home_miner_manager.devices.parsing import HASHRATE_TO_GHS
from custom_components.home_miner_manager.devices.snapshot import MinerSnapshot
from custom_components.home_miner_manager.devices.types import AVALON_MODES, AXEOS_MODES

# Every fuzz test increments this; test_fuzz_*.py print the total at the end.
CASES: dict[str, int] = {}


def count(name: str) -> None:
    """Record one generated case for ``name``."""
    CASES[name] = CASES.get(name, 0) + 1


def fuzz_settings(max_examples: int) -> settings:
    """Settings for a fuzz test: no deadline, no example database on disk."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
        ],
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "4.29G",
            "-1",
            "nan",
            "inf",
            "1e400",
            "0",
            "",
            "-273",
            "12.5%",
            "1.0MH/s",
            "x:y",
            "002d 05:41:09",
            "e0e1a93f3053",
            "AA:BB:CC:DD:EE:FF",
            "\x00",
            "9" * 400,
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, fixture: dict[str, Any]) -> dict[str, Any]:
    """Return ``fixture`` with some keys replaced by random JSON, some dropped."""
    data = dict(fixture)
    keys = sorted(data)
    for key in draw(st.lists(st.sampled_from(keys), max_size=12, unique=True)):
        if draw(st.booleans()):
            data[key] = draw(json_values)
        else:
            del data[key]
    data.update(draw(st.dictionaries(st.text(max_size=12), json_values, max_size=3)))
    return data


def dump(data: Any) -> bytes:
    """Serialize like a device, NaN/Infinity tokens included."""
    return json.dumps(data, allow_nan=True).encode()


@st.composite
def damaged_bytes(draw: st.DrawFn, body: bytes) -> bytes:
    """Truncate, splice or flip bytes of a real reply."""
    how = draw(st.sampled_from(["truncate", "flip", "splice", "random"]))
    if how == "truncate":
        return body[: draw(st.integers(0, len(body)))]
    if how == "flip":
        position = draw(st.integers(0, max(len(body) - 1, 0)))
        return (
            body[:position] + bytes([draw(st.integers(0, 255))]) + body[position + 1 :]
        )
    if how == "splice":
        position = draw(st.integers(0, len(body)))
        return body[:position] + draw(st.binary(max_size=32)) + body[position:]
    return draw(st.binary(max_size=256))


def _finite_nonnegative(value: float | None, name: str) -> None:
    if value is None:
        return
    assert type(value) in (int, float), name
    assert math.isfinite(value), name
    assert value >= 0, name


def assert_sane(snap: MinerSnapshot) -> None:
    """Invariants every snapshot must hold whatever the device sent."""
    for name in (
        "hashrate",
        "hashrate_ghs",
        "temperature",
        "power_watts",
        "best_difficulty",
        "session_best_difficulty",
    ):
        _finite_nonnegative(getattr(snap, name), name)
    for name in ("shares_accepted", "shares_rejected", "uptime_seconds"):
        value = getattr(snap, name)
        assert value is None or (type(value) is int and value >= 0), name
    if snap.hashrate is not None:
        assert snap.hashrate_unit in HASHRATE_TO_GHS
        assert snap.hashrate_ghs is not None
        expected = snap.hashrate * HASHRATE_TO_GHS[snap.hashrate_unit]
        assert math.isclose(snap.hashrate_ghs, expected, rel_tol=1e-9, abs_tol=1e-12)
    else:
        assert snap.hashrate_unit is None
        assert snap.hashrate_ghs is None
    if snap.temperature is not None:
        assert snap.temperature <= 200
    assert snap.mode is None or snap.mode in AXEOS_MODES + AVALON_MODES
    for name in (
        "model",
        "pool_in_use",
        "firmware_version",
        "asic_model",
        "mac",
        "hostname",
        "serial",
    ):
        value = getattr(snap, name)
        assert value is None or (
            type(value) is str and value and value.isprintable()
        ), name
    # Extras: JSON-serializable with finite numbers only.
    json.dumps(dict(snap.extras), allow_nan=False)
    for key, value in snap.extras.items():
        assert type(key) is str
        assert type(value) in (str, int, float, bool), key
