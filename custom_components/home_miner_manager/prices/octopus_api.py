"""Octopus Energy public API client for Agile unit rates (no account needed).

Fixes upstream's mistakes: the product is discovered (not hard-coded), the
request names a period (today 00:00 UK to the end of tomorrow) and every page
is read by following ``next``; stale answers are refused. Values are already
pence per kWh.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
import json
import math
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import aiohttp
from yarl import URL

from .octopus_entity import REGIONS, parse_time
from .slots import PriceSlot, merge_slots

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

DEFAULT_BASE_URL: Final = "https://api.octopus.energy"
FALLBACK_PRODUCT: Final = "AGILE-24-10-01"
UK: Final = ZoneInfo("Europe/London")
STALE_AFTER: Final = timedelta(hours=12)
REFRESH_INTERVAL: Final = timedelta(minutes=30)
PUBLISH_RETRY: Final = timedelta(minutes=5)
PUBLISH_TIME: Final = time(16, 0)  # tomorrow's Agile prices appear around then
DEFAULT_PAGE_SIZE: Final = 1500
DEFAULT_MAX_PAGES: Final = 10


class OctopusError(Exception):
    """Base of every error this client raises."""


class OctopusConnectionError(OctopusError):
    """The API could not be reached or did not answer in time."""


class OctopusResponseError(OctopusError):
    """The API answered with an error status or something we cannot read."""


class OctopusStaleError(OctopusError):
    """The API answered, but with no rates or only old ones."""


class OctopusProductNotFoundError(OctopusError):
    """No current Agile import product is listed."""


class InvalidRegionError(OctopusError, ValueError):
    """Not a grid supply point letter (A-P without I and O)."""


@dataclass(frozen=True, slots=True)
class AgileRates:
    """One successful fetch."""

    product: str
    region: str
    slots: list[PriceSlot]
    skipped: int  # malformed result items left out


def validate_region(region: object) -> str:
    """Return the upper-case region letter or raise :class:`InvalidRegionError`."""
    letter = region.strip().upper() if isinstance(region, str) else ""
    if len(letter) != 1 or letter not in REGIONS:
        raise InvalidRegionError(f"invalid Octopus region: {region!r}")
    return letter


def tariff_code(product: str, region: str) -> str:
    """``AGILE-24-10-01`` + ``C`` → ``E-1R-AGILE-24-10-01-C``."""
    return f"E-1R-{product}-{validate_region(region)}"


def api_time(moment: datetime) -> str:
    """UTC in the form the API expects: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def uk_midnight(moment: datetime, days_ahead: int = 0) -> datetime:
    """Midnight UK time of ``moment``'s UK date plus ``days_ahead``, in UTC."""
    day = moment.astimezone(UK).date() + timedelta(days=days_ahead)
    return datetime.combine(day, time(0), tzinfo=UK).astimezone(UTC)


def rates_window(now: datetime) -> tuple[datetime, datetime]:
    """Today 00:00 UK → end of tomorrow UK, as UTC (DST days have 46/50 slots)."""
    return uk_midnight(now), uk_midnight(now, 2)


def covers_tomorrow(slots: Iterable[PriceSlot], now: datetime) -> bool:
    """Return True once any slot of tomorrow (UK) is known."""
    tomorrow = uk_midnight(now, 1)
    return any(slot.start >= tomorrow for slot in slots)


def next_refresh_at(
    now: datetime,
    last_refresh: datetime | None,
    has_tomorrow: bool,
    *,
    interval: timedelta = REFRESH_INTERVAL,
    publish_retry: timedelta = PUBLISH_RETRY,
) -> datetime:
    """Return when to fetch next.

    Every ``interval``; from 16:00 UK until tomorrow's prices appear, at once
    and then every ``publish_retry``.
    """
    if last_refresh is None:
        return now
    regular = last_refresh + interval
    if has_tomorrow:
        return regular
    local = now.astimezone(UK)
    publish = datetime.combine(local.date(), PUBLISH_TIME, tzinfo=UK).astimezone(UTC)
    if now < publish:
        return min(regular, publish)
    if last_refresh < publish:
        return now  # the first look after 16:00 goes right away
    return min(regular, last_refresh + publish_retry)


def should_refresh(
    now: datetime, last_refresh: datetime | None, has_tomorrow: bool
) -> bool:
    """Return True when :func:`next_refresh_at` has come."""
    return now >= next_refresh_at(now, last_refresh, has_tomorrow)


def pick_agile_product(results: Iterable[object], now: datetime) -> str | None:
    """Pick the newest current AGILE import product code from ``products`` results."""
    best: tuple[datetime, str] | None = None
    for item in results:
        if not isinstance(item, dict):
            continue
        code = item.get("code")
        if not isinstance(code, str) or not code.startswith("AGILE-"):
            continue
        if "OUTGOING" in code or item.get("direction") != "IMPORT":
            continue  # export tariffs pay for exports, they do not price imports
        if item.get("is_business") is True or item.get("is_prepay") is True:
            continue
        available_from = parse_time(item.get("available_from"))
        available_to = parse_time(item.get("available_to"))
        if available_from is None or available_from > now:
            continue
        if item.get("available_to") is not None and (
            available_to is None or available_to <= now
        ):
            continue
        if best is None or available_from > best[0]:
            best = (available_from, code)
    return None if best is None else best[1]


def parse_unit_rates(results: Iterable[object]) -> tuple[list[PriceSlot], int]:
    """Turn API result items into (slots, skipped); values are pence already."""
    slots: list[PriceSlot] = []
    skipped = 0
    for item in results:
        slot = _unit_rate(item)
        if slot is None:
            skipped += 1
        else:
            slots.append(slot)
    return merge_slots(slots), skipped


def _unit_rate(item: object) -> PriceSlot | None:
    if not isinstance(item, dict):
        return None
    start = parse_time(item.get("valid_from"))
    end = parse_time(item.get("valid_to"))
    value = item.get("value_inc_vat")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if start is None or end is None or end <= start or not math.isfinite(value):
        return None
    return PriceSlot(start, end, float(value))


class OctopusAgileClient:
    """Reads Agile products and unit rates; the aiohttp session belongs to the caller."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 10.0,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        """Configure; nothing is fetched yet."""
        self._session = session
        self._base = URL(base_url.rstrip("/"))
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._page_size = page_size
        self._max_pages = max_pages

    async def async_find_product(self, now: datetime) -> str:
        """Discover the current Agile import product code."""
        results = await self._all_results(
            self._base / "v1" / "products" / "",
            {"brand": "OCTOPUS_ENERGY", "is_variable": "true"},
        )
        product = pick_agile_product(results, now)
        if product is None:
            raise OctopusProductNotFoundError("no current AGILE import product")
        return product

    async def async_unit_rates(
        self, region: str, now: datetime, product: str | None = None
    ) -> AgileRates:
        """Today's and tomorrow's unit rates for ``region`` (product discovered if None)."""
        letter = validate_region(region)
        product = product or await self.async_find_product(now)
        period_from, period_to = rates_window(now)
        url = (
            self._base
            / "v1"
            / "products"
            / product
            / "electricity-tariffs"
            / tariff_code(product, letter)
            / "standard-unit-rates"
            / ""
        )
        results = await self._all_results(
            url,
            {
                "period_from": api_time(period_from),
                "period_to": api_time(period_to),
                "page_size": str(self._page_size),
            },
        )
        slots, skipped = parse_unit_rates(results)
        if not slots:
            raise OctopusStaleError(f"no unit rates for {product} region {letter}")
        newest = max(slot.end for slot in slots)
        if newest < now - STALE_AFTER:
            raise OctopusStaleError(f"newest rate ends {newest.isoformat()}: stale")
        return AgileRates(product, letter, slots, skipped)

    async def _all_results(self, url: URL, params: Mapping[str, str]) -> list[object]:
        """Follow ``next`` links (same origin only, bounded) and join ``results``."""
        results: list[object] = []
        next_url: URL | None = url.with_query(params)
        pages = 0
        while next_url is not None:
            if pages >= self._max_pages:
                raise OctopusResponseError(f"more than {self._max_pages} pages")
            payload = await self._get_json(next_url)
            pages += 1
            page = payload.get("results")
            if not isinstance(page, list):
                raise OctopusResponseError("answer without a results list")
            results.extend(page)
            next_url = self._next_url(payload.get("next"))
        return results

    def _next_url(self, raw: object) -> URL | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise OctopusResponseError("next link is not a string")
        link = URL(raw)
        if not link.is_absolute():
            link = self._base.join(link)
        if link.origin() != self._base.origin():
            # Never let an answer send us (and our session) to another host.
            raise OctopusResponseError(f"next link leaves the API: {raw}")
        return link

    async def _get_json(self, url: URL) -> dict[str, Any]:
        try:
            async with self._session.get(
                url, timeout=self._timeout, headers={"Accept": "application/json"}
            ) as response:
                body = await response.text()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            raise OctopusConnectionError(f"{url.path}: {err!r}") from err
        if status != 200:
            raise OctopusResponseError(f"{url.path}: HTTP {status}")
        try:
            payload = json.loads(body)
        except ValueError as err:
            raise OctopusResponseError(f"{url.path}: not JSON") from err
        if not isinstance(payload, dict):
            raise OctopusResponseError(f"{url.path}: not a JSON object")
        return payload


class OctopusApiSource:
    """:class:`~.slots.PriceSource` over the public API for one region."""

    name = "octopus_api"

    def __init__(
        self, client: OctopusAgileClient, region: str, product: str | None = None
    ) -> None:
        """``product`` None: discovered on the first fetch and kept."""
        self._client = client
        self.region = validate_region(region)
        self.product = product
        self.last: AgileRates | None = None

    async def async_slots(self, now: datetime) -> list[PriceSlot]:
        """Fetch the rates window around ``now``."""
        self.last = await self._client.async_unit_rates(self.region, now, self.product)
        self.product = self.last.product
        return self.last.slots
