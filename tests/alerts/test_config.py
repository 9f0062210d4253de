"""Alert defaults, seeding rows and settings read from AlertConfig rows."""

from __future__ import annotations

import json

import pytest

from custom_components.home_miner_manager.alerts import (
    CHANNELS,
    AlertType,
    default_alert_config_rows,
    default_settings,
    settings_from_rows,
)


def test_seed_rows_cover_every_type_with_upstream_defaults() -> None:
    rows = default_alert_config_rows()
    json.dumps(rows)  # stored in a JSON column
    by_type = {row["alert_type"]: row for row in rows}
    assert set(by_type) == {kind.value for kind in AlertType}
    assert len(by_type) == 7
    assert all(row["enabled"] is True for row in rows)
    assert all(row["config"]["cooldown_minutes"] == 60 for row in rows)
    assert all(row["config"]["channels"] == list(CHANNELS) for row in rows)
    assert by_type["miner_offline"]["config"]["timeout_minutes"] == 5
    assert by_type["high_temperature"]["config"]["threshold_celsius"] == {
        "bitaxe": 70,
        "nerdqaxe": 75,
        "avalon_nano": 95,
        "default": 75,
    }
    assert by_type["high_reject_rate"]["config"]["threshold_percent"] == 5
    assert by_type["high_reject_rate"]["config"]["window_minutes"] == 60
    assert by_type["low_hashrate"]["config"]["drop_percent"] == 30
    assert by_type["low_hashrate"]["config"]["mode_change_grace_minutes"] == 20
    assert by_type["strategy_error"]["config"]["max_failures"] == 3


def test_seed_rows_are_independent_copies() -> None:
    rows = {r["alert_type"]: r for r in default_alert_config_rows()}
    rows["high_temperature"]["config"]["threshold_celsius"]["bitaxe"] = 10
    again = {r["alert_type"]: r for r in default_alert_config_rows()}
    assert again["high_temperature"]["config"]["threshold_celsius"]["bitaxe"] == 70


def test_settings_round_trip_the_seed_rows() -> None:
    settings = settings_from_rows(default_alert_config_rows())
    for kind in AlertType:
        default = default_settings(kind)
        assert settings[kind].enabled
        assert settings[kind].cooldown_minutes == 60
        assert settings[kind].channels == CHANNELS
        assert settings[kind].params == default.params


@pytest.mark.parametrize(
    ("miner_type", "limit"),
    [("bitaxe", 70), ("nerdqaxe", 75), ("avalon_nano", 95), ("nmminer", 75), ("x", 75)],
)
def test_temperature_limits_per_type(miner_type: str, limit: float) -> None:
    assert default_settings("high_temperature").temperature_limit(miner_type) == limit


def test_row_values_override_and_bad_values_fall_back() -> None:
    rows = [
        {
            "alert_type": "high_temperature",
            "enabled": False,
            "config": {
                "threshold_celsius": {"avalon_nano": 90, "bitaxe": "hot"},
                "cooldown_minutes": 15,
                "channels": ["discord"],
            },
        },
        {
            "alert_type": "miner_offline",
            "config": {"timeout_minutes": float("nan"), "cooldown_minutes": -5},
        },
        {"alert_type": "low_hashrate", "config": None, "enabled": True},
        {"alert_type": "aggregation_status", "enabled": True},  # upstream-only type
        {"alert_type": "pool_failure", "config": {"channels": "telegram"}},
    ]
    settings = settings_from_rows(rows)
    temp = settings[AlertType.HIGH_TEMPERATURE]
    assert temp.enabled is False
    assert temp.cooldown_s == 15 * 60
    assert temp.channels == ("discord",)
    assert temp.temperature_limit("avalon_nano") == 90
    assert temp.temperature_limit("bitaxe") == 70  # "hot" ignored
    offline = settings[AlertType.MINER_OFFLINE]
    assert offline.number("timeout_minutes") == 5
    assert offline.cooldown_minutes == 60
    assert settings[AlertType.POOL_FAILURE].channels == CHANNELS
    assert settings[AlertType.LOW_HASHRATE].number("drop_percent") == 30
    assert set(settings) == set(AlertType)


def test_upstream_single_threshold_only_sets_other_types() -> None:
    # Upstream seeded {"threshold_celsius": 75}; an Avalon runs at 80-90 °C.
    settings = settings_from_rows(
        [{"alert_type": "high_temperature", "config": {"threshold_celsius": 80}}]
    )
    temp = settings[AlertType.HIGH_TEMPERATURE]
    assert temp.temperature_limit("nmminer") == 80
    assert temp.temperature_limit("avalon_nano") == 95
    assert temp.temperature_limit("bitaxe") == 70
