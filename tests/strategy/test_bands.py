"""Bands: defaults, validation keys, lookup and dearness (strategy/bands.py)."""

from __future__ import annotations

from dataclasses import replace
import math

import pytest

from custom_components.home_miner_manager.devices.types import (
    AVALON_MODES,
    AXEOS_MODES,
    MinerType,
)
from custom_components.home_miner_manager.strategy.bands import (
    BAND_MODES,
    LOWEST_MODE,
    MANAGED_EXTERNALLY,
    Band,
    BandTable,
    band_for,
    by_price,
    champion_band_ids,
    default_bands,
    validate_bands,
    with_champions,
)

from .support import BANDS, BCH, BTC, DGB_ECO, DGB_STD, OFF


def _keys(bands: list[Band]) -> list[str]:
    return [issue.key for issue in validate_bands(bands)]


def test_defaults_are_valid_and_match_upstream() -> None:
    assert validate_bands(BANDS) == []
    rows = [
        (
            b.min_price,
            b.max_price,
            b.target_coin,
            b.bitaxe_mode,
            b.nerdqaxe_mode,
            b.avalon_nano_mode,
        )
        for b in sorted(default_bands(), key=lambda b: b.sort_order)
    ]
    assert rows == [
        (20.0, None, "OFF", "eco", "eco", "low"),
        (12.0, 20.0, "DGB", "eco", "eco", "low"),
        (7.0, 12.0, "DGB", "standard", "standard", "med"),
        (4.0, 7.0, "BCH", "standard", "standard", "high"),
        (None, 4.0, "BTC", "standard", "oc", "high"),
    ]


def test_modes_are_the_drivers_modes() -> None:
    assert BAND_MODES[MinerType.BITAXE] == (MANAGED_EXTERNALLY, *AXEOS_MODES)
    assert BAND_MODES[MinerType.AVALON_NANO] == (MANAGED_EXTERNALLY, *AVALON_MODES)
    assert LOWEST_MODE == {"bitaxe": "eco", "nerdqaxe": "eco", "avalon_nano": "low"}
    assert MinerType.NMMINER not in BAND_MODES


@pytest.mark.parametrize(
    ("price", "band_id"),
    [
        (-100.0, BTC),
        (0.0, BTC),
        (3.999, BTC),
        (4.0, BCH),
        (6.99, BCH),
        (7.0, DGB_STD),
        (12.0, DGB_ECO),
        (19.999, DGB_ECO),
        (20.0, OFF),
        (1e6, OFF),
    ],
)
def test_band_for_edges(price: float, band_id: int) -> None:
    band = band_for(BANDS, price)
    assert band is not None
    assert band.id == band_id


def test_nan_matches_no_band() -> None:
    assert band_for(BANDS, math.nan) is None


def test_dearer_is_by_price_not_sort_order() -> None:
    # Reverse the display order: dearness must not follow it.
    flipped = [replace(b, sort_order=10 - b.sort_order) for b in BANDS]
    table = BandTable(flipped)
    assert [b.id for b in table.ordered] == [BTC, BCH, DGB_STD, DGB_ECO, OFF]
    assert table.rank[OFF] > table.rank[DGB_ECO] > table.rank[DGB_STD]
    assert table.dearer(table.by_id[BTC], table.by_id[DGB_STD]).id == DGB_STD
    assert [b.id for b in by_price(reversed(flipped))] == [
        BTC,
        BCH,
        DGB_STD,
        DGB_ECO,
        OFF,
    ]


def _with(index: int, **changes: object) -> list[Band]:
    bands = list(BANDS)
    bands[index] = replace(bands[index], **changes)  # type: ignore[arg-type]
    return bands


@pytest.mark.parametrize(
    ("bands", "key", "band_id"),
    [
        ([], "no_bands", None),
        (_with(1, id=1), "duplicate_id", 1),
        (_with(1, sort_order=0), "duplicate_sort_order", DGB_ECO),
        (_with(4, min_price=-10.0), "lowest_min_not_open", BTC),
        (_with(0, max_price=50.0), "highest_max_not_open", OFF),
        (_with(3, min_price=5.0), "gap", BCH),  # 4..5 is covered by no band
        (_with(3, min_price=3.0), "overlap", BCH),
        (_with(2, min_price=12.0), "empty_range", DGB_STD),
        (_with(2, max_price=math.nan), "invalid_price", DGB_STD),
        (_with(1, target_coin="XMR"), "invalid_coin", DGB_ECO),
        (_with(1, target_coin="dgb"), "invalid_coin", DGB_ECO),
        (_with(1, bitaxe_mode="low"), "invalid_bitaxe_mode", DGB_ECO),
        (_with(1, nerdqaxe_mode="fixed"), "invalid_nerdqaxe_mode", DGB_ECO),
        (_with(1, avalon_nano_mode="eco"), "invalid_avalon_nano_mode", DGB_ECO),
        (_with(0, champion=True), "champion_off_band", OFF),
    ],
)
def test_validation_keys(bands: list[Band], key: str, band_id: int | None) -> None:
    issues = validate_bands(bands)
    assert key in [i.key for i in issues]
    assert next(i for i in issues if i.key == key).band_id == band_id


def test_two_open_bottoms_overlap() -> None:
    assert "overlap" in _keys(_with(3, min_price=None))


def test_valid_variants() -> None:
    one_band = [Band(9, 0, None, None, "BTC", "oc", "managed_externally", "high")]
    assert validate_bands(one_band) == []
    assert validate_bands(_with(3, champion=True, target_coin="BTC_POOLED")) == []
    assert validate_bands(_with(0, bitaxe_mode=MANAGED_EXTERNALLY)) == []
    # Every band may be a champion band except OFF ones.
    all_champions = [replace(b, champion=not b.is_off) for b in BANDS]
    assert validate_bands(all_champions) == []


def test_dict_round_trip_and_champion_ids() -> None:
    bands = with_champions(BANDS, [BCH])
    assert [b.champion for b in bands] == [False, False, False, True, False]
    assert champion_band_ids(bands) == [BCH]
    for band in bands:
        assert Band.from_dict(band.to_dict()) == band
    assert with_champions(bands, []) == BANDS
    with pytest.raises(ValueError, match="not a band"):
        Band.from_dict({"id": 1})
    with pytest.raises(ValueError, match="not a band"):
        Band.from_dict({**BANDS[0].to_dict(), "min_price": "cheap"})


def test_mode_for_each_type() -> None:
    band = default_bands()[3]  # BCH: standard / standard / high
    assert band.mode_for(MinerType.BITAXE) == "standard"
    assert band.mode_for("nerdqaxe") == "standard"
    assert band.mode_for(MinerType.AVALON_NANO) == "high"
    assert band.mode_for(MinerType.NMMINER) is None
