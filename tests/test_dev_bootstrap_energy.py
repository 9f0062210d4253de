"""The development bootstrap: Energy dashboard and price source on the first run only."""

from __future__ import annotations

from pathlib import Path
import shutil
import sys
from typing import Any

from homeassistant.util.yaml import load_yaml_dict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts" / "devtools"))

import bootstrap  # noqa: E402  (a script folder, not a package)
from ha_client import HAError  # noqa: E402

ENTITIES = [
    {
        "platform": "home_miner_manager",
        "entity_id": "sensor.b1_energy",
        "unique_id": "mac:aa_energy",
    },
    {
        "platform": "home_miner_manager",
        "entity_id": "sensor.b1_power",
        "unique_id": "mac:aa_power",
    },
    {
        "platform": "home_miner_manager",
        "entity_id": "sensor.nano_energy",
        "unique_id": "mac:bb_energy",
        "disabled_by": None,
    },
    {"platform": "other", "entity_id": "sensor.plug_energy", "unique_id": "x_energy"},
]


class FakeEnergy:
    """Energy preferences as Home Assistant's websocket API answers them."""

    def __init__(self, prefs: dict[str, Any] | None) -> None:
        self.prefs = prefs
        self.saved: list[dict[str, Any]] = []

    async def ws(self, msg_type: str, **fields: Any) -> Any:
        if msg_type == "energy/get_prefs":
            if self.prefs is None:
                raise HAError("energy/get_prefs failed: not_found")
            return self.prefs
        if msg_type == "config/entity_registry/list":
            return ENTITIES
        if msg_type == "energy/save_prefs":
            self.saved.append(fields)
            self.prefs = fields
            return fields
        raise AssertionError(msg_type)


async def test_first_bootstrap_lists_every_miner_energy_sensor() -> None:
    """Never saved: each miner's energy sensor becomes an individual device."""
    client = FakeEnergy(None)
    await bootstrap.ensure_energy_devices(client)  # type: ignore[arg-type]
    assert client.saved == [
        {
            "device_consumption": [
                {"stat_consumption": "sensor.b1_energy"},
                {"stat_consumption": "sensor.nano_energy"},
            ]
        }
    ]
    # The next start finds preferences and writes nothing.
    await bootstrap.ensure_energy_devices(client)  # type: ignore[arg-type]
    assert len(client.saved) == 1


async def test_energy_settings_of_the_user_are_left_alone() -> None:
    """Preferences saved from the UI (even empty) are never replaced."""
    client = FakeEnergy({"energy_sources": [], "device_consumption": []})
    await bootstrap.ensure_energy_devices(client)  # type: ignore[arg-type]
    assert client.saved == []


def test_dev_configuration_has_the_stand_in_tariff(tmp_path: Path) -> None:
    """The price source the bootstrap picks is defined in configuration.yaml."""
    # A fresh clone has no automations.yaml & co. (scripts/develop writes them):
    # read a copy beside empty ones, as the first start sees it.
    shutil.copy(ROOT / "config" / "configuration.yaml", tmp_path)
    for name in ("automations.yaml", "scripts.yaml", "scenes.yaml"):
        (tmp_path / name).write_text("[]\n" if name != "scripts.yaml" else "")
    config = load_yaml_dict(tmp_path / "configuration.yaml")
    sensors = [s for block in config["template"] for s in block.get("sensor", [])]
    assert [s["unique_id"] for s in sensors] == ["dev_tariff"]
    assert bootstrap.DEV_TARIFF == "sensor.dev_tariff"
    assert "prices" in sensors[0]["attributes"]
