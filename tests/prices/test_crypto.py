"""Crypto price fallback chain against the fake providers (hmm_sim.crypto)."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.home_miner_manager.prices.crypto import (
    COIN_IDS,
    CryptoPriceClient,
    CryptoUnavailableError,
)
from hmm_sim.crypto import CryptoPriceSimulator


def _client(
    sim: CryptoPriceSimulator, session: aiohttp.ClientSession, timeout: float = 10.0
) -> CryptoPriceClient:
    return CryptoPriceClient(
        session,
        coingecko_url=sim.coingecko_url,
        coincap_url=sim.coincap_url,
        binance_url=sim.binance_url,
        timeout=timeout,
    )


def test_bc2_is_bitcoin_ii_not_bellscoin() -> None:
    assert COIN_IDS["BC2"].coingecko == "bitcoinii"
    assert all("bells" not in ids.coingecko for ids in COIN_IDS.values())


async def test_coingecko_prices_every_coin(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    result = await _client(crypto_sim, sim_session).async_prices()
    assert {c: (p.price_gbp, p.source) for c, p in result.prices.items()} == {
        "BTC": (70_000.0, "coingecko"),
        "BCH": (300.0, "coingecko"),
        "DGB": (0.008, "coingecko"),
        "BC2": (1.5, "coingecko"),
    }
    assert result.missing == []
    assert result.errors == {}
    ((path, query),) = crypto_sim.requests_to("coingecko")
    assert path.endswith("/simple/price")
    assert query["vs_currencies"] == "gbp"
    assert set(query["ids"].split(",")) == {
        "bitcoin",
        "bitcoin-cash",
        "digibyte",
        "bitcoinii",
    }
    assert crypto_sim.requests_to("coincap") == []


@pytest.mark.parametrize(
    "failure", ["error", "rate_limited", "malformed", "empty", "absurd"]
)
async def test_coincap_when_coingecko_fails(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession, failure: str
) -> None:
    crypto_sim.fail["coingecko"] = failure
    result = await _client(crypto_sim, sim_session).async_prices()
    assert result.prices["BTC"].source == "coincap"
    assert result.prices["BTC"].price_gbp == pytest.approx(88_900.0 / 1.27)
    assert result.prices["DGB"].price_gbp == pytest.approx(0.01016 / 1.27)
    # Bitcoin II is on neither CoinCap nor Binance: missing, not mispriced.
    assert result.missing == ["BC2"]
    assert "coingecko" in result.errors
    assert all(p.price_gbp > 0 for p in result.prices.values())


async def test_binance_when_coingecko_and_coincap_fail(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    crypto_sim.fail.update(coingecko="error", coincap="malformed")
    result = await _client(crypto_sim, sim_session).async_prices(["BTC", "BCH", "DGB"])
    assert {c: p.source for c, p in result.prices.items()} == dict.fromkeys(
        ["BTC", "BCH", "DGB"], "binance"
    )
    assert result.prices["BTC"].price_gbp == 70_100.0  # a GBP pair, used as is
    assert result.prices["BCH"].price_gbp == pytest.approx(381.0 / 1.27)
    assert set(result.errors) == {"coingecko", "coincap"}
    symbols = {q["symbol"] for _, q in crypto_sim.requests_to("binance")}
    assert symbols == {"BTCGBP", "BCHUSDT", "DGBUSDT", "GBPUSDT"}


async def test_only_missing_coins_go_to_the_next_source(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    del crypto_sim.coingecko["digibyte"]
    result = await _client(crypto_sim, sim_session).async_prices()
    assert result.prices["DGB"].source == "coincap"
    assert result.prices["BTC"].source == "coingecko"
    assert {p for p, _ in crypto_sim.requests_to("coincap")} == {
        "/coincap/v2/rates/british-pound-sterling",
        "/coincap/v2/assets/digibyte",
    }


async def test_one_unknown_asset_does_not_lose_the_others(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    crypto_sim.fail["coingecko"] = "error"
    del crypto_sim.coincap["bitcoin-cash"]  # CoinCap answers 404 for it
    result = await _client(crypto_sim, sim_session).async_prices(["BTC", "BCH"])
    assert result.prices["BTC"].source == "coincap"
    assert result.prices["BCH"].source == "binance"


async def test_timeout_falls_through(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    crypto_sim.fail["coingecko"] = "hang"
    result = await _client(crypto_sim, sim_session, timeout=0.2).async_prices(["BTC"])
    assert result.prices["BTC"].source == "coincap"
    assert "TimeoutError" in result.errors["coingecko"]


async def test_every_source_down_raises(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    crypto_sim.fail.update(coingecko="error", coincap="rate_limited", binance="absurd")
    with pytest.raises(CryptoUnavailableError) as err:
        await _client(crypto_sim, sim_session).async_prices()
    assert set(err.value.errors) == {"coingecko", "coincap", "binance"}
    assert "429" in err.value.errors["coincap"]


async def test_unreachable_host_raises(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    client = _client(crypto_sim, sim_session)
    await crypto_sim.stop()
    with pytest.raises(CryptoUnavailableError) as err:
        await client.async_prices(["BTC"])
    assert len(err.value.errors) == 3


async def test_unknown_coins_are_ignored(
    crypto_sim: CryptoPriceSimulator, sim_session: aiohttp.ClientSession
) -> None:
    result = await _client(crypto_sim, sim_session).async_prices(["XMR", "BTC", "BTC"])
    assert list(result.prices) == ["BTC"]
    empty = await _client(crypto_sim, sim_session).async_prices(["XMR"])
    assert empty.prices == {}
