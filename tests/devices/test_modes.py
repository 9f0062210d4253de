"""AxeOS mode table derivation and mode detection (devices/modes.py)."""

from __future__ import annotations

import pytest

from custom_components.home_miner_manager.devices.modes import (
    FALLBACK_OPTIONS,
    ModeTable,
    build_table,
    fallback_key,
    fallback_table,
    table_from_asic_info,
)
from custom_components.home_miner_manager.devices.types import AXEOS_MODES

from .parse_fixtures import BITAXE_ASIC_GAMMA, NERDQAXE_PP_ASIC


def _pairs(table: ModeTable | None) -> dict[str, tuple[float, int]]:
    assert table is not None
    return {mode: (s.frequency, s.core_voltage) for mode, s in table.settings.items()}


# The table documented in the modes.py docstring.
DOCUMENTED = {
    ("BM1397", None, None): {
        "eco": (400, 1150),
        "standard": (425, 1400),
        "turbo": (600, 1450),
        "oc": (625, 1500),
    },
    ("BM1366", None, None): {
        "eco": (400, 1150),
        "standard": (485, 1200),
        "turbo": (575, 1250),
        "oc": (600, 1300),
    },
    ("BM1368", None, None): {
        "eco": (400, 1150),
        "standard": (490, 1166),
        "turbo": (575, 1200),
        "oc": (600, 1250),
    },
    ("BM1370", None, "601"): {
        "eco": (400, 1060),
        "standard": (525, 1150),
        "turbo": (625, 1200),
        "oc": (650, 1250),
    },
    ("BM1370", None, "650"): {
        "eco": (350, 1060),
        "standard": (400, 1150),
        "turbo": (410, 1200),
        "oc": (435, 1250),
    },
    ("BM1372/BM1373", None, None): {
        "eco": (302, 1000),
        "standard": (327, 1000),
        "turbo": (410, 1060),
        "oc": (435, 1100),
    },
    ("BM1368", "NerdQAxe+", None): {
        "eco": (400, 1150),
        "standard": (490, 1250),
        "turbo": (575, 1300),
        "oc": (600, 1350),
    },
    ("BM1370", "NerdQAxe++", None): {
        "eco": (500, 1130),
        "standard": (600, 1150),
        "turbo": (625, 1160),
        "oc": (650, 1170),
    },
}


@pytest.mark.parametrize(("key", "expected"), list(DOCUMENTED.items()))
def test_fallback_tables_match_documentation(
    key: tuple[str, str | None, str | None], expected: dict[str, tuple[int, int]]
) -> None:
    table = fallback_table(*key)
    assert table is not None
    assert table.source == "fallback"
    assert _pairs(table) == expected


def test_every_fallback_is_ordered() -> None:
    for key in FALLBACK_OPTIONS:
        asic = "BM1370" if key.startswith("Nerd") else key
        table = fallback_table(asic, key if key.startswith("Nerd") else None)
        assert table is not None
        freqs = [table.settings[m].frequency for m in AXEOS_MODES]
        assert freqs == sorted(freqs)
        assert len(set(freqs)) == 4  # every mode is distinguishable
        assert (
            table.settings["eco"].core_voltage
            <= table.settings["standard"].core_voltage
        )


def test_device_table_for_gamma_matches_fallback() -> None:
    table = table_from_asic_info(BITAXE_ASIC_GAMMA)
    assert table is not None
    assert table.source == "device"
    assert _pairs(table) == _pairs(fallback_table("BM1370"))


def test_device_table_respects_abs_max() -> None:
    asic = {**NERDQAXE_PP_ASIC, "absMaxFrequency": 610, "absMaxVoltage": 1155}
    table = table_from_asic_info(asic)
    assert _pairs(table)["oc"] == (610, 1155)
    assert _pairs(table)["turbo"] == (610, 1155)


def test_v27_reply_without_defaults_uses_builtin_defaults() -> None:
    asic = {
        "ASICModel": "BM1366",
        "frequencyOptions": [400, 485, 575],
        "voltageOptions": [1100, 1200, 1300],
    }
    assert _pairs(table_from_asic_info(asic)) == {
        "eco": (400, 1200),
        "standard": (485, 1200),
        "turbo": (575, 1300),
        "oc": (600, 1350),
    }


def test_unusable_asic_reply() -> None:
    assert table_from_asic_info({"ASICModel": "BM9999"}) is None
    assert (
        table_from_asic_info({"frequencyOptions": "x", "voltageOptions": [None]})
        is None
    )
    # Unusable lists but a known model: the built-in table.
    table = table_from_asic_info({"ASICModel": "BM1368", "frequencyOptions": []})
    assert table is not None
    assert table.source == "fallback"


def test_fallback_keys() -> None:
    assert fallback_key(None, None, None) is None
    assert fallback_key("BM9999", None, None) is None
    assert fallback_key("BM1373", None, None) == "BM1372"
    assert fallback_key("BM1370", "NerdQAxe++", None) == "NerdQAxe++"
    assert fallback_table("unknown") is None


@pytest.mark.parametrize(
    ("frequency", "mode"),
    [
        (400, "eco"),
        (450, "eco"),
        (490, "standard"),
        (525, "standard"),
        (575, "standard"),
        (580, "turbo"),
        (625, "turbo"),
        (637.5, "turbo"),
        (650, "oc"),
        (900, "oc"),
        (None, None),
    ],
)
def test_detect_nearest_preset(frequency: float | None, mode: str | None) -> None:
    table = fallback_table("BM1370")
    assert table is not None
    assert table.detect(frequency) == mode


def test_single_option_lists_still_give_four_modes() -> None:
    table = build_table([500], [1200], 500, 1200)
    assert _pairs(table) == {
        "eco": (475, 1200),
        "standard": (500, 1200),
        "turbo": (525, 1200),
        "oc": (550, 1250),
    }
