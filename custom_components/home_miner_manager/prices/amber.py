"""Home Assistant core Amber Electric: its price and forecast sensors.

``sensor.{site}_general_forecast`` (unique id ``{site_id}-forecasts-general``)
has ``forecasts``: items with ``start_time``/``end_time`` (ISO, Amber's
starts are one second past the boundary), ``per_kwh`` in **$/kWh** (AUD,
rounded to the cent), ``duration`` (minutes: 5 or 30) and ``channel_type``.
The forecast starts after the current interval, which is the
``sensor.{site}_general_price`` (``{site_id}-current-general``): the same
fields as plain attributes. ``feed_in`` prices are what the grid pays: refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from .tariff_items import ParsedPrices, combine, parse_list

if TYPE_CHECKING:
    from collections.abc import Mapping

DOMAIN: Final = "amberelectric"
FEED_IN: Final = "feedIn"


def site_channel(unique_id: str) -> tuple[str, str] | None:
    """``01FG…-forecasts-general`` → (site id, channel)."""
    for key in ("-forecasts-", "-current-", "-descriptors-"):
        site, sep, channel = unique_id.partition(key)
        if sep and site and channel:
            return site, channel
    return None


def parse_attributes(
    forecast: Mapping[str, Any] | None,
    current: Mapping[str, Any] | None,
    factor: float,
) -> ParsedPrices:
    """Read the forecast list and the price sensor's interval (current first)."""
    channels = {
        attrs.get("channel_type") for attrs in (forecast, current) if attrs is not None
    }
    if FEED_IN in channels:
        return ParsedPrices(problem="export_entity")
    parts = []
    if current is not None and "per_kwh" in current:
        parts.append(_parse([dict(current)], factor))
    if forecast is not None:
        parts.append(_parse(forecast.get("forecasts"), factor))
    return combine(*parts)


def _parse(items: object, factor: float) -> ParsedPrices:
    parsed = parse_list(
        items,
        factor,
        start_key="start_time",
        end_key="end_time",
        duration_key="duration",
        price_key="per_kwh",
    )
    # 08:30:01 → 08:30:00: slots meet at the boundary, like every other source.
    slots = [
        type(slot)(
            slot.start.replace(second=0, microsecond=0), slot.end, slot.price_pence
        )
        for slot in parsed.slots
    ]
    return ParsedPrices(slots, parsed.skipped, parsed.problem)
