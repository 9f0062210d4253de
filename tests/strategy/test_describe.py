"""Commands and bands in words (strategy/describe.py)."""

from __future__ import annotations

from custom_components.home_miner_manager.strategy.bands import default_bands
from custom_components.home_miner_manager.strategy.describe import (
    band_name,
    commands_text,
    stored_text,
)
from custom_components.home_miner_manager.strategy.plan import Action, Command


def test_commands_in_words() -> None:
    commands = (
        Command(Action.POWER_ON),
        Command(Action.SET_POOL, "DGB"),
        Command(Action.SET_MODE, "eco"),
    )
    assert commands_text(commands) == "switch on, DGB pool, mode eco"
    assert commands_text((Command(Action.POWER_OFF),)) == "switch off"
    assert commands_text(()) == ""


def test_stored_commands_in_words() -> None:
    """Measured: the attribute read "set_pool:DGB, set_mode:eco"."""
    assert stored_text("set_pool:DGB, set_mode:eco") == "DGB pool, mode eco"
    assert stored_text("power_off") == "switch off"
    assert stored_text("something_new:x") == "something_new x"
    assert stored_text(None) is None
    assert stored_text("") is None


def test_band_names() -> None:
    names = [band_name(band, "p/kWh") for band in default_bands()]
    assert names == ["OFF >=20p", "DGB 12-20p", "DGB 7-12p", "BCH 4-7p", "BTC <4p"]
    assert band_name(None, "p/kWh") is None


def test_band_names_in_the_prices_minor_unit() -> None:
    # A euro or Nordic hub's bands are in cents or öre, not pence.
    bands = default_bands()
    assert [band_name(band, "c/kWh") for band in bands] == [
        "OFF >=20c",
        "DGB 12-20c",
        "DGB 7-12c",
        "BCH 4-7c",
        "BTC <4c",
    ]
    assert band_name(bands[1], "öre/kWh") == "DGB 12-20 öre"
    assert band_name(bands[1], "p/kWh") == "DGB 12-20p"
