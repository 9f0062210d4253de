"""The Octopus public API client against the fake API server (hmm_sim.octopus)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.home_miner_manager.prices.octopus_api import (
    InvalidRegionError,
    OctopusAgileClient,
    OctopusApiSource,
    OctopusConnectionError,
    OctopusProductNotFoundError,
    OctopusResponseError,
    OctopusStaleError,
    api_time,
    covers_tomorrow,
    next_refresh_at,
    pick_agile_product,
    rates_window,
    should_refresh,
    tariff_code,
    validate_region,
)
from custom_components.home_miner_manager.prices.slots import PriceSlot
from hmm_sim.octopus import OctopusAPISimulator, agile_price

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # GMT: UK day = UTC day
PRODUCT = "AGILE-24-10-01"
RATES_PATH = (
    f"/v1/products/{PRODUCT}/electricity-tariffs/E-1R-{PRODUCT}-C/standard-unit-rates/"
)


def _publish(sim: OctopusAPISimulator, region: str = "C") -> None:
    """Yesterday 23:00 to tomorrow 23:00 UK, as Agile publishes after 16:00."""
    sim.generate_rates(
        PRODUCT,
        region,
        datetime(2026, 11, 18, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 21, 23, 0, tzinfo=UTC),
    )


def _client(
    sim: OctopusAPISimulator, session: aiohttp.ClientSession, **kwargs: float
) -> OctopusAgileClient:
    return OctopusAgileClient(session, sim.base_url, **kwargs)  # type: ignore[arg-type]


async def test_discovers_current_agile_import(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    product = await _client(octopus_sim, sim_session).async_find_product(NOW)
    assert product == PRODUCT
    path, query = octopus_sim.requests[0]
    assert path == "/v1/products/"
    assert query == {"brand": "OCTOPUS_ENERGY", "is_variable": "true"}


async def test_discovery_follows_product_pages(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    octopus_sim.page_size = 3  # 8 products: three pages, the Agile on page 2
    assert await _client(octopus_sim, sim_session).async_find_product(NOW) == PRODUCT
    assert [q.get("page", "1") for _, q in octopus_sim.requests] == ["1", "2", "3"]


async def test_no_current_agile_product(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    octopus_sim.products = [
        p
        for p in octopus_sim.products
        if p["direction"] == "EXPORT"
        or not p["code"].startswith("AGILE-")
        or p["code"] == "AGILE-30-01-01"
    ]
    with pytest.raises(OctopusProductNotFoundError):
        await _client(octopus_sim, sim_session).async_find_product(NOW)


def test_pick_product_rules() -> None:
    def item(
        code: str, frm: str, to: str | None = None, direction: str = "IMPORT"
    ) -> dict[str, object]:
        return {
            "code": code,
            "direction": direction,
            "available_from": frm,
            "available_to": to,
        }

    results = [
        item("AGILE-FLEX-22-11-25", "2022-11-25T00:00:00Z"),
        item(
            "AGILE-24-10-01", "2024-10-01T00:00:00+01:00", "2026-11-01T00:00:00Z"
        ),  # withdrawn
        item("AGILE-OUTGOING-19-05-13", "2026-01-01T00:00:00Z", direction="EXPORT"),
        item("AGILE-OUTGOING-X", "2026-01-01T00:00:00Z"),  # mislabelled export
        item("AGILE-26-12-01", "2026-12-01T00:00:00Z"),  # not yet
        item("AGILE-BROKEN", "soon"),
        "garbage",
    ]
    assert pick_agile_product(results, NOW) == "AGILE-FLEX-22-11-25"
    assert (
        pick_agile_product(results, datetime(2026, 10, 1, tzinfo=UTC))
        == "AGILE-24-10-01"
    )
    assert pick_agile_product([], NOW) is None


async def test_unit_rates_all_pages_in_window(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    _publish(octopus_sim)
    octopus_sim.page_size = 25
    rates = await _client(octopus_sim, sim_session).async_unit_rates("c", NOW, PRODUCT)
    assert (rates.product, rates.region, rates.skipped) == (PRODUCT, "C", 0)
    # Today 00:00 to tomorrow 23:00 (the last published slot): 94 slots.
    assert len(rates.slots) == 94
    assert rates.slots[0].start == datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert rates.slots[-1].end == datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    assert all(
        a.end == b.start for a, b in zip(rates.slots, rates.slots[1:], strict=False)
    )
    assert rates.slots[34].price_pence == agile_price(
        rates.slots[34].start
    )  # pence as served
    pages = [q for p, q in octopus_sim.requests if p == RATES_PATH]
    assert len(pages) == 4
    assert pages[0] == {
        "period_from": "2026-11-20T00:00:00Z",
        "period_to": "2026-11-22T00:00:00Z",
        "page_size": "1500",
    }
    assert [q.get("page") for q in pages[1:]] == ["2", "3", "4"]
    assert all(q["period_from"] == "2026-11-20T00:00:00Z" for q in pages)


async def test_source_discovers_product_once(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    _publish(octopus_sim, "P")
    source = OctopusApiSource(_client(octopus_sim, sim_session), "p")
    first = await source.async_slots(NOW)
    second = await source.async_slots(NOW + timedelta(minutes=30))
    assert first == second
    assert len(first) == 94
    assert source.product == PRODUCT
    assert sum(1 for p, _ in octopus_sim.requests if p == "/v1/products/") == 1


async def test_malformed_rate_items_are_skipped(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    _publish(octopus_sim)
    items = octopus_sim.rates[f"E-1R-{PRODUCT}-C"]
    assert items[60]["valid_from"] == "2026-11-20T05:00:00Z"  # inside the window
    items[60]["value_inc_vat"] = None
    items[61]["valid_to"] = items[61]["valid_from"]
    items[62]["valid_from"] = "not a time"
    items[63]["value_inc_vat"] = "12.5"
    rates = await _client(octopus_sim, sim_session).async_unit_rates("C", NOW, PRODUCT)
    assert rates.skipped == 4
    assert len(rates.slots) == 94 - 4
    assert datetime(2026, 11, 20, 5, 0, tzinfo=UTC) not in {
        s.start for s in rates.slots
    }


async def test_stale_answer_is_refused(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    _publish(octopus_sim)
    octopus_sim.mode = "stale"
    with pytest.raises(OctopusStaleError, match="stale"):
        await _client(octopus_sim, sim_session).async_unit_rates("C", NOW, PRODUCT)


@pytest.mark.parametrize(
    ("newest_end", "stale"),
    [(NOW - timedelta(hours=12, seconds=1), True), (NOW - timedelta(hours=11), False)],
)
async def test_stale_boundary(
    octopus_sim: OctopusAPISimulator,
    sim_session: aiohttp.ClientSession,
    newest_end: datetime,
    stale: bool,
) -> None:
    start = newest_end - timedelta(minutes=30)
    octopus_sim.set_rates(PRODUCT, "C", [(start, newest_end, 12.5)])
    client = _client(octopus_sim, sim_session)
    if stale:
        with pytest.raises(OctopusStaleError):
            await client.async_unit_rates("C", NOW, PRODUCT)
    else:
        rates = await client.async_unit_rates("C", NOW, PRODUCT)
        assert [s.price_pence for s in rates.slots] == [12.5]


async def test_no_rates_in_window_is_stale(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    octopus_sim.set_rates(PRODUCT, "C", [])
    with pytest.raises(OctopusStaleError, match="no unit rates"):
        await _client(octopus_sim, sim_session).async_unit_rates("C", NOW, PRODUCT)


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("error", OctopusResponseError),
        ("malformed", OctopusResponseError),
        ("foreign_next", OctopusResponseError),
    ],
)
async def test_failures_are_typed(
    octopus_sim: OctopusAPISimulator,
    sim_session: aiohttp.ClientSession,
    mode: str,
    error: type[Exception],
) -> None:
    _publish(octopus_sim)
    octopus_sim.mode = mode
    with pytest.raises(error):
        await _client(octopus_sim, sim_session).async_unit_rates("C", NOW, PRODUCT)
    # A next link to another host is refused before it is followed.
    assert all(p.startswith("/v1/") for p, _ in octopus_sim.requests)
    assert len(octopus_sim.requests) == 1


async def test_failing_second_page_fails_the_fetch(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    _publish(octopus_sim)
    octopus_sim.page_size = 50
    octopus_sim.fail_on_page = 2
    with pytest.raises(OctopusResponseError, match="503"):
        await _client(octopus_sim, sim_session).async_unit_rates("C", NOW, PRODUCT)


async def test_endless_paging_is_bounded(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    _publish(octopus_sim)
    octopus_sim.mode = "loop_next"
    client = OctopusAgileClient(sim_session, octopus_sim.base_url, max_pages=5)
    with pytest.raises(OctopusResponseError, match="more than 5 pages"):
        await client.async_unit_rates("C", NOW, PRODUCT)
    assert len(octopus_sim.requests) == 5


async def test_unknown_product_is_an_error(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    with pytest.raises(OctopusResponseError, match="404"):
        await _client(octopus_sim, sim_session).async_unit_rates("C", NOW, "AGILE-NOPE")


async def test_hang_and_refused_are_connection_errors(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession
) -> None:
    octopus_sim.mode = "hang"
    client = _client(octopus_sim, sim_session, timeout=0.2)
    with pytest.raises(OctopusConnectionError):
        await client.async_find_product(NOW)
    await octopus_sim.stop()
    with pytest.raises(OctopusConnectionError):
        await client.async_find_product(NOW)


@pytest.mark.parametrize("region", ["I", "O", "Q", "", "CC", "1", None])
async def test_invalid_region_is_refused_before_any_request(
    octopus_sim: OctopusAPISimulator, sim_session: aiohttp.ClientSession, region: object
) -> None:
    with pytest.raises(InvalidRegionError):
        await _client(octopus_sim, sim_session).async_unit_rates(region, NOW)  # type: ignore[arg-type]
    assert octopus_sim.requests == []
    with pytest.raises(ValueError, match="invalid Octopus region"):
        validate_region(region)


def test_every_valid_region() -> None:
    letters = "ABCDEFGHJKLMNP"
    assert [validate_region(r.lower()) for r in letters] == list(letters)
    assert tariff_code(PRODUCT, "h") == "E-1R-AGILE-24-10-01-H"


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        (NOW, "2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z"),
        # BST: today 00:00 UK is 23:00 UTC the day before.
        (
            datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
            "2026-07-01T23:00:00Z",
            "2026-07-03T23:00:00Z",
        ),
        # Spring forward on 2026-03-29: tomorrow starts in BST.
        (
            datetime(2026, 3, 29, 12, 0, tzinfo=UTC),
            "2026-03-29T00:00:00Z",
            "2026-03-30T23:00:00Z",
        ),
        # Fall back on 2026-10-25: today started in BST.
        (
            datetime(2026, 10, 25, 12, 0, tzinfo=UTC),
            "2026-10-24T23:00:00Z",
            "2026-10-27T00:00:00Z",
        ),
    ],
)
def test_rates_window_follows_uk_days(now: datetime, start: str, end: str) -> None:
    period_from, period_to = rates_window(now)
    assert (api_time(period_from), api_time(period_to)) == (start, end)


def _uk(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # GMT in November


@pytest.mark.parametrize(
    ("now", "last", "has_tomorrow", "expected"),
    [
        (_uk(20, 9), None, False, _uk(20, 9)),  # never fetched: now
        (_uk(20, 9), _uk(20, 8, 50), False, _uk(20, 9, 20)),  # every 30 min
        (_uk(20, 15, 50), _uk(20, 15, 40), False, _uk(20, 16)),  # wake at 16:00
        (_uk(20, 16, 1), _uk(20, 15, 55), False, _uk(20, 16, 1)),  # right after 16:00
        (_uk(20, 16, 7), _uk(20, 16, 1), False, _uk(20, 16, 6)),  # retry every 5 min
        (_uk(20, 16, 7), _uk(20, 16, 1), True, _uk(20, 16, 31)),  # found: back to 30
        (_uk(20, 23, 50), _uk(20, 23, 40), True, _uk(21, 0, 10)),
    ],
)
def test_next_refresh(
    now: datetime, last: datetime | None, has_tomorrow: bool, expected: datetime
) -> None:
    assert next_refresh_at(now, last, has_tomorrow) == expected
    assert should_refresh(now, last, has_tomorrow) == (now >= expected)


def test_publish_time_is_uk_local_in_summer() -> None:
    last = datetime(2026, 7, 1, 14, 50, tzinfo=UTC)  # 15:50 BST
    assert next_refresh_at(
        datetime(2026, 7, 1, 14, 55, tzinfo=UTC), last, False
    ) == datetime(2026, 7, 1, 15, 0, tzinfo=UTC)


def test_covers_tomorrow() -> None:
    now = datetime(2026, 7, 1, 12, tzinfo=UTC)
    today_last = PriceSlot(
        datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 0, tzinfo=UTC),
        5.0,
    )
    tomorrow_first = PriceSlot(
        datetime(2026, 7, 1, 23, 0, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
        5.0,
    )
    assert not covers_tomorrow([today_last], now)
    assert covers_tomorrow([today_last, tomorrow_first], now)
