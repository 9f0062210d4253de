"""What a poll stores beside its Telemetry row."""

from __future__ import annotations

from custom_components.home_miner_manager.devices.snapshot import MinerSnapshot
from custom_components.home_miner_manager.miner.recorder import telemetry_extras


def test_secret_like_extras_are_never_stored() -> None:
    snapshot = MinerSnapshot(
        miner_type="bitaxe",
        mode="eco",
        extras={
            "stratum_password": "hunter2",
            "Api_Token": "abc",
            "session_cookie": "c",
            "wifi_rssi": -58,
            "otp_enabled": True,
            "nested": {"not": "scalar"},
        },
    )
    for _ in range(2):  # the second pass answers from the per-key cache
        data = telemetry_extras(snapshot)
        assert "hunter2" not in repr(data)
        assert not {"stratum_password", "Api_Token", "session_cookie", "nested"} & set(
            data
        )
        assert data["wifi_rssi"] == -58
        assert data["otp_enabled"] is True
        assert data["mode"] == "eco"
