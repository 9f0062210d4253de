"""AxeOS (Bitaxe / NerdQAxe) mode table: eco / standard / turbo / oc.

AxeOS firmware has no named presets, only a list of frequency and core-voltage
options per ASIC with one default. The modes are derived from those lists,
read from the device's own ``GET /api/system/asic`` (firmware v2.7+, NerdQAxe
v1.0.32+) and cached per driver:

* **eco** - the lowest frequency option (if below the default; else the default
  minus one step) at the second-lowest voltage option, never above the default
  voltage.
* **standard** - ``defaultFrequency`` / ``defaultVoltage``.
* **turbo** - the highest frequency option (if above the default; else the
  default plus one step) at the next voltage option above the default (the
  default itself when there is none).
* **oc** - beyond the lists: one step (25 MHz) above turbo at the next voltage
  option above turbo's (or +50 mV past the end of the list), capped at
  ``absMaxFrequency`` / ``absMaxVoltage`` when the device reports them.

Without ``/api/system/asic`` the same rules run on the firmware's built-in
lists (``main/device_config.h`` / NerdQAxe ``main/boards``), which give:

============  ===========  ===========  ===========  ===========
ASIC / board  eco MHz/mV   standard     turbo        oc
============  ===========  ===========  ===========  ===========
BM1397        400 / 1150   425 / 1400   600 / 1450   625 / 1500
BM1366        400 / 1150   485 / 1200   575 / 1250   600 / 1300
BM1368        400 / 1150   490 / 1166   575 / 1200   600 / 1250
BM1370        400 / 1060   525 / 1150   625 / 1200   650 / 1250
BM1370 XP     350 / 1060   400 / 1150   410 / 1200   435 / 1250
BM1372/73     302 / 1000   327 / 1000   410 / 1060   435 / 1100
NerdQAxe+     400 / 1150   490 / 1250   575 / 1300   600 / 1350
NerdQAxe++    500 / 1130   600 / 1150   625 / 1160   650 / 1170
============  ===========  ===========  ===========  ===========

The current mode is the preset whose frequency is nearest the device's
configured frequency (ties go to the less aggressive mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .parsing import as_float, as_int, as_text
from .types import AXEOS_MODES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

FREQUENCY_STEP_MHZ: Final = 25.0
VOLTAGE_STEP_MV: Final = 50
_MAX_OPTIONS: Final = 64


@dataclass(frozen=True, slots=True)
class ModeSetting:
    """What ``PATCH /api/system`` receives for one mode."""

    frequency: float
    core_voltage: int


@dataclass(frozen=True, slots=True)
class ModeTable:
    """The four AxeOS modes for one device; ``source`` is "device" or "fallback"."""

    asic_model: str | None
    settings: Mapping[str, ModeSetting]
    source: str

    def detect(self, frequency: float | None) -> str | None:
        """Return the mode whose preset frequency is nearest ``frequency``."""
        if frequency is None:
            return None
        best: str | None = None
        best_distance = float("inf")
        for mode in AXEOS_MODES:
            distance = abs(self.settings[mode].frequency - frequency)
            if distance < best_distance:
                best, best_distance = mode, distance
        return best


# Built-in option lists: (frequency options, voltage options, default MHz, default mV,
# absolute max MHz, absolute max mV).
_Options = tuple[
    tuple[float, ...], tuple[int, ...], float, int, float | None, int | None
]
_V_BM1370: Final = (1000, 1060, 1100, 1150, 1200, 1250)
FALLBACK_OPTIONS: Final[dict[str, _Options]] = {
    "BM1397": (
        (400, 425, 450, 475, 485, 500, 525, 550, 575, 600),
        (1100, 1150, 1200, 1250, 1300, 1350, 1400, 1450, 1500),
        425,
        1400,
        None,
        None,
    ),
    "BM1366": (
        (400, 425, 450, 475, 485, 500, 525, 550, 575),
        (1100, 1150, 1200, 1250, 1300),
        485,
        1200,
        None,
        None,
    ),
    "BM1368": (
        (400, 425, 450, 475, 485, 490, 500, 525, 550, 575),
        (1100, 1150, 1166, 1200, 1250, 1300),
        490,
        1166,
        None,
        None,
    ),
    "BM1370": ((400, 490, 525, 550, 600, 625), _V_BM1370, 525, 1150, None, None),
    "BM1370 XP": ((350, 375, 380, 400, 410), _V_BM1370, 400, 1150, None, None),
    "BM1372": ((327, 350, 375, 380, 400, 410), _V_BM1370, 327, 1000, None, None),
    "NerdQAxe+": (
        (400, 425, 450, 475, 490, 500, 525, 550, 575),
        (1100, 1150, 1200, 1250, 1300, 1350),
        490,
        1250,
        800,
        1400,
    ),
    "NerdQAxe++": (
        (500, 515, 525, 550, 575, 590, 600),
        (1120, 1130, 1140, 1150, 1160, 1170, 1180, 1190, 1200),
        600,
        1150,
        800,
        1400,
    ),
}


def build_table(
    frequency_options: Sequence[float],
    voltage_options: Sequence[int],
    default_frequency: float,
    default_voltage: int,
    *,
    abs_max_frequency: float | None = None,
    abs_max_voltage: int | None = None,
    asic_model: str | None = None,
    source: str = "device",
) -> ModeTable:
    """Derive the four modes from option lists (rules in the module docstring)."""
    freqs = sorted(set(frequency_options)) or [default_frequency]
    volts = sorted(set(voltage_options)) or [default_voltage]

    eco_freq = freqs[0] if freqs[0] < default_frequency else default_frequency
    if eco_freq >= default_frequency:
        eco_freq = max(default_frequency - FREQUENCY_STEP_MHZ, 1.0)
    eco_volt = min(volts[1] if len(volts) > 1 else volts[0], default_voltage)

    turbo_freq = freqs[-1]
    if turbo_freq <= default_frequency:
        turbo_freq = default_frequency + FREQUENCY_STEP_MHZ
    turbo_volt = _next_voltage(volts, default_voltage) or default_voltage

    oc_freq = turbo_freq + FREQUENCY_STEP_MHZ
    oc_volt = _next_voltage(volts, turbo_volt) or turbo_volt + VOLTAGE_STEP_MV
    if abs_max_frequency:
        turbo_freq = min(turbo_freq, abs_max_frequency)
        oc_freq = min(oc_freq, abs_max_frequency)
    if abs_max_voltage:
        turbo_volt = min(turbo_volt, abs_max_voltage)
        oc_volt = min(oc_volt, abs_max_voltage)

    return ModeTable(
        asic_model=asic_model,
        settings={
            "eco": ModeSetting(eco_freq, eco_volt),
            "standard": ModeSetting(default_frequency, default_voltage),
            "turbo": ModeSetting(turbo_freq, turbo_volt),
            "oc": ModeSetting(oc_freq, oc_volt),
        },
        source=source,
    )


def _next_voltage(volts: Sequence[int], above: int) -> int | None:
    for volt in volts:
        if volt > above:
            return volt
    return None


def fallback_key(
    asic_model: str | None, device_model: str | None, board_version: str | None
) -> str | None:
    """Pick the built-in option list for a device without ``/api/system/asic``."""
    if device_model in ("NerdQAxe+", "NerdQAxe++"):
        return device_model
    if not asic_model:
        return None
    if asic_model.startswith("BM1370") and (board_version or "").startswith("65"):
        return "BM1370 XP"  # GammaDuo boards run the BM1370 at lower clocks
    if asic_model.startswith(("BM1372", "BM1373")):
        return "BM1372"
    return asic_model if asic_model in FALLBACK_OPTIONS else None


def fallback_table(
    asic_model: str | None,
    device_model: str | None = None,
    board_version: str | None = None,
) -> ModeTable | None:
    """Return the mode table from the built-in lists, or None if unknown."""
    key = fallback_key(asic_model, device_model, board_version)
    if key is None:
        return None
    freqs, volts, def_f, def_v, max_f, max_v = FALLBACK_OPTIONS[key]
    return build_table(
        freqs,
        volts,
        def_f,
        def_v,
        abs_max_frequency=max_f,
        abs_max_voltage=max_v,
        asic_model=asic_model,
        source="fallback",
    )


def table_from_asic_info(
    asic: Mapping[str, Any], board_version: str | None = None
) -> ModeTable | None:
    """Build the table from a ``GET /api/system/asic`` reply (None if unusable).

    v2.7/v2.8 replies lack the defaults; they come from the built-in lists then.
    """
    asic_model = as_text(asic.get("ASICModel"), 32)
    device_model = as_text(asic.get("deviceModel"), 64)
    freqs = _options(asic.get("frequencyOptions"), 1.0, 65535.0)
    volts = [int(v) for v in _options(asic.get("voltageOptions"), 1.0, 65535.0)]
    default_f = as_float(asic.get("defaultFrequency"), 1.0, 65535.0)
    default_v = as_int(asic.get("defaultVoltage"), 1, 65535)
    fallback = fallback_key(asic_model, device_model, board_version)
    if (default_f is None or default_v is None) and fallback is not None:
        _, _, fb_f, fb_v, _, _ = FALLBACK_OPTIONS[fallback]
        default_f = default_f if default_f is not None else fb_f
        default_v = default_v if default_v is not None else fb_v
    if not freqs or not volts or default_f is None or default_v is None:
        return (
            fallback_table(asic_model, device_model, board_version)
            if fallback
            else None
        )
    max_f = as_float(asic.get("absMaxFrequency"), 1.0, 65535.0)
    max_v = as_int(asic.get("absMaxVoltage"), 1, 65535)
    return build_table(
        freqs,
        volts,
        default_f,
        default_v,
        abs_max_frequency=max_f,
        abs_max_voltage=max_v,
        asic_model=asic_model,
    )


def _options(raw: object, low: float, high: float) -> list[float]:
    if type(raw) is not list:
        return []
    values = [as_float(item, low, high) for item in raw[:_MAX_OPTIONS]]
    return [value for value in values if value is not None]
