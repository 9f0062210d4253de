"""The development instance (scripts/develop) behaves like a real install.

Settings -> Restart starts Home Assistant again (it exits with code 100 and
leaves the restart to its runner), configuration.yaml loads automations,
scripts and scenes (the UI editors save to them), and a later start does not
switch a miner's pool again.
"""

from __future__ import annotations

from pathlib import Path
import shutil
import signal
import subprocess
import sys
import time
from typing import Any

from homeassistant.util.yaml import load_yaml_dict

ROOT = Path(__file__).resolve().parents[1]
SUPERVISE = ROOT / "scripts" / "devtools" / "supervise.py"
sys.path.insert(0, str(ROOT / "scripts" / "devtools"))

import bootstrap  # noqa: E402  (a script folder, not a package)

# A stand-in for Home Assistant: counts its runs, exits with the codes given.
CHILD = """
import pathlib, signal, sys, time
runs = pathlib.Path(sys.argv[1])
count = int(runs.read_text()) + 1 if runs.exists() else 1
runs.write_text(str(count))
codes = [int(c) for c in sys.argv[2].split(",")]
if codes[min(count, len(codes)) - 1] == -1:  # wait for SIGTERM, then ask to restart
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(100))
    pathlib.Path(sys.argv[1] + ".ready").write_text("")
    time.sleep(30)
sys.exit(codes[min(count, len(codes)) - 1])
"""


def _supervise(tmp_path: Path, codes: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(SUPERVISE),
            "--quiet",
            sys.executable,
            "-c",
            CHILD,
            str(tmp_path / "runs"),
            codes,
        ],
        stdout=subprocess.PIPE,
    )


def test_restart_request_starts_home_assistant_again(tmp_path: Path) -> None:
    proc = _supervise(tmp_path, "100,100,0")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert (tmp_path / "runs").read_text() == "3"
    assert out.decode().count("Restarting Home Assistant") == 2


def test_any_other_exit_ends_it(tmp_path: Path) -> None:
    proc = _supervise(tmp_path, "3")
    proc.communicate(timeout=30)
    assert proc.returncode == 3
    assert (tmp_path / "runs").read_text() == "1"


def test_stopping_is_for_good(tmp_path: Path) -> None:
    """Ctrl-C / SIGTERM of scripts/develop: passed on, no restart."""
    proc = _supervise(tmp_path, "-1")
    deadline = time.monotonic() + 20
    while not (tmp_path / "runs.ready").exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert (tmp_path / "runs").read_text() == "1"
    assert proc.returncode == 100


def test_configuration_loads_automations_scripts_and_scenes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "config" / "configuration.yaml", tmp_path)
    # As scripts/develop creates them.
    (tmp_path / "automations.yaml").write_text("[]\n")
    (tmp_path / "scripts.yaml").write_text("")
    (tmp_path / "scenes.yaml").write_text("[]\n")
    config = load_yaml_dict(tmp_path / "configuration.yaml")
    assert config["automation"] == []
    assert "script" in config
    assert config["scene"] == []
    develop = (ROOT / "scripts" / "develop").read_text(encoding="utf-8")
    for name in ("automations.yaml", "scripts.yaml", "scenes.yaml"):
        assert f'"$CONFIG/{name}"' in develop


class FakeHA:
    """Records what the bootstrap asks of Home Assistant's HTTP API."""

    def __init__(self, pools: list[str], stats_url: str | None) -> None:
        self.pools = pools
        self.stats_url = stats_url
        self.calls: list[tuple[str, str]] = []

    async def get(self, path: str) -> Any:
        self.calls.append(("get", path))
        return []

    async def post(self, path: str, payload: dict[str, Any]) -> Any:
        self.calls.append(("post", path))
        if path.endswith("/options/flow"):
            return {"type": "menu", "flow_id": "opt"}
        if path.endswith("/options/flow/opt") and "next_step_id" in payload:
            return {
                "type": "form",
                "flow_id": "opt",
                "data_schema": [
                    {"name": "pool_check_minutes", "default": 5},
                    {
                        "name": "pool_stats_url",
                        "description": {"suggested_value": self.stats_url},
                    },
                ],
            }
        if path.endswith("/options/flow/opt"):
            self.stats_url = payload["pool_stats_url"]
            return {"type": "create_entry"}
        if path.endswith("/subentries/flow"):
            self.pools.append("added")
            return {"type": "create_entry"}
        return []

    async def delete(self, path: str) -> None:
        self.calls.append(("delete", path))

    async def ws(self, msg_type: str, **fields: Any) -> Any:
        if msg_type == "config_entries/subentries/list":
            return [{"title": t, "subentry_type": "pool"} for t in self.pools]
        if msg_type == "config/device_registry/list":
            return [{"name": "Bitaxe 1", "id": "device-1"}]
        return []


FLEET = {
    "pool_stats": "http://127.0.0.1:18178",
    "pools": [
        {"host": "127.0.0.1", "port": 18170},
        {"host": "127.0.0.1", "port": 18171},
    ],
    "devices": [{"name": "bitaxe-1", "miner_type": "bitaxe"}],
}


async def test_later_starts_leave_pools_and_options_alone() -> None:
    first = FakeHA([], None)
    assert await bootstrap.ensure_pools(first, "hub", FLEET) == 2  # type: ignore[arg-type]
    switch = ("post", "/api/services/home_miner_manager/switch_pool")
    assert switch in first.calls
    assert ("post", "/api/config/config_entries/options/flow/opt") in first.calls
    # The next start: pools and options are there.
    later = FakeHA(["Solo BTC", "Solo DGB"], first.stats_url)
    assert await bootstrap.ensure_pools(later, "hub", FLEET) == 0  # type: ignore[arg-type]
    assert switch not in later.calls  # Bitaxe 1 stays where the user put it
    assert ("delete", "/api/config/config_entries/options/flow/opt") in later.calls
    saves = [c for c in later.calls if c[0] == "post" and c[1].endswith("/opt")]
    assert len(saves) == 1  # only the menu choice; nothing saved


class MenuThenSaved:
    """A pool flow whose pool does not answer yet: the unreachable menu first."""

    def __init__(self) -> None:
        self.answers: list[dict[str, Any]] = []

    async def post(self, path: str, payload: dict[str, Any]) -> Any:
        self.answers.append(payload)
        if "handler" in payload:
            return {
                "type": "menu",
                "flow_id": "f",
                "step_id": "unreachable_refused",
                "menu_options": ["save_anyway", "back"],
            }
        return {"type": "create_entry"}


async def test_bootstrap_saves_a_pool_that_does_not_answer_yet() -> None:
    client = MenuThenSaved()
    result = await bootstrap.run_flow(client, "/flow", ["hub", "pool"], {})  # type: ignore[arg-type]
    assert result == {"type": "create_entry"}
    assert client.answers[-1] == {"next_step_id": "save_anyway"}
