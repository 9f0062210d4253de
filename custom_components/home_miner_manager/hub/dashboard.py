"""Serve the "Home Miner Manager" dashboard to Home Assistant's frontend.

Creating a storage dashboard from Python needs Lovelace's dashboards
collection, which Home Assistant keeps private. So the integration ships a
small dashboard strategy (``frontend/hmm-dashboard.js``, served by Home
Assistant itself) and these websocket commands:

- ``home_miner_manager/dashboard/config``: the dashboard, generated from the
  registries each time it is opened (new miners, the plan calendar and the
  reason sensors appear by themselves);
- ``home_miner_manager/dashboard/offer``: whether the dashboard should still
  be created; the strategy module creates it once, for an administrator,
  with the frontend's public ``lovelace/dashboards/create`` and
  ``lovelace/config/save`` commands, and never when its url is taken;
- ``home_miner_manager/dashboard/created``: remembers it was created, so a
  dashboard the user deleted is not brought back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.storage import Store
import voluptuous as vol

from ..compat import device_by_identifier
from ..const import DOMAIN, SUBENTRY_MINER, SUBENTRY_POOL
from ..dashboard import BandInfo, DashboardInput, DeviceEntities, build_dashboard
from ..prices.units import price_unit_label
from ..strategy.describe import band_name

# The websocket connection (its class lives in a private module): only
# send_result is used.
type Connection = Any

URL_PATH: Final = "home-miner-manager"
TITLE: Final = "Home Miner Manager"
ICON: Final = "mdi:pickaxe"
STRATEGY: Final = "custom:home-miner-manager"
JS_URL: Final = f"/{DOMAIN}/frontend/hmm-dashboard.js"
JS_FILE: Final = Path(__file__).parent.parent / "frontend" / "hmm-dashboard.js"
STORE_KEY: Final = f"{DOMAIN}.dashboard"
# Entities without a translation key, known by their unique id's suffix.
SUFFIX_KEYS: Final = ("temperature", "power", "energy")


async def async_setup_dashboard(hass: HomeAssistant) -> None:
    """Register the commands and, with a frontend, the strategy module."""
    store: Store[dict[str, Any]] = Store(hass, 1, STORE_KEY)
    async_register_command(hass, _ws_config)
    async_register_command(hass, _offer_command(store))
    async_register_command(hass, _created_command(store))
    if hass.http is None or "frontend" not in hass.config.components:
        return
    # Imported here: the frontend is an after-dependency, not always loaded.
    from homeassistant.components.frontend import add_extra_js_url  # noqa: PLC0415
    from homeassistant.components.http import StaticPathConfig  # noqa: PLC0415

    await hass.http.async_register_static_paths(
        [StaticPathConfig(JS_URL, str(JS_FILE), cache_headers=False)]
    )
    add_extra_js_url(hass, JS_URL)


def _loaded_entry(hass: HomeAssistant) -> Any:
    return next(
        (
            entry
            for entry in hass.config_entries.async_entries(DOMAIN)
            if entry.state is ConfigEntryState.LOADED
        ),
        None,
    )


@websocket_command({vol.Required("type"): f"{DOMAIN}/dashboard/config"})
@callback
def _ws_config(
    hass: HomeAssistant, connection: Connection, msg: dict[str, Any]
) -> None:
    """Answer the dashboard's configuration."""
    entry = _loaded_entry(hass)
    data = dashboard_input(hass, entry) if entry is not None else None
    connection.send_result(
        msg["id"],
        build_dashboard(data or DashboardInput(hub=DeviceEntities(TITLE, {}))),
    )


def _offer_command(store: Store[dict[str, Any]]) -> Any:
    @websocket_command({vol.Required("type"): f"{DOMAIN}/dashboard/offer"})
    @async_response
    async def _ws_offer(
        hass: HomeAssistant,
        connection: Connection,
        msg: dict[str, Any],
    ) -> None:
        stored = await store.async_load() or {}
        connection.send_result(
            msg["id"],
            {
                "url_path": URL_PATH,
                "title": TITLE,
                "icon": ICON,
                "strategy": STRATEGY,
                "create": _loaded_entry(hass) is not None
                and not stored.get("created", False),
            },
        )

    return _ws_offer


def _created_command(store: Store[dict[str, Any]]) -> Any:
    @require_admin
    @websocket_command({vol.Required("type"): f"{DOMAIN}/dashboard/created"})
    @async_response
    async def _ws_created(
        hass: HomeAssistant,
        connection: Connection,
        msg: dict[str, Any],
    ) -> None:
        await store.async_save({"created": True})
        connection.send_result(msg["id"])

    return _ws_created


def dashboard_input(hass: HomeAssistant, entry: Any) -> DashboardInput:
    """Collect the hub's devices and entities (enabled ones) by entity key."""
    ent_reg = er.async_get(hass)
    dev_reg = dr.async_get(hass)
    by_subentry: dict[str | None, dict[str, str]] = {}
    devices: dict[str | None, str | None] = {}
    for ent in er.async_entries_for_config_entry(ent_reg, entry.entry_id):
        if ent.disabled_by is not None:
            continue
        key = _entity_key(ent)
        if key is None:
            continue
        entities = by_subentry.setdefault(ent.config_subentry_id, {})
        entities.setdefault(key, ent.entity_id)
        devices.setdefault(ent.config_subentry_id, ent.device_id)

    def device(subentry_id: str | None, fallback: str) -> DeviceEntities:
        device_id = devices.get(subentry_id)
        found = dev_reg.async_get(device_id) if device_id else None
        name = (found.name_by_user or found.name) if found else None
        return DeviceEntities(
            name=name or fallback,
            entities=by_subentry.get(subentry_id, {}),
            device_id=device_id,
        )

    subentries = sorted(entry.subentries.values(), key=lambda sub: sub.title.lower())
    runner = entry.runtime_data.strategy
    bands = sorted(
        runner.bands if entry.runtime_data.prices.configured else (),
        key=lambda band: (band.min_price is not None, band.min_price or 0.0),
    )
    hub_device = device_by_identifier(dev_reg, (DOMAIN, entry.entry_id), entry.entry_id)
    return DashboardInput(
        hub=DeviceEntities(
            TITLE,
            by_subentry.get(None, {}),
            hub_device.id if hub_device else None,
        ),
        miners=[
            device(sub.subentry_id, sub.title)
            for sub in subentries
            if sub.subentry_type == SUBENTRY_MINER
        ],
        pools=[
            device(sub.subentry_id, sub.title)
            for sub in subentries
            if sub.subentry_type == SUBENTRY_POOL
        ],
        bands=[
            BandInfo(
                name=band_name(band, entry.runtime_data.prices.price_unit) or "",
                min_price=band.min_price,
                max_price=band.max_price,
                off=band.is_off,
            )
            for band in bands
        ],
        price_unit=price_unit_label(hass.config.currency),
    )


def _entity_key(ent: er.RegistryEntry) -> str | None:
    if ent.translation_key:
        return ent.translation_key
    for suffix in SUFFIX_KEYS:
        if ent.unique_id.endswith(f"_{suffix}"):
            return suffix
    return None
