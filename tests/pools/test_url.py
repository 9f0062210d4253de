"""Pool URL fields, worker names and pool_in_use matching (pools/url.py, worker.py)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, strategies as st
import pytest

from custom_components.home_miner_manager.devices.validation import (
    MAX_USER_LEN,
    check_cgminer_pool,
)
from custom_components.home_miner_manager.pools.url import (
    FORBIDDEN_CHARACTERS,
    PoolAddress,
    PoolConfigError,
    find_pool_in_use,
    matches_pool_in_use,
    parse_pool,
    parse_pool_url,
    pool_in_use_address,
)
from custom_components.home_miner_manager.pools.worker import (
    MAX_WORKER_LEN,
    sanitize_worker_name,
    user_names_worker,
    worker_user,
)

from .conftest import PROPERTY


@dataclass(frozen=True)
class Row:
    """What a Pool row or PoolTarget offers: url and port."""

    url: str
    port: int
    name: str = ""


@pytest.mark.parametrize(
    ("url", "port", "expected"),
    [
        ("solo.ckpool.org", 3333, ("solo.ckpool.org", 3333)),
        ("  solo.ckpool.org \n", 3333, ("solo.ckpool.org", 3333)),
        ("stratum+tcp://public-pool.io:21496", None, ("public-pool.io", 21496)),
        ("stratum+tcp://public-pool.io:21496", 3333, ("public-pool.io", 21496)),
        ("STRATUM+TCP://Public-Pool.IO:21496/", 1, ("public-pool.io", 21496)),
        ("stratum://eu3.solopool.org:8005", None, ("eu3.solopool.org", 8005)),
        ("tcp://10.0.0.5:3333", None, ("10.0.0.5", 3333)),
        ("public-pool.io:21496", None, ("public-pool.io", 21496)),
        ("pool.example.com.", 3333, ("pool.example.com", 3333)),
        ("[::1]:3333", None, ("[::1]", 3333)),
        ("stratum+tcp://[fd00::5]", 4000, ("[fd00::5]", 4000)),
        ("solo.ckpool.org", 3333.0, ("solo.ckpool.org", 3333)),  # HA number field
        ("solo.ckpool.org", "3333", ("solo.ckpool.org", 3333)),
        ("host", 1, ("host", 1)),
        ("host", 65535, ("host", 65535)),
    ],
)
def test_parse_pool_url(url: str, port: object, expected: tuple[str, int]) -> None:
    assert parse_pool_url(url, port) == PoolAddress(*expected)


@pytest.mark.parametrize(
    ("url", "port", "key", "field"),
    [
        ("pool.com,evil", 3333, "invalid_characters", "url"),
        ("pool.com|evil", 3333, "invalid_characters", "url"),
        ('pool.com"', 3333, "invalid_characters", "url"),
        ("pool\x00.com", 3333, "invalid_characters", "url"),
        ("pool.com\\x", 3333, "invalid_characters", "url"),
        ("pool\t.com", 3333, "invalid_characters", "url"),
        ("pöol.com", 3333, "invalid_characters", "url"),
        ("pool.com", 0, "invalid_port", "port"),
        ("pool.com", 65536, "invalid_port", "port"),
        ("pool.com", None, "invalid_port", "port"),
        ("pool.com", 3333.5, "invalid_port", "port"),
        ("pool.com", True, "invalid_port", "port"),
        ("pool.com", "33a", "invalid_port", "port"),
        ("pool.com:0", 3333, "invalid_port", "url"),
        ("pool.com:99999", 3333, "invalid_port", "url"),
        ("pool.com:", 3333, "invalid_port", "url"),
        ("stratum+ssl://pool.com:443", None, "unsupported_scheme", "url"),
        ("http://pool.com:80", None, "unsupported_scheme", "url"),
        ("", 3333, "invalid_host", "url"),
        ("   ", 3333, "invalid_host", "url"),
        ("pool name.com", 3333, "invalid_host", "url"),
        ("pool.com/path", 3333, "invalid_host", "url"),
        ("-pool.com", 3333, "invalid_host", "url"),
        ("a:b:c", 3333, "invalid_host", "url"),
        ("x" * 300, 3333, "invalid_host", "url"),
    ],
)
def test_parse_pool_url_refuses(url: str, port: object, key: str, field: str) -> None:
    with pytest.raises(PoolConfigError) as err:
        parse_pool_url(url, port)
    assert (err.value.key, err.value.field) == (key, field)


@pytest.mark.parametrize(
    ("user", "password", "key", "field"),
    [
        ("bc1q,abc", "x", "invalid_characters", "user"),
        ("bc1q|abc", "x", "invalid_characters", "user"),
        ('bc1q"abc', "x", "invalid_characters", "user"),
        ("bc1q abc", "x", "invalid_characters", "user"),
        ("bc1q\x00", "x", "invalid_characters", "user"),
        ("u" * (MAX_USER_LEN + 1), "x", "invalid_characters", "user"),
        ("   ", "x", "user_required", "user"),
        ("bc1q", "pa,ss", "invalid_characters", "password"),
        ("bc1q", "pa|ss", "invalid_characters", "password"),
        ("bc1q", 'pa"ss', "invalid_characters", "password"),
        ("bc1q", "pa\nss", "invalid_characters", "password"),
        ("bc1q", "pa\x00ss", "invalid_characters", "password"),
    ],
)
def test_parse_pool_refuses_credentials(
    user: str, password: str, key: str, field: str
) -> None:
    with pytest.raises(PoolConfigError) as err:
        parse_pool("solo.ckpool.org", 3333, user, password)
    assert (err.value.key, err.value.field) == (key, field)
    # The value never shows up in the error (the password may be a secret).
    assert password not in str(err.value) or password == "x"
    assert user.strip() not in str(err.value) or not user.strip()


def test_parse_pool_returns_driver_target() -> None:
    target = parse_pool(
        " stratum+tcp://Solo.CKPool.org:3334 ", 3333, " bc1qabc ", "d=1"
    )
    assert (target.url, target.port, target.user, target.password) == (
        "solo.ckpool.org",
        3334,
        "bc1qabc",
        "d=1",
    )
    assert "d=1" not in repr(target)
    # Whatever parse_pool accepts, the Avalon driver's check accepts too.
    assert check_cgminer_pool(target) == ("solo.ckpool.org", 3334, "bc1qabc", "d=1")


_printable = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x24F), max_size=40
)


@PROPERTY
@given(url=_printable, port=st.integers(-5, 70000), user=_printable, pw=_printable)
def test_parse_pool_never_lets_unsafe_values_through(
    url: str, port: int, user: str, pw: str
) -> None:
    try:
        target = parse_pool(url, port, user, pw)
    except PoolConfigError as err:
        error_key: str | None = err.key
    else:
        error_key = None
    if error_key is not None:
        assert error_key in {
            "invalid_characters",
            "invalid_host",
            "invalid_port",
            "unsupported_scheme",
            "user_required",
        }
        return
    for value in (target.url, target.user, target.password):
        assert FORBIDDEN_CHARACTERS.isdisjoint(value)
        assert value.isascii()
        assert value.isprintable()
    assert 1 <= target.port <= 65535
    check_cgminer_pool(target)


@pytest.mark.parametrize(
    ("pool_in_use", "expected"),
    [
        ("stratum+tcp://public-pool.io:21496", ("public-pool.io", 21496)),
        ("public-pool.io:21496", ("public-pool.io", 21496)),
        ("PUBLIC-POOL.IO:21496", ("public-pool.io", 21496)),
        ("stratum+tcp://public-pool.io:21496/", ("public-pool.io", 21496)),
        (" public-pool.io:21496 ", ("public-pool.io", 21496)),
        ("[fd00::5]:3333", ("[fd00::5]", 3333)),
        ("public-pool.io", None),  # no port: cannot be matched exactly
        ("public-pool.io:abc", None),
        ("", None),
        (None, None),
    ],
)
def test_pool_in_use_address(pool_in_use: str | None, expected: object) -> None:
    address = pool_in_use_address(pool_in_use)
    assert address == (PoolAddress(*expected) if expected else None)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("pool_in_use", "pool", "matches"),
    [
        ("stratum+tcp://eu3.solopool.org:8005", Row("eu3.solopool.org", 8005), True),
        ("EU3.SoloPool.org:8005", Row("eu3.solopool.org", 8005), True),
        ("eu3.solopool.org:8005", Row("stratum+tcp://eu3.solopool.org:8005", 1), True),
        # Same host, other port: another coin on solopool.
        ("eu3.solopool.org:8001", Row("eu3.solopool.org", 8005), False),
        # Upstream's LIKE %url% matched these.
        ("eu3.solopool.org:8005", Row("solopool.org", 8005), False),
        ("solopool.org.evil.com:8005", Row("solopool.org", 8005), False),
        ("eu3.solopool.org", Row("eu3.solopool.org", 8005), False),
        (None, Row("eu3.solopool.org", 8005), False),
        ("eu3.solopool.org:8005", Row("bad host", 8005), False),
    ],
)
def test_matches_pool_in_use(pool_in_use: str | None, pool: Row, matches: bool) -> None:
    assert matches_pool_in_use(pool_in_use, pool) is matches


def test_find_pool_in_use_picks_the_exact_pool() -> None:
    pools = [
        Row("solopool.org", 8005, "wrong"),
        Row("eu3.solopool.org", 8001, "bc2"),
        Row("eu3.solopool.org", 8005, "btc"),
    ]
    assert find_pool_in_use("stratum+tcp://eu3.solopool.org:8005", pools) is pools[2]
    assert find_pool_in_use("eu3.solopool.org:8001", pools) is pools[1]
    assert find_pool_in_use("eu1.solopool.org:8004", pools) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("03 - Green", "03-Green"),
        ("bitaxe", "bitaxe"),
        ("Bitaxe Gamma #2", "Bitaxe_Gamma_2"),
        ("  Office  (NerdQAxe++)  ", "Office_NerdQAxe"),
        ("a__b--c", "a_b-c"),
        ("a_-_b", "a-b"),
        ("Grüne Kiste", "Gr_ne_Kiste"),
        ("★★★", ""),
        ("", ""),
        ("x" * 100, "x" * MAX_WORKER_LEN),
    ],
)
def test_sanitize_worker_name(name: str, expected: str) -> None:
    assert sanitize_worker_name(name) == expected


@PROPERTY
@given(st.text(max_size=80))
def test_sanitized_names_are_safe(name: str) -> None:
    worker = sanitize_worker_name(name)
    assert len(worker) <= MAX_WORKER_LEN
    assert all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in worker)
    assert not worker.startswith(("_", "-"))
    assert not worker.endswith(("_", "-"))
    assert "__" not in worker
    assert "--" not in worker


@pytest.mark.parametrize(
    ("user", "miner", "keep", "expected"),
    [
        ("bc1qabc", "03 - Green", False, "bc1qabc.03-Green"),
        (" bc1qabc ", "bitaxe", False, "bc1qabc.bitaxe"),
        ("bc1qabc.rig1", "03 - Green", False, "bc1qabc.rig1"),  # already a worker
        ("bc1qabc", "03 - Green", True, "bc1qabc"),  # option: keep as-is
        ("bc1qabc.", "nano", False, "bc1qabc.nano"),  # dangling dot
        ("bc1qabc", "★", False, "bc1qabc"),  # nothing usable in the name
        ("braiins_account", "Nano 3S", False, "braiins_account.Nano_3S"),
    ],
)
def test_worker_user(user: str, miner: str, keep: bool, expected: str) -> None:
    assert worker_user(user, miner, keep_user=keep) == expected


def test_worker_user_stays_within_the_user_limit() -> None:
    long_user = "u" * (MAX_USER_LEN - 5)
    result = worker_user(long_user, "a very long miner name")
    assert len(result) <= MAX_USER_LEN
    assert result.startswith(long_user + ".")
    assert worker_user("u" * MAX_USER_LEN, "miner") == "u" * MAX_USER_LEN


@pytest.mark.parametrize(
    ("user", "expected"),
    [("bc1q.w", True), ("bc1q", False), ("bc1q.", False), (".w", False)],
)
def test_user_names_worker(user: str, expected: bool) -> None:
    assert user_names_worker(user) is expected


def test_pool_in_use_is_parsed_once_per_distinct_text() -> None:
    """Polls match the same few strings over and over: parsed once, same answer."""
    text = "stratum+tcp://Parse-Once.example:3333/"
    first = pool_in_use_address(text)
    hits = pool_in_use_address.cache_info().hits
    for _ in range(9):
        assert pool_in_use_address(text) is first
    assert pool_in_use_address.cache_info().hits == hits + 9
    assert first == PoolAddress("parse-once.example", 3333)
    assert pool_in_use_address.cache_info().maxsize is not None  # bounded
