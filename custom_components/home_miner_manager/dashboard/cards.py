"""Build the dashboard's Lovelace configuration from :class:`DashboardInput`.

Only Home Assistant's built-in cards (entities, glance, gauge, history-graph,
statistics-graph, markdown, calendar, logbook), so nothing has to be installed
from HACS. A row or card whose entity does not exist is left out, never shown
as "entity not available".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .model import BandInfo, DashboardInput, DeviceEntities

TITLE: Final = "Home Miner Manager"

Card = dict[str, Any]

# One tile per miner: what a glance at the fleet needs, in this order.
MINER_ROWS: Final = (
    "status",
    "strategy_reason",
    "hashrate",
    "temperature",
    "power",
    "mode",
    "pool",
    "pool_in_use",
    "health",
)
HUB_SUMMARY: Final = (
    "miners_not_mining",
    "agile_strategy",
    "price_band",
    "current_price",
    "cost_today",
    "cost_month",
    "best_share",
)
PRICE_ROWS: Final = (
    "current_price",
    "next_price",
    "today_min_price",
    "today_average_price",
    "today_max_price",
    "price_band",
    "next_band_change",
)
SHARE_ROWS: Final = ("best_share_ever", "best_difficulty", "block_chance_today")
POOL_ROWS: Final = (
    "reachable",
    "health_score",
    "pool_miners",
    "best_share_round",
    "network_difficulty",
)

# Short row names: a card's title already names the miner or the hub.
ROW_NAMES: Final = {
    "status": "Status",
    "strategy_reason": "Strategy",
    "hashrate": "Hashrate",
    "temperature": "Temperature",
    "power": "Power",
    "mode": "Mode",
    "pool": "Pool",
    "pool_in_use": "Pool in use",
    "health": "Health",
    "miners_not_mining": "Not mining",
    "agile_strategy": "Strategy",
    "price_band": "Band",
    "current_price": "Price now",
    "next_price": "Next half hour",
    "today_min_price": "Lowest today",
    "today_average_price": "Average today",
    "today_max_price": "Highest today",
    "next_band_change": "Next band change",
    "cost_today": "Cost today",
    "cost_month": "Cost this month",
    "best_share": "Best share",
    "best_share_ever": "Best share ever",
    "best_difficulty": "Best difficulty",
    "block_chance_today": "Block chance today",
    "reachable": "Reachable",
    "health_score": "Health",
    "pool_miners": "Miners",
    "best_share_round": "Best share this round",
    "network_difficulty": "Network difficulty",
}

# Band colours, cheapest first; a band that switches miners off is red.
MINING_COLOURS: Final = (
    ("🟦", "#039be5"),
    ("🟩", "#43a047"),
    ("🟨", "#fdd835"),
    ("🟧", "#fb8c00"),
)
OFF_COLOUR: Final = ("🟥", "#e53935")
UNKNOWN_MARK: Final = "⬜"


def build_dashboard(data: DashboardInput) -> dict[str, Any]:
    """Return the dashboard's configuration (``{"title", "views"}``)."""
    views = [_fleet_view(data)]
    prices = _prices_view(data)
    if prices is not None:
        views.append(prices)
    views.append(_costs_view(data))
    views.append(_shares_view(data))
    return {"title": TITLE, "views": views}


def band_colours(bands: list[BandInfo] | tuple[BandInfo, ...]) -> list[tuple[str, str]]:
    """Return (emoji, hex colour) per band, in the bands' order."""
    colours: list[tuple[str, str]] = []
    mining = 0
    for band in bands:
        if band.off:
            colours.append(OFF_COLOUR)
        else:
            colours.append(MINING_COLOURS[min(mining, len(MINING_COLOURS) - 1)])
            mining += 1
    return colours


def _entities_card(
    title: str | None, device: DeviceEntities, keys: tuple[str, ...]
) -> Card | None:
    rows = [_row(key, entity) for key in keys if (entity := device.get(key))]
    if not rows:
        return None
    card: Card = {"type": "entities", "entities": rows, "state_color": True}
    if title:
        card["title"] = title
    return card


def _row(key: str, entity: str) -> dict[str, str]:
    name = ROW_NAMES.get(key)
    return {"entity": entity, "name": name} if name else {"entity": entity}


def _present(cards: list[Card | None]) -> list[Card]:
    return [card for card in cards if card is not None]


def _fleet_view(data: DashboardInput) -> Card:
    summary = [
        _row(key, entity) for key in HUB_SUMMARY if (entity := data.hub.get(key))
    ]
    cards: list[Card | None] = []
    if summary:
        cards.append(
            {"type": "glance", "title": "Fleet", "entities": summary, "columns": 4}
        )
    cards.extend(_entities_card(miner.name, miner, MINER_ROWS) for miner in data.miners)
    if not data.miners:
        cards.append(
            {
                "type": "markdown",
                "content": "No miner yet: add one from **Settings → Devices & "
                "services → Home Miner Manager → Add miner**.",
            }
        )
    hashrates = [miner.get("hashrate") for miner in data.miners]
    if any(hashrates):
        cards.append(
            {
                "type": "history-graph",
                "title": "Hashrate",
                "hours_to_show": 24,
                "entities": [entity for entity in hashrates if entity],
            }
        )
    return {
        "title": "Fleet",
        "path": "fleet",
        "icon": "mdi:pickaxe",
        "cards": _present(cards),
    }


def _prices_view(data: DashboardInput) -> Card | None:
    price = data.hub.get("current_price")
    plan = data.hub.get("strategy_plan")
    if price is None and plan is None:
        return None
    cards: list[Card | None] = []
    if price is not None:
        cards.append(_price_gauge(price, data))
    cards.append(_entities_card("Prices", data.hub, PRICE_ROWS))
    if price is not None:
        cards.append(_plan_markdown(price, data))
    if plan is not None:
        cards.append(
            {
                "type": "calendar",
                "title": "Strategy plan",
                "initial_view": "listWeek",
                "entities": [plan],
            }
        )
    if price is not None:
        cards.append(
            {
                "type": "history-graph",
                "title": "Price, last 48 hours",
                "hours_to_show": 48,
                "entities": [price],
            }
        )
    return {
        "title": "Prices & plan",
        "path": "prices",
        "icon": "mdi:cash-clock",
        "cards": _present(cards),
    }


def _price_gauge(price: str, data: DashboardInput) -> Card:
    card: Card = {
        "type": "gauge",
        "name": "Price now",
        "entity": price,
        "needle": True,
        "min": -10,
        "max": 40,
    }
    colours = band_colours(tuple(data.bands))
    segments = [
        {"from": band.min_price if band.min_price is not None else -100, "color": hex_}
        for band, (_, hex_) in zip(data.bands, colours, strict=True)
    ]
    if segments:
        card["segments"] = sorted(segments, key=lambda seg: float(seg["from"]))
    return card


def _jinja(value: float | None) -> str:
    return "none" if value is None else repr(float(value))


def _plan_markdown(price: str, data: DashboardInput) -> Card:
    """Today's and tomorrow's slots, runs of one band on one line each.

    Reads the price sensor's ``upcoming`` attribute; the bands are baked into
    the template (the dashboard is generated again whenever it is opened).
    """
    colours = band_colours(tuple(data.bands))
    bands = ", ".join(
        f"[{_jinja(b.min_price)}, {_jinja(b.max_price)}, {emoji!r}, {b.name!r}]"
        for b, (emoji, _) in zip(data.bands, colours, strict=True)
    )
    unit = data.price_unit
    content = (
        "{% set bands = [" + bands + "] %}\n"
        "{% set ns = namespace(rows=[], key=none, first=none, last=none,"
        " lo=none, hi=none) %}\n"
        f"{{% for s in (state_attr('{price}', 'upcoming') or []) + [none] %}}"
        "{% set m = namespace(mark='" + UNKNOWN_MARK + "', name='') %}"
        "{% if s is not none %}{% for b in bands %}"
        "{% if (b[0] is none or s.price >= b[0]) and (b[1] is none or s.price < b[1])"
        " %}{% set m.mark = b[2] %}{% set m.name = b[3] %}{% endif %}"
        "{% endfor %}{% endif %}"
        "{% set key = m.mark ~ m.name ~ (as_timestamp(s.start) | timestamp_custom("
        "'%a') if s is not none else '') %}"
        "{% if ns.key is not none and (s is none or key != ns.key) %}"
        "{% set ns.rows = ns.rows + [ns.first ~ '\u2013' ~ ns.last ~ ' | ' ~ ns.mark"
        " ~ ' ' ~ ns.name ~ ' | ' ~ ns.lo ~ ('\u2013' ~ ns.hi if ns.hi != ns.lo"
        " else '')] %}"
        "{% set ns.key = none %}{% endif %}"
        "{% if s is not none %}"
        "{% if ns.key is none %}{% set ns.key = key %}"
        "{% set ns.first = as_timestamp(s.start) | timestamp_custom('%a %H:%M') %}"
        "{% set ns.lo = s.price %}{% set ns.hi = s.price %}"
        "{% set ns.mark = m.mark %}{% set ns.name = m.name %}{% endif %}"
        "{% set ns.last = as_timestamp(s.end) | timestamp_custom('%H:%M') %}"
        "{% set ns.lo = [ns.lo, s.price] | min %}"
        "{% set ns.hi = [ns.hi, s.price] | max %}"
        "{% endif %}{% endfor %}\n"
        "{% if ns.rows %}\n"
        "Bands of the price; the calendar shows what the strategy will do.\n\n"
        f"| When | Band | {unit} |\n|:--|:--|--:|\n"
        "{% for row in ns.rows %}| {{ row }} |\n{% endfor %}"
        "{% else %}No prices known ahead yet.{% endif %}"
    )
    return {"type": "markdown", "title": "Today and tomorrow", "content": content}


def _costs_view(data: DashboardInput) -> Card:
    rows: list[Any] = []
    for miner in data.miners:
        for key, label in (("cost_today", "today"), ("cost_month", "this month")):
            entity = miner.get(key)
            if entity:
                rows.append({"entity": entity, "name": f"{miner.name} {label}"})
    cards: list[Card | None] = [
        _entities_card("Total", data.hub, ("cost_today", "cost_month")),
        {"type": "entities", "title": "Per miner", "entities": rows} if rows else None,
    ]
    powers = [entity for miner in data.miners if (entity := miner.get("power"))]
    if powers:
        cards.append(
            {
                "type": "history-graph",
                "title": "Power",
                "hours_to_show": 24,
                "entities": powers,
            }
        )
    energies = [entity for miner in data.miners if (entity := miner.get("energy"))]
    if energies:
        cards.append(
            {
                "type": "statistics-graph",
                "title": "Energy per day",
                "entities": energies,
                "period": "day",
                "days_to_show": 7,
                "stat_types": ["change"],
                "chart_type": "bar",
            }
        )
    return {
        "title": "Costs",
        "path": "costs",
        "icon": "mdi:cash-multiple",
        "cards": _present(cards),
    }


def _shares_view(data: DashboardInput) -> Card:
    cards: list[Card | None] = [_entities_card("Fleet", data.hub, ("best_share",))]
    cards.extend(_entities_card(miner.name, miner, SHARE_ROWS) for miner in data.miners)
    cards.extend(_entities_card(pool.name, pool, POOL_ROWS) for pool in data.pools)
    devices = [
        device.device_id
        for device in (data.hub, *data.miners)
        if device.device_id is not None
    ]
    if devices:
        # Alerts, strategy moves and restarts land in the devices' logbooks.
        cards.append(
            {
                "type": "logbook",
                "title": "Alerts and events",
                "hours_to_show": 48,
                "target": {"device_id": devices},
            }
        )
    return {
        "title": "Shares & alerts",
        "path": "shares",
        "icon": "mdi:trophy",
        "cards": _present(cards),
    }
