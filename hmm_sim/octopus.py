"""A fake Octopus Energy public API (products and Agile unit rates) on 127.0.0.1.

Shapes follow prices-and-pools.md §2: ``{count, next, previous, results}``
pages, ``next`` an absolute URL back to this server, unit rates newest first
in pence. ``mode`` switches on a failure:

* ``ok`` — normal answers;
* ``stale`` — unit rates three days old, whatever period is asked;
* ``error`` — HTTP ``error_status`` for every request;
* ``malformed`` — a body that is not JSON;
* ``hang`` — never answers;
* ``foreign_next`` — ``next`` points at another host;
* ``loop_next`` — ``next`` always points at page 2 again (endless paging).

``fail_on_page`` makes only that page (1-based) answer ``error_status``.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
import math
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .web import LocalWebService

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

MODES = ("ok", "stale", "error", "malformed", "hang", "foreign_next", "loop_next")
STALE_SHIFT = timedelta(days=3)
SLOT = timedelta(minutes=30)


def _product(
    code: str,
    direction: str,
    available_from: str,
    available_to: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "code": code,
        "direction": direction,
        "full_name": f"{code} (simulated)",
        "display_name": "Agile Octopus" if "AGILE" in code else code,
        "description": "",
        "is_variable": True,
        "is_green": False,
        "is_tracker": False,
        "is_prepay": False,
        "is_business": False,
        "is_restricted": False,
        "term": 12,
        "available_from": available_from,
        "available_to": available_to,
        "links": [],
        "brand": "OCTOPUS_ENERGY",
        **extra,
    }


def default_products() -> list[dict[str, Any]]:
    """Return a product list with traps around the one current Agile import.

    An old AGILE-FLEX, export tariffs (one newer than any import), the current
    AGILE-24-10-01, a business Agile, a future Agile and two non-Agile ones.
    """
    return [
        _product("VAR-22-11-01", "IMPORT", "2022-11-01T00:00:00Z"),
        _product("AGILE-FLEX-22-11-25", "IMPORT", "2022-11-25T00:00:00Z"),
        _product("AGILE-OUTGOING-19-05-13", "EXPORT", "2019-05-13T00:00:00+01:00"),
        _product("AGILE-OUTGOING-BB-25-06-01", "EXPORT", "2025-06-01T00:00:00+01:00"),
        _product("AGILE-24-10-01", "IMPORT", "2024-10-01T00:00:00+01:00"),
        _product(
            "AGILE-BB-25-02-01", "IMPORT", "2025-02-01T00:00:00Z", is_business=True
        ),
        _product("AGILE-30-01-01", "IMPORT", "2030-01-01T00:00:00Z"),
        _product("GO-VAR-22-10-14", "IMPORT", "2022-10-14T00:00:00+01:00"),
    ]


def agile_price(start: datetime) -> float:
    """A plausible Agile curve: cheap nights, a 16:00-19:00 peak (pence)."""
    hour = start.hour + start.minute / 60
    base = 14 + 8 * math.sin((hour - 9) / 24 * 2 * math.pi)
    return round(base + (12 if 16 <= hour < 19 else 0), 2)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class OctopusAPISimulator(LocalWebService):
    """The fake API; ``async with`` it, then point a client at :attr:`base_url`."""

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, page_size: int = 100
    ) -> None:
        """Configure; ``page_size`` is the server's own cap per page."""
        super().__init__(host=host, port=port)
        self.page_size = page_size
        self.products = default_products()
        self.rates: dict[str, list[dict[str, Any]]] = {}  # tariff code -> items
        self.mode = "ok"
        self.error_status = 503
        self.fail_on_page: int | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []

    def set_rates(
        self,
        product: str,
        region: str,
        slots: Iterable[tuple[datetime, datetime, float]],
    ) -> None:
        """Serve these (start, end, pence inc VAT) for ``E-1R-{product}-{region}``."""
        self.rates[f"E-1R-{product}-{region}"] = [
            {
                "value_exc_vat": round(price / 1.05, 4),
                "value_inc_vat": price,
                "valid_from": _iso(start),
                "valid_to": _iso(end),
                "payment_method": None,
            }
            for start, end, price in slots
        ]

    def generate_rates(
        self,
        product: str,
        region: str,
        start: datetime,
        end: datetime,
        price: Callable[[datetime], float] = agile_price,
    ) -> None:
        """Serve half-hour slots from ``start`` to ``end`` priced by ``price``."""
        slots = []
        moment = start
        while moment < end:
            slots.append((moment, moment + SLOT, price(moment)))
            moment += SLOT
        self.set_rates(product, region, slots)

    def _routes(self, app: web.Application) -> None:
        app.router.add_get("/v1/products/", self._products)
        app.router.add_get(
            "/v1/products/{product}/electricity-tariffs/{tariff}/standard-unit-rates/",
            self._unit_rates,
        )

    async def _failure(self, request: web.Request) -> web.Response | None:
        self.requests.append((request.path, dict(request.query)))
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "error":
            return web.Response(status=self.error_status, text="Service Unavailable")
        if self.mode == "malformed":
            return web.Response(text="{'results': [", content_type="application/json")
        page = int(request.query.get("page", "1"))
        if self.fail_on_page is not None and page == self.fail_on_page:
            return web.Response(status=self.error_status, text="Service Unavailable")
        return None

    def _page(self, request: web.Request, items: list[dict[str, Any]]) -> web.Response:
        page = max(int(request.query.get("page", "1")), 1)
        asked = int(request.query.get("page_size", str(self.page_size)))
        size = max(1, min(asked, self.page_size))
        first = (page - 1) * size
        chunk = items[first : first + size]
        next_url: str | None = None
        if first + size < len(items):
            next_url = str(request.url.update_query(page=str(page + 1)))
        if self.mode == "foreign_next":
            next_url = "http://203.0.113.9/v1/products/?page=2"
        elif self.mode == "loop_next":
            next_url = str(request.url.update_query(page="2"))
        previous = (
            str(request.url.update_query(page=str(page - 1))) if page > 1 else None
        )
        body = {
            "count": len(items),
            "next": next_url,
            "previous": previous,
            "results": chunk,
        }
        return web.Response(text=json.dumps(body), content_type="application/json")

    async def _products(self, request: web.Request) -> web.Response:
        failure = await self._failure(request)
        if failure is not None:
            return failure
        return self._page(request, self.products)

    async def _unit_rates(self, request: web.Request) -> web.Response:
        failure = await self._failure(request)
        if failure is not None:
            return failure
        product = request.match_info["product"]
        tariff = request.match_info["tariff"]
        known = {p["code"] for p in self.products}
        if product not in known or tariff not in self.rates:
            return web.Response(
                status=404,
                text=json.dumps({"detail": "Not found."}),
                content_type="application/json",
            )
        if not tariff.startswith(f"E-1R-{product}-"):
            return web.Response(status=400, text="tariff does not match product")
        items = self.rates[tariff]
        if self.mode == "stale":
            items = [_shift(item, -STALE_SHIFT) for item in items]
        else:
            period_from = _parse(request.query.get("period_from"))
            period_to = _parse(request.query.get("period_to"))
            items = [i for i in items if _overlaps(i, period_from, period_to)]
        items = sorted(items, key=lambda item: item["valid_from"], reverse=True)
        return self._page(request, items)


def _overlaps(
    item: dict[str, Any], period_from: datetime | None, period_to: datetime | None
) -> bool:
    start, end = _parse(item["valid_from"]), _parse(item["valid_to"])
    if start is None or end is None:
        return True  # let clients see (and skip) broken items
    return (period_from is None or end > period_from) and (
        period_to is None or start < period_to
    )


def _shift(item: dict[str, Any], delta: timedelta) -> dict[str, Any]:
    shifted = dict(item)
    for key in ("valid_from", "valid_to"):
        moment = _parse(item[key])
        if moment is not None:
            shifted[key] = _iso(moment + delta)
    return shifted
