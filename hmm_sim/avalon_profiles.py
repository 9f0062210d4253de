"""Avalon Nano 3 / Nano 3S firmware profiles (devices.md §3.2-§3.4)."""

from __future__ import annotations

from dataclasses import dataclass
import hashlib


@dataclass(frozen=True, slots=True)
class ModeSpec:
    """One work mode: nominal GH/s, power (MPO, W), target °C, volt, PLL MHz."""

    ghs: float
    watts: int
    target_temp: int
    volt: int
    freq: float


@dataclass(frozen=True, slots=True)
class AvalonProfile:
    """One Nano model on one firmware."""

    name: str
    prod: str
    model: str
    hwtype: str
    swtype: str
    firmware: str  # LVERSION
    ver: str  # MM "Ver"
    core: str
    asics: int
    stats_id: str
    mode_key: str  # "workmode" (3S) or "worklevel" (Nano 3)
    modes: tuple[ModeSpec, ...]
    default_mode: int
    web_user: str
    mac: str
    dna: str


PROFILES: dict[str, AvalonProfile] = {
    "nano3s": AvalonProfile(
        name="nano3s",
        prod="Avalon Nano3s",
        model="Nano3s",
        hwtype="N_MM1v1_X1",
        swtype="MM319",
        firmware="25021401_56abae7",
        ver="Nano3s-25021401_56abae7",
        core="A3197S",
        asics=12,
        stats_id="AVALON0",
        mode_key="workmode",
        modes=(
            ModeSpec(4150.0, 70, 80, 3350, 300.0),
            ModeSpec(5480.0, 100, 85, 3550, 390.0),
            ModeSpec(6783.65, 133, 90, 3756, 464.89),
        ),
        default_mode=2,
        web_user="admin",
        mac="e0e1a93f3053",
        dna="020100003cbe4d15",
    ),
    "nano3": AvalonProfile(
        name="nano3",
        prod="AvalonNano",
        model="Nano3",
        hwtype="N_MM1v1_X1",
        swtype="MM318_X2",
        firmware="24071801_42c628d",
        ver="nano3-24071801_42c628d",
        core="A3198S",
        asics=10,
        stats_id="AVANANO0",
        mode_key="worklevel",
        modes=(
            ModeSpec(2210.0, 60, 80, 306, 313.0),
            ModeSpec(3381.96, 90, 85, 314, 467.0),
            ModeSpec(4020.0, 125, 90, 334, 594.0),
        ),
        default_mode=1,
        web_user="root",
        mac="e0e1a93f10aa",
        dna="02010000d89ada98",
    ),
}


def nano3_password_token(password: str) -> str:
    """Nano 3 (older fw) setpool/web password: ``ff0000ff`` + sha256 hex[:24]."""
    return "ff0000ff" + hashlib.sha256(password.encode()).hexdigest()[:24]
