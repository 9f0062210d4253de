"""One hashrate-unit table for the parsers and the rollups (H/s ... EH/s)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from custom_components.home_miner_manager.db.rollup import hashrate_ghs
from custom_components.home_miner_manager.devices.parsing import parse_hashrate
from custom_components.home_miner_manager.devices.units import (
    HASHRATE_UNITS,
    canonical_hashrate_unit,
    hashrate_factor,
    to_ghs,
)

# (unit as a device or the database spells it, canonical unit, GH/s per unit)
EVERY_UNIT = [
    ("H/s", "H/s", 1e-9),
    ("h/s", "H/s", 1e-9),
    ("KH/s", "KH/s", 1e-6),
    ("kH/s", "KH/s", 1e-6),
    ("kh/s", "KH/s", 1e-6),
    ("MH/s", "MH/s", 1e-3),
    ("mh/s", "MH/s", 1e-3),
    ("GH/s", "GH/s", 1.0),
    ("Gh/s", "GH/s", 1.0),
    ("GHS", "GH/s", 1.0),
    ("TH/s", "TH/s", 1e3),
    ("th/s", "TH/s", 1e3),
    ("Th", "TH/s", 1e3),
    ("PH/s", "PH/s", 1e6),
    ("ph/s", "PH/s", 1e6),
    ("EH/s", "EH/s", 1e9),
    ("Eh/s", "EH/s", 1e9),
    (" TH/s ", "TH/s", 1e3),
    ("k Hps", "KH/s", 1e-6),
]


def test_table_covers_h_to_eh() -> None:
    assert list(HASHRATE_UNITS) == [
        "H/s",
        "KH/s",
        "MH/s",
        "GH/s",
        "TH/s",
        "PH/s",
        "EH/s",
    ]
    factors = list(HASHRATE_UNITS.values())
    # Each unit is exactly 1000x the one before.
    assert all(b / a == pytest.approx(1000.0) for a, b in pairwise(factors))


@pytest.mark.parametrize(("unit", "canonical", "factor"), EVERY_UNIT)
def test_every_unit_converts(unit: str, canonical: str, factor: float) -> None:
    assert canonical_hashrate_unit(unit) == canonical
    assert hashrate_factor(unit) == factor
    assert to_ghs(2.5, unit) == pytest.approx(2.5 * factor)


@pytest.mark.parametrize(("unit", "canonical", "factor"), EVERY_UNIT)
def test_rollup_uses_the_same_table(unit: str, canonical: str, factor: float) -> None:
    """PH/s and EH/s used to roll up as NULL: db/rollup.py knew only up to TH/s."""
    assert hashrate_ghs(2.5, unit) == pytest.approx(2.5 * factor)
    assert hashrate_ghs(2.5, canonical) == pytest.approx(2.5 * factor)


@pytest.mark.parametrize(
    "unit", ["", "T", "bogus", "GH/min", "mH/sec", "XH/s", "G H / s x", "H" * 40]
)
def test_unknown_units(unit: str) -> None:
    assert canonical_hashrate_unit(unit) is None
    assert hashrate_factor(unit) is None
    assert to_ghs(1.0, unit) is None


def test_none() -> None:
    assert canonical_hashrate_unit(None) is None
    assert to_ghs(None, "GH/s") is None
    assert to_ghs(1.0, None) is None
    # The rollups keep their rule: a row without a unit was stored in GH/s.
    assert hashrate_ghs(480.0, None) == 480.0
    assert hashrate_ghs(None, "GH/s") is None
    assert hashrate_ghs(1.0, "bogus") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12H/s", (12.0, "H/s", 12e-9)),
        ("993.22kH/s", (993.22, "KH/s", 993.22e-6)),
        ("1.0154mh/s", (1.0154, "MH/s", 1.0154e-3)),
        ("480 GH/s", (480.0, "GH/s", 480.0)),
        ("4.8 th/s", (4.8, "TH/s", 4800.0)),
        ("1.2PH/s", (1.2, "PH/s", 1.2e6)),
        ("0.004 EH/s", (0.004, "EH/s", 4e6)),
        ("7.5Ths", (7.5, "TH/s", 7500.0)),
    ],
)
def test_parser_reads_every_unit(raw: str, expected: tuple[float, str, float]) -> None:
    value, unit, ghs = parse_hashrate(raw) or (None, None, None)
    assert (value, unit) == expected[:2]
    assert ghs == pytest.approx(expected[2])
    # What the parser stores reads back to the same GH/s in the rollups.
    assert hashrate_ghs(value, unit) == pytest.approx(expected[2])


@pytest.mark.parametrize("default_unit", list(HASHRATE_UNITS))
def test_parser_default_unit(default_unit: str) -> None:
    parsed = parse_hashrate(1.0, default_unit)
    if HASHRATE_UNITS[default_unit] > 1e7:  # above the sanity bound (10 PH/s)
        assert parsed is None
        return
    assert parsed == (1.0, default_unit, HASHRATE_UNITS[default_unit])


def test_parser_sanity_bound_still_applies() -> None:
    """The table knows EH/s; a home miner claiming one is still nonsense."""
    assert parse_hashrate("1 EH/s") is None
    assert parse_hashrate("5 PH/s") == (5.0, "PH/s", 5e6)
