"""AxeOS (Bitaxe ESP-Miner) and NerdQAxe HTTP simulator."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from aiohttp import web

from .axeos_device import AxeOSDevice, PatchError
from .axeos_info import asic_info, bitaxe_info, nerdqaxe_info
from .axeos_profiles import PROFILES, AxeOSProfile
from .http import HttpSimulator, json_response

RESTART_TEXT = "System will restart shortly."


class AxeOSSimulator(HttpSimulator):
    """One Bitaxe or NerdQAxe on a firmware profile (see ``axeos_profiles``).

    ``otp_enabled`` (NerdQAxe only): PATCH needs ``X-TOTP: <otp_code>`` or an
    ``X-OTP-Session`` token from POST ``/api/otp/session``. ``otp_reads`` also
    guards GET ``/api/system/info`` (no firmware does so today, devices.md §2.1;
    it exercises clients' read-refusal path).
    """

    kind = "axeos"

    def __init__(
        self,
        profile: str | AxeOSProfile = "bitaxe_v2_15",
        *,
        otp_enabled: bool = False,
        otp_code: str = "123456",
        otp_reads: bool = False,
        **kwargs: Any,
    ) -> None:
        """Pick a profile by name (``PROFILES``) or pass one."""
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self.miner_type = "nerdqaxe" if self.profile.nerdqaxe else "bitaxe"
        kwargs.setdefault("name", self.profile.name)
        super().__init__(**kwargs)
        self.device = AxeOSDevice(self.profile, self.rng)
        self.otp_enabled = otp_enabled
        self.otp_code = otp_code
        self.otp_reads = otp_reads
        self.otp_sessions: set[str] = set()

    @property
    def profile_name(self) -> str:
        """The firmware profile name."""
        return self.profile.name

    def _on_boot(self) -> None:
        self.device.boot()

    # -- routes ------------------------------------------------------------

    def _routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/", self._root)
        r.add_get("/api/system/info", self._info)
        if self.profile.has_asic_endpoint:
            r.add_get("/api/system/asic", self._asic)
        r.add_patch("/api/system", self._patch)
        r.add_post("/api/system/restart", self._restart)
        if self.profile.multi_pool:
            r.add_put("/api/system/pools/{slot}", self._put_pool)
            r.add_delete("/api/system/pools/{slot}", self._delete_pool)
        if self.profile.nerdqaxe:
            r.add_post("/api/otp/session", self._otp_session)
            r.add_get("/api/otp/status", self._otp_status)
        r.add_route("*", "/api/{tail:.*}", self._unknown)

    async def _root(self, request: web.Request) -> web.Response:
        # pyasic-style detection looks for "AxeOS" in the page; NerdQAxe has its own UI.
        title = "Nerd*Axe Dashboard" if self.profile.nerdqaxe else "AxeOS"
        return web.Response(
            text=f"<!doctype html><html><head><title>{title}</title></head></html>",
            content_type="text/html",
        )

    async def _info(self, request: web.Request) -> web.Response:
        if self.otp_reads and not self._otp_ok(request):
            return web.Response(status=401, text="OTP/Session required")
        self.device.tick()
        if self.profile.nerdqaxe:
            body = nerdqaxe_info(self.device, otp=self.otp_enabled)
        else:
            body = bitaxe_info(self.device)
        return self.serve("/api/system/info", body, request["fault"])

    async def _asic(self, request: web.Request) -> web.Response:
        return self.serve("/api/system/asic", asic_info(self.device), request["fault"])

    def _otp_ok(self, request: web.Request) -> bool:
        if not self.otp_enabled:
            return True
        return (
            request.headers.get("X-TOTP") == self.otp_code
            or request.headers.get("X-OTP-Session", "") in self.otp_sessions
        )

    async def _patch(self, request: web.Request) -> web.Response:
        if not self._otp_ok(request):
            return web.Response(status=401, text="OTP/Session required")
        try:
            self.device.patch(request["json"])
        except (PatchError, KeyError, TypeError, ValueError):
            return web.Response(status=400, text="Wrong API input")
        return web.Response(status=200)

    async def _restart(self, request: web.Request) -> web.Response:
        self.schedule_restart()
        if self.profile.json_restart_reply:
            return json_response({"message": RESTART_TEXT})
        return web.Response(text=RESTART_TEXT)

    async def _put_pool(self, request: web.Request) -> web.Response:
        body = request["json"]
        try:
            slot = int(request.match_info["slot"])
        except ValueError:
            slot = -1
        if not (
            0 <= slot <= 7 and isinstance(body, dict) and self.device.valid_pool(body)
        ):
            return web.Response(status=400, text="Wrong API input")
        self.device.put_pool(slot, body)
        return json_response({"message": "Pool updated successfully"})

    async def _delete_pool(self, request: web.Request) -> web.Response:
        slot = int(request.match_info["slot"])
        if slot in (self.device.primary, self.device.secondary):
            return web.Response(status=400, text="Cannot delete an active pool")
        self.device.pools.pop(slot, None)
        return json_response({"message": "Pool deleted successfully"})

    async def _otp_session(self, request: web.Request) -> web.Response:
        if request.headers.get("X-TOTP") != self.otp_code:
            return web.Response(status=401, text="OTP/Session required")
        token = secrets.token_hex(16)
        self.otp_sessions.add(token)
        return json_response({"token": token, "ttlMs": 86_400_000})

    async def _otp_status(self, request: web.Request) -> web.Response:
        return json_response({"enabled": self.otp_enabled})

    async def _unknown(self, request: web.Request) -> web.Response:
        if self.profile.api_catch_all:
            return json_response({"error": "unknown route"}, status=404)
        # Before v2.9 there was no /api catch-all: ESP-IDF's plain-text 404.
        return web.Response(status=404, text="Nothing matches the given URI")

    # -- what tests look at --------------------------------------------------

    @property
    def active_pool(self) -> str:
        """``host:port`` the device is mining on (changes only when applied)."""
        return self.device.active_pool_address

    @property
    def frequency(self) -> float:
        """Current frequency set-point (MHz)."""
        return self.device.frequency

    @property
    def core_voltage(self) -> int:
        """Current core voltage set-point (mV)."""
        return self.device.core_voltage

    async def flash_firmware(self, firmware: str, release: tuple[int, int]) -> None:
        """Install another firmware (same board, settings and pools) and reboot.

        Routes follow the new release (e.g. ``/api/system/asic`` from v2.7).
        """
        self.profile = dataclasses.replace(
            self.profile, firmware=firmware, release=release
        )
        self.device.profile = self.profile
        await self.restart()

    def describe(self) -> dict[str, object]:
        """Fleet listing entry."""
        return super().describe() | {"firmware": self.profile.firmware}
