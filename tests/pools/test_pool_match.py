"""Which configured pool a miner is on: host, port and user (pools/pool_match.py)."""

from __future__ import annotations

from custom_components.home_miner_manager.pools.pool_match import (
    account,
    match_coin,
    match_pool,
    same_user,
)
from custom_components.home_miner_manager.pools.url import PoolAddress

SHARED = PoolAddress("solo.example.org", 3333)
OTHER = PoolAddress("eu.example.org", 3333)
POOLS = [
    (SHARED, "dgbaddress", "DGB pool"),
    (SHARED, "bchaddress", "BCH pool"),
    (SHARED, "btcaddress.rig1", "BTC pool"),
    (OTHER, "btcaddress", "BTC EU"),
]
COINS = [(address, user, name.split()[0]) for address, user, name in POOLS]


def test_users_compare_without_the_worker() -> None:
    assert account("addr.worker.x") == "addr"
    assert same_user("addr.Bitaxe", "addr")
    assert same_user("addr", "addr.rig1")
    assert not same_user("addr2.Bitaxe", "addr")


def test_a_shared_server_is_told_apart_by_user() -> None:
    url = "stratum+tcp://solo.example.org:3333"
    assert match_pool(url, "bchaddress.Bitaxe", POOLS) == "BCH pool"
    assert match_pool(url, "dgbaddress", POOLS) == "DGB pool"
    # An exact user wins over the account of another.
    assert match_pool(url, "btcaddress.rig1", POOLS) == "BTC pool"
    assert match_pool(url, "btcaddress.Bitaxe", POOLS) == "BTC pool"
    assert match_pool("eu.example.org:3333", "btcaddress.Bitaxe", POOLS) == "BTC EU"
    # Someone else's wallet on that server is none of ours.
    assert match_pool(url, "strangeraddress", POOLS) is None
    assert match_coin(url, "bchaddress.Bitaxe", COINS) == "BCH"


def test_without_the_user_only_an_unambiguous_address_matches() -> None:
    assert match_pool("solo.example.org:3333", None, POOLS) is None
    assert match_pool("eu.example.org:3333", None, POOLS) == "BTC EU"
    assert match_coin("solo.example.org:3333", "", COINS) is None
    same_coin = [(SHARED, "a", "BTC"), (SHARED, "b", "BTC")]
    assert match_coin("solo.example.org:3333", None, same_coin) == "BTC"
    assert match_pool("nowhere.example.org:3333", "dgbaddress", POOLS) is None
    assert match_pool(None, "dgbaddress", POOLS) is None
