"""Miner types and their modes."""

from __future__ import annotations

from enum import StrEnum


class MinerType(StrEnum):
    """The device families we speak to (stored in ``Miner.miner_type``)."""

    BITAXE = "bitaxe"
    NERDQAXE = "nerdqaxe"
    AVALON_NANO = "avalon_nano"
    NMMINER = "nmminer"


AXEOS_MODES: tuple[str, ...] = ("eco", "standard", "turbo", "oc")
AVALON_MODES: tuple[str, ...] = ("low", "med", "high")
