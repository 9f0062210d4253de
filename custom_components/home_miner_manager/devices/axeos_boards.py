"""Bitaxe model names from ``boardVersion``, after ESP-Miner's own board table.

ESP-Miner (``main/device_config.h``, ``default_configs[]``) looks the board
version up **exactly**; only a board missing from that table is a "custom
board", whose family the firmware then takes from its NVS ``devicemodel``
(not published in ``/api/system/info``). The table, as of ESP-Miner v2.15+:

=====================================  ==========  ===============
boardVersion                           family      ASIC
=====================================  ==========  ===============
2.2, 102                               Max         BM1397
0.11, 201, 202, 203, 204, 205, 207     Ultra       BM1366
302, 303                               Hex         BM1366
400, 401, 402, 403                     Supra       BM1368
600, 601, 602, 603                     Gamma       BM1370
650                                    GammaDuo    BM1370
701, 702                               SupraHex    BM1368
801                                    GammaTurbo  BM1370
1201                                   NajaDuo     BM1372/BM1373
1300                                   GammaHex    BM1370
=====================================  ==========  ===============

"0.11" is an Ultra (BM1366), "2.2" a Max: the leading digit says nothing for
those two. Some earlier releases had the two swapped in their table, so when a
board's family disagrees with the ``ASICModel`` the device reports, the ASIC
wins. A board missing from the table is named by its series (``2xx`` Ultra,
``6xx`` Gamma, ...) if that series' ASIC matches, else by its ASIC alone.
"""

from __future__ import annotations

from typing import Final

# Family → the ASIC it carries (FamilyConfig.asic in device_config.h).
FAMILY_ASICS: Final[dict[str, str]] = {
    "Max": "BM1397",
    "Ultra": "BM1366",
    "Hex": "BM1366",
    "Supra": "BM1368",
    "Gamma": "BM1370",
    "GammaDuo": "BM1370",
    "SupraHex": "BM1368",
    "GammaTurbo": "BM1370",
    "NajaDuo": "BM1373",
    "GammaHex": "BM1370",
}

# default_configs[]: board_version → family, exactly as the firmware matches it.
BOARD_FAMILIES: Final[dict[str, str]] = {
    "2.2": "Max",
    "102": "Max",
    "0.11": "Ultra",
    "201": "Ultra",
    "202": "Ultra",
    "203": "Ultra",
    "204": "Ultra",
    "205": "Ultra",
    "207": "Ultra",
    "302": "Hex",
    "303": "Hex",
    "400": "Supra",
    "401": "Supra",
    "402": "Supra",
    "403": "Supra",
    "600": "Gamma",
    "601": "Gamma",
    "602": "Gamma",
    "603": "Gamma",
    "650": "GammaDuo",
    "701": "SupraHex",
    "702": "SupraHex",
    "801": "GammaTurbo",
    "1201": "NajaDuo",
    "1300": "GammaHex",
}

# Series of boards missing from the table (custom or newer revisions), by the
# leading digit of a 3-digit board ("65x" before "6xx") or the leading two of
# a 4-digit one.
_SERIES: Final[dict[str, str]] = {
    "1": "Max",
    "2": "Ultra",
    "3": "Hex",
    "4": "Supra",
    "6": "Gamma",
    "65": "GammaDuo",
    "7": "SupraHex",
    "8": "GammaTurbo",
}
_SERIES_4: Final[dict[str, str]] = {"12": "NajaDuo", "13": "GammaHex"}

# The family an ASIC alone implies (a single-chip board).
ASIC_FAMILIES: Final[dict[str, str]] = {
    "BM1397": "Max",
    "BM1366": "Ultra",
    "BM1368": "Supra",
    "BM1370": "Gamma",
}


def _asic_matches(family: str, asic_model: str | None) -> bool:
    # ESP-Miner names the BM1373 "BM1372/BM1373": containment, not equality.
    return asic_model is None or FAMILY_ASICS[family] in asic_model.upper()


def _series(board: str) -> str | None:
    if not board.isdigit():
        return None
    if len(board) == 3:
        return _SERIES.get(board[:2]) or _SERIES.get(board[0])
    if len(board) == 4:
        return _SERIES_4.get(board[:2])
    return None


def bitaxe_family(board_version: str | None, asic_model: str | None) -> str | None:
    """Return the Bitaxe family ("Ultra", "Gamma", ...) or None if unknown."""
    board = (board_version or "").strip()
    for family in (BOARD_FAMILIES.get(board), _series(board)):
        if family is not None and _asic_matches(family, asic_model):
            return family
    if asic_model is None:
        return None
    return ASIC_FAMILIES.get(asic_model.strip().upper())


def bitaxe_model(board_version: str | None, asic_model: str | None) -> str:
    """Return "Bitaxe <family>", or plain "Bitaxe" when neither says which."""
    family = bitaxe_family(board_version, asic_model)
    return f"Bitaxe {family}" if family is not None else "Bitaxe"
