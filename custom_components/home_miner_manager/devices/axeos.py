"""AxeOS driver: Bitaxe (bitaxeorg/ESP-Miner) and NerdQAxe (ESP-Miner-NerdQAxePlus).

Both speak the same HTTP API on port 80 (devices.md §1, §2):

* poll: ``GET /api/system/info``; ``GET /api/system/asic`` once per driver for
  the mode table (404 on firmware < v2.7 / NerdQAxe < v1.0.32 → built-in lists);
* mode: ``PATCH /api/system`` with ``frequency`` (MHz) and ``coreVoltage`` (mV),
  applied live. ``voltage`` is the *input* voltage and is never written;
* pool: flat ``stratumURL/Port/User/Password`` keys (Bitaxe < v2.15 and every
  NerdQAxe), or the ``pools`` array + ``primaryPoolIndex`` (Bitaxe v2.15+, which
  ignores the flat keys). Bitaxe then needs ``POST /api/system/restart``;
  NerdQAxe applies stratum settings live, so it is not restarted;
* restart: ``POST /api/system/restart`` (plain-text or JSON reply).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from .axeos_info import firmware_has_pool_list, parse_axeos_info, primary_pool_index
from .base import MinerDriver
from .exceptions import MinerConnectionError, MinerError, MinerUnsupportedError
from .http import HttpTransport, base_url
from .modes import ModeTable, fallback_table, table_from_asic_info
from .parsing import as_text, decode_json_object
from .types import AXEOS_MODES, MinerType
from .validation import check_pool

if TYPE_CHECKING:
    import aiohttp

    from .snapshot import MinerSnapshot, PoolTarget

_LOGGER = logging.getLogger(__name__)


class AxeOSDriver(MinerDriver):
    """Bitaxe or NerdQAxe over HTTP."""

    miner_type = MinerType.BITAXE
    default_port = 80

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        miner_type: MinerType | str = MinerType.BITAXE,
        timeout: float = 10.0,
        keep_alive: bool = True,
    ) -> None:
        """Prepare URLs once; no I/O here (``session``: see :mod:`.http`)."""
        super().__init__(host, port)
        kind = MinerType(miner_type)
        if kind not in (MinerType.BITAXE, MinerType.NERDQAXE):
            raise MinerUnsupportedError(f"AxeOS driver cannot drive {kind}")
        self.miner_type = kind
        self._http = HttpTransport(session, timeout, keep_alive=keep_alive)
        base = base_url(host, self.port)
        self._info_url = base.with_path("/api/system/info")
        self._asic_url = base.with_path("/api/system/asic")
        self._system_url = base.with_path("/api/system")
        self._restart_url = base.with_path("/api/system/restart")
        self._table: ModeTable | None = None
        self._asic_loaded = False
        self._asic_info: dict[str, Any] | None = None
        self._firmware: str | None = None

    @property
    def modes(self) -> tuple[str, ...]:
        """Return eco / standard / turbo / oc (see :mod:`.modes`)."""
        return AXEOS_MODES

    @property
    def mode_table(self) -> ModeTable | None:
        """The mode presets once known (after the first successful fetch)."""
        return self._table

    async def fetch_info(self) -> dict[str, Any]:
        """Return the raw ``/api/system/info`` object."""
        body = await self._http.request("GET", self._info_url)
        return decode_json_object(body or b"")

    async def fetch(self) -> MinerSnapshot:
        """Poll the miner once.

        The mode table is read once, and again after a firmware update (the
        option lists, and whether ``/api/system/asic`` exists, come with it).
        """
        info = await self.fetch_info()
        if as_text(info.get("version"), 64) != self._firmware:
            self._asic_loaded = False
        if not self._asic_loaded:
            await self._load_modes(info)
        return parse_axeos_info(info, self.miner_type, self._table)

    async def _load_modes(self, info: dict[str, Any]) -> None:
        """Read ``/api/system/asic`` once; fall back to built-in lists."""
        self._firmware = as_text(info.get("version"), 64)
        board = as_text(info.get("boardVersion"), 16)
        table: ModeTable | None = None
        try:
            body = await self._http.request("GET", self._asic_url, allow_404=True)
            if body is not None:
                self._asic_info = decode_json_object(body)
                table = table_from_asic_info(self._asic_info, board)
        except MinerConnectionError:
            # Try again on the next poll; use the built-in table meanwhile.
            self._table = self._table or _fallback(info, board)
            return
        except MinerError as err:
            _LOGGER.debug("%s: /api/system/asic unusable: %s", self.host, err)
        self._asic_loaded = True
        self._table = table or _fallback(info, board)

    async def set_mode(self, mode: str) -> None:
        """Write the mode's frequency and core voltage (applied live)."""
        if mode not in AXEOS_MODES:
            raise MinerUnsupportedError(f"unknown mode {mode!r}")
        if not self._asic_loaded or self._table is None:
            await self._load_modes(await self.fetch_info())
        if self._table is None:
            raise MinerUnsupportedError("unknown ASIC model: no mode table")
        setting = self._table.settings[mode]
        frequency = setting.frequency
        await self._patch(
            {
                "frequency": int(frequency) if frequency.is_integer() else frequency,
                "coreVoltage": setting.core_voltage,
            }
        )

    async def switch_pool(self, pool: PoolTarget) -> None:
        """Point the miner at ``pool``; restart a Bitaxe so it takes effect."""
        host, port, user, password = check_pool(pool)
        info = await self.fetch_info()
        if self.miner_type is not MinerType.NERDQAXE and firmware_has_pool_list(info):
            slot = primary_pool_index(info)
            await self._patch(
                {
                    "pools": [
                        {
                            "id": slot,
                            "stratumURL": host,
                            "stratumPort": port,
                            "stratumUser": user,
                            "stratumPassword": password,
                        }
                    ],
                    "primaryPoolIndex": slot,
                }
            )
        else:
            await self._patch(
                {
                    "stratumURL": host,
                    "stratumPort": port,
                    "stratumUser": user,
                    "stratumPassword": password,
                }
            )
        if self.miner_type is not MinerType.NERDQAXE:
            await self.restart()

    async def restart(self) -> None:
        """Reboot the miner (it answers before rebooting)."""
        await self._http.request("POST", self._restart_url)

    async def close(self) -> None:
        """Close the kept-alive connection."""
        await self._http.close()

    async def _patch(self, body: dict[str, Any]) -> None:
        # Absolute settings: writing them twice equals once.
        await self._http.request(
            "PATCH", self._system_url, json_body=body, repeatable=True
        )


def _fallback(info: dict[str, Any], board: str | None) -> ModeTable | None:
    return fallback_table(
        as_text(info.get("ASICModel"), 32),
        as_text(info.get("deviceModel"), 64),
        board,
    )
