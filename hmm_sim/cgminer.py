"""cgminer API simulator (TCP 4028) playing an Avalon Nano 3 or Nano 3S.

One command per connection, reply then a NUL byte then close; JSON requests
(``{"command":..,"parameter":..}``) get JSON replies, plain ``cmd|param``
requests get the ``STATUS=S,...|SECTION,k=v|`` text form.
"""

from __future__ import annotations

import asyncio
from collections import deque
import contextlib
import dataclasses
import hashlib
import json
import time
from typing import Any

from .avalon_device import PROFILES, AvalonDevice, AvalonProfile
from .faults import Fault
from .http import absurd
from .tcp import TcpSimulator

DESCRIPTION = "cgminer 4.11.1"
READ_COMMANDS = frozenset(
    {"version", "summary", "estats", "stats", "pools", "lcd", "devs"}
)
CALIBRATING = "ASC 0 set failed: {key} set failed, miner is caling, please wait"


def _status(kind: str, code: int, msg: str) -> dict[str, Any]:
    return {
        "STATUS": kind,
        "When": int(time.time()),
        "Code": code,
        "Msg": msg,
        "Description": DESCRIPTION,
    }


def _escape(value: Any) -> str:
    # cgminer's escape_string() for the plain form: backslash the separators.
    text = str(value).lower() if isinstance(value, bool) else str(value)
    for ch in ("\\", ",", "|", "="):
        text = text.replace(ch, "\\" + ch)
    return text


def plain_text(reply: dict[str, Any]) -> str:
    """Render a JSON-form reply in cgminer's plain text form."""
    out = []
    for section, items in reply.items():
        if section == "id":
            continue
        for index, item in enumerate(items):
            fields = ",".join(f"{k}={_escape(v)}" for k, v in item.items())
            prefix = (
                f"{section},"
                if section in ("SUMMARY", "VERSION") and index == 0
                else ""
            )
            if section == "STATUS":
                prefix = ""
            out.append(prefix + fields)
    return "|".join(out) + "|"


class CgminerSimulator(TcpSimulator):
    """One Avalon Nano (``nano3s`` or ``nano3``) speaking the cgminer API."""

    kind = "cgminer"
    miner_type = "avalon_nano"

    def __init__(
        self,
        profile: str | AvalonProfile = "nano3s",
        *,
        web_password: str = "admin",  # noqa: S107 (simulated device)
        **kwargs: Any,
    ) -> None:
        """``web_password`` is what ``setpool`` must prove (Nano 3S: sha256)."""
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        kwargs.setdefault("name", self.profile.name)
        super().__init__(**kwargs)
        self.device = AvalonDevice(self.profile, self.rng, web_password)
        self.commands: deque[tuple[str, str | None]] = deque(maxlen=500)
        self.served: dict[str, Any] = {}  # last reply per command

    @property
    def profile_name(self) -> str:
        """The firmware profile name."""
        return self.profile.name

    @property
    def calibrating(self) -> bool:
        """While True, mode changes fail with the 'caling' message."""
        return self.device.calibrating

    @calibrating.setter
    def calibrating(self, value: bool) -> None:
        self.device.calibrating = value

    @property
    def mode(self) -> int:
        """Work mode (3S) / work level (Nano 3): 0 low, 1 medium, 2 high."""
        return self.device.mode

    @property
    def active_pool(self) -> str:
        """URL of the pool in use."""
        return self.device.pools[self.device.active]["url"]

    def _on_boot(self) -> None:
        self.device.boot()

    # -- server ------------------------------------------------------------

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            # cgminer does a single recv() of the request.
            raw = await reader.read(8192)
            if raw:
                await self._answer(raw, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, raw: bytes, writer: asyncio.StreamWriter) -> None:
        self.requests += 1
        text = raw.decode(errors="replace").strip().rstrip("\x00")
        is_json = text.startswith("{")
        command, parameter = self._parse(text, is_json)
        self.commands.append((command, parameter))
        await self._apply_latency()
        fault = self.faults.take()
        if fault is Fault.TIMEOUT:
            await self._hang()
            return
        if fault is Fault.CLOSE:
            return
        if fault is Fault.SLOW:
            await asyncio.sleep(self.faults.delay)
        if fault is Fault.GARBAGE:
            writer.write(b"\x8f\xfe\x01garbage<<>>\xff\x00")
            await writer.drain()
            return
        reply = self.dispatch(command, parameter, absurd_values=fault is Fault.ABSURD)
        if is_json:
            body = json.dumps(reply, separators=(",", ":")).encode()
        else:
            body = plain_text(reply).encode()
        if fault is Fault.TRUNCATED:
            writer.write(body[: len(body) // 2])
        elif fault is Fault.NO_NUL:
            writer.write(body)
        elif fault is Fault.MALFORMED:
            writer.write(body.replace(b":", b"=", 1) + b"\x00")
        else:
            writer.write(body + b"\x00")
        await writer.drain()

    @staticmethod
    def _parse(text: str, is_json: bool) -> tuple[str, str | None]:
        if is_json:
            try:
                request = json.loads(text)
            except ValueError:
                return "", None
            if not isinstance(request, dict):
                return "", None
            parameter = request.get("parameter")
            return str(request.get("command", "")), None if parameter is None else str(
                parameter
            )
        command, sep, parameter = text.partition("|")
        return command, parameter if sep else None

    # -- commands ----------------------------------------------------------

    def dispatch(
        self, command: str, parameter: str | None, *, absurd_values: bool = False
    ) -> dict[str, Any]:
        """The JSON-form reply to one (possibly ``+``-joined) command."""
        if "+" in command:
            joined: dict[str, Any] = {}
            for part in command.split("+"):
                if part in READ_COMMANDS:
                    joined[part] = [self._single(part, parameter, absurd_values)]
                else:
                    joined[part] = [
                        {
                            "STATUS": [
                                _status("E", 45, f"Access denied to '{part}' command")
                            ],
                            "id": 1,
                        }
                    ]
            joined["id"] = 1
            return joined
        return self._single(command, parameter, absurd_values)

    def _single(
        self, command: str, parameter: str | None, absurd_values: bool
    ) -> dict[str, Any]:
        d = self.device
        reply: dict[str, Any]
        if command in ("summary", "estats", "stats", "lcd", "devs"):
            d.tick()
        if command == "version":
            reply = {
                "STATUS": [_status("S", 22, "CGMiner versions")],
                "VERSION": [d.version()],
            }
        elif command == "summary":
            reply = {"STATUS": [_status("S", 11, "Summary")], "SUMMARY": [d.summary()]}
        elif command in ("estats", "stats"):
            reply = {
                "STATUS": [_status("S", 70, "CGMiner stats")],
                "STATS": d.stats(absurd=absurd_values, with_pools=command == "stats"),
            }
        elif command == "pools":
            pools = d.pools_list()
            reply = {
                "STATUS": [_status("S", 7, f"{len(pools)} Pool(s)")],
                "POOLS": pools,
            }
        elif command == "lcd":
            reply = {
                "STATUS": [_status("S", 125, "LCD")],
                "LCD": [d.lcd()],
            }  # code UNCERTAIN
        elif command == "devs":
            reply = {
                "STATUS": [_status("S", 9, "1 ASC(s)")],
                "DEVS": [
                    {
                        "ASC": 0,
                        "Name": "AVA10",
                        "ID": 0,
                        "Enabled": "Y",
                        "Status": "Alive",
                        "MHS 1m": d.ghs * 1000.0,
                        "Accepted": d.counters.accepted,
                    }
                ],
            }
        elif command == "ascset":
            reply = {"STATUS": [self._ascset(parameter)]}
        elif command == "setpool":
            reply = {"STATUS": [self._setpool(parameter)]}
        elif command == "switchpool":
            reply = {"STATUS": [self._switchpool(parameter)]}
        else:
            reply = {"STATUS": [_status("E", 14, "Invalid command")]}
        reply["id"] = 1
        if absurd_values:
            reply = absurd(reply)
        self.served[command] = reply
        return reply

    def _ascset(self, parameter: str | None) -> dict[str, Any]:
        d = self.device
        if not parameter:
            return _status("E", 15, "Missing ASC id")
        dev, _, rest = parameter.partition(",")
        if dev != "0":
            return _status("E", 107, f"Invalid ASC id {dev} - range is 0 - 0")
        option, *args = rest.split(",") if rest else ("",)
        key = self.profile.mode_key
        if option == key:
            if args[:1] == ["get"]:
                return _status("I", 118, f"ASC 0 set info: {key} {d.mode}")
            if len(args) == 2 and args[0] == "set":
                if d.calibrating:
                    return _status("E", 120, CALIBRATING.format(key=key))
                if not args[1].isdigit() or int(args[1]) >= len(self.profile.modes):
                    top = len(self.profile.modes) - 1
                    return _status(
                        "E",
                        120,
                        f"ASC 0 set failed: error:1 not support set {key} max_mode[{top}]",
                    )
                d.mode = int(args[1])
                d.tick()
                return _status("S", 119, "ASC 0 set OK")
            return _status("E", 120, f"ASC 0 set failed: {key} param err")
        if option == "worklevel" and key == "workmode":
            # The 3S keeps a separate WORKLEVEL value; it does not change the work mode.
            if args[:1] == ["get"]:
                return _status("I", 118, f"ASC 0 set info: worklevel {d.worklevel}")
            if len(args) == 2 and args[0] == "set" and args[1].isdigit():
                d.worklevel = int(args[1])
                return _status("S", 119, "ASC 0 set OK")
            return _status("E", 120, "ASC 0 set failed: worklevel param err")
        if option == "reboot":
            arg = args[0] if args else ""
            if arg == "all" and self.profile.name == "nano3":
                self.schedule_restart()
                return _status("S", 119, "ASC 0 set OK")
            if arg.isdigit() and 0 <= int(arg) <= 300:
                self.schedule_restart(int(arg) or None)
                return _status("S", 119, "ASC 0 set OK")
            return _status("E", 120, "ASC 0 set failed: reboot param err")
        if option == "fan-spd":
            value = args[0] if args else ""
            if value == "-1":
                d.fan_percent = None
                return _status("S", 119, "ASC 0 set OK")
            if value.isdigit() and 15 <= int(value) <= 100:
                d.fan_percent = int(value)
                return _status("S", 119, "ASC 0 set OK")
            return _status("E", 120, "ASC 0 set failed: fan-spd param err")
        if option == "help":
            return _status(
                "I", 118, f"ASC 0 set info: {key}|reboot|fan-spd|target-temp|help"
            )
        if option in (
            "target-temp",
            "voltage",
            "lcd",
            "ledmode",
            "ledset",
            "nightlamp",
        ):
            return _status("S", 119, "ASC 0 set OK")
        return _status("E", 120, f"ASC 0 set failed: unknown option {option}")

    def _setpool(self, parameter: str | None) -> dict[str, Any]:
        parts = (parameter or "").split(",")
        if len(parts) < 5:
            return _status("E", 132, "Pool set error: param err")
        user, password, index, url, worker = parts[:5]
        worker_pass = parts[5] if len(parts) > 5 else "x"
        d = self.device
        if user != self.profile.web_user:
            return _status("E", 132, "Pool set error: username err")
        if not d.password_ok(user, password):
            return _status("E", 132, "Pool set error: userpass err")
        if not index.isdigit() or int(index) > 2:
            return _status("E", 132, "Pool set error: pool index err")
        d.pending_pools[int(index)] = {
            "url": url,
            "user": worker,
            "password": worker_pass,
        }
        # The firmware echoes the pool password back (devices.md §3.3).
        return _status(
            "S",
            133,
            f"Pool set info: pool {index} success set to {url}, worker is {worker}, "
            f"workerpassword is {worker_pass}. Please reboot miner to make config work.",
        )

    def _switchpool(self, parameter: str | None) -> dict[str, Any]:
        d = self.device
        if (
            not parameter
            or not parameter.isdigit()
            or int(parameter) > 2
            or not d.pools[int(parameter)]["url"]
        ):
            return _status("E", 26, f"Invalid pool id {parameter} - range is 0 - 2")
        d.active = int(parameter)
        return _status(
            "S", 27, f"Switching to pool {parameter}:'{d.pools[d.active]['url']}'"
        )

    def commands_named(self, name: str) -> list[str | None]:
        """Parameters of every received command called ``name``."""
        return [param for cmd, param in self.commands if cmd == name]

    # -- what the owner does on the device ------------------------------------

    def set_web_password(self, password: str) -> None:
        """The owner changed the web password (Avalon app): ``setpool`` now needs it."""
        self.device.web_password = password
        self.device.web_password_hash = hashlib.sha256(password.encode()).hexdigest()

    async def flash_firmware(self, firmware: str) -> None:
        """Install ``firmware`` (e.g. "25052901_1a2b3c4") and reboot into it."""
        self.profile = dataclasses.replace(self.profile, firmware=firmware)
        self.device.profile = self.profile
        await self.restart()
