"""Unit tests of the shared value parsers (devices/parsing.py)."""

from __future__ import annotations

import math

import pytest

from custom_components.home_miner_manager.devices.exceptions import MinerResponseError
from custom_components.home_miner_manager.devices.parsing import (
    as_float,
    as_int,
    as_temperature,
    as_text,
    decode_json_object,
    decode_json_prefix,
    format_mac,
    parse_difficulty,
    parse_hashrate,
    parse_uptime,
    strip_scheme,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4.29G", 4.29e9),
        ("36.07M", 36.07e6),
        ("97.6M", 97.6e6),
        ("1.50k", 1500.0),
        ("38.15K", 38150.0),
        ("89.47T", 89.47e12),
        ("2.00P", 2e15),
        ("1.00E", 1e18),
        ("512", 512.0),
        ("0.001", 0.001),
        ("126271255279307.0", 126271255279307.0),
        (" 4.29 G ", 4.29e9),
        (4291826174, 4291826174.0),
        (36071194.5, 36071194.5),
        (0, 0.0),
    ],
)
def test_parse_difficulty_accepts_every_firmware_form(
    raw: object, expected: float
) -> None:
    assert parse_difficulty(raw) == pytest.approx(expected)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        True,
        "",
        "G",
        "abc",
        "-5",
        "-1.0M",
        "nan",
        "NaN",
        "inf",
        "1e400",
        float("nan"),
        float("inf"),
        -1,
        10**400,
        [],
        {},
        "4.29X",
        "1" * 100,
        1e30,
    ],
)
def test_parse_difficulty_rejects_garbage(raw: object) -> None:
    assert parse_difficulty(raw) is None


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("993.22KH/s", "GH/s", (993.22, "KH/s", 993.22e-6)),
        ("1004.31KH/s", "H/s", (1004.31, "KH/s", 1004.31e-6)),
        ("1.0154MH/s", "H/s", (1.0154, "MH/s", 1.0154e-3)),
        ("1013.4kH/s", "H/s", (1013.4, "KH/s", 1013.4e-6)),
        ("4.8T", "GH/s", (4.8, "TH/s", 4800.0)),
        ("950H/s", "GH/s", (950.0, "H/s", 950e-9)),
        ("0.000956", "GH/s", (0.000956, "GH/s", 0.000956)),
        (1098.6, "GH/s", (1098.6, "GH/s", 1098.6)),
        (6649033, "MH/s", (6649033.0, "MH/s", 6649.033)),
    ],
)
def test_parse_hashrate_keeps_unit_and_converts(
    raw: object, default: str, expected: tuple[float, str, float]
) -> None:
    result = parse_hashrate(raw, default)
    assert result is not None
    assert result[0] == pytest.approx(expected[0])
    assert result[1] == expected[1]
    assert result[2] == pytest.approx(expected[2])


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "fast",
        "-1KH/s",
        "nanKH/s",
        "1e400",
        float("nan"),
        -3.0,
        "1EH/s",
        "5XH/s",
        [],
    ],
)
def test_parse_hashrate_rejects_garbage(raw: object) -> None:
    assert parse_hashrate(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("002d 05:41:09", 2 * 86400 + 5 * 3600 + 41 * 60 + 9),
        ("000d 00:22:57\r\n", 22 * 60 + 57),
        ("05:41:09", 5 * 3600 + 41 * 60 + 9),
        (7322, 7322),
        ("7322", 7322),
        (-5, None),
        ("soon", None),
        (None, None),
        (1e300, None),
    ],
)
def test_parse_uptime(raw: object, expected: int | None) -> None:
    assert parse_uptime(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e0e1a93f3053", "E0:E1:A9:3F:30:53"),
        ("2C:54:91:88:C9:E3", "2C:54:91:88:C9:E3"),
        ("2c:54:91:88:c9:e3", "2C:54:91:88:C9:E3"),
        ("000000000000", None),
        ("2C-54-91-88-C9-E3", None),
        ("e0e1a93f305", None),
        (1234, None),
    ],
)
def test_format_mac(raw: object, expected: str | None) -> None:
    assert format_mac(raw) == expected


def test_scalar_helpers_bound_and_type_check() -> None:
    assert as_float("12.5") == 12.5
    assert as_float(True) is None  # bool is not a number here
    assert as_float(5, 0, 4) is None
    assert as_float(-0.5) is None
    assert as_float(-58, -150.0, 0.0) == -58.0
    assert as_int(12.9) == 12
    assert as_int("-1") is None
    assert as_int(2**70) is None
    assert as_temperature(-1) is None
    assert as_temperature(-273) is None
    assert as_temperature(0) is None
    assert as_temperature(57.9) == 57.9
    assert as_temperature(1e6) is None
    assert as_text("  bitaxe ") == "bitaxe"
    assert as_text("") is None
    assert as_text("bad\x00name") is None
    assert as_text("x" * 300) is None


def test_strip_scheme() -> None:
    assert strip_scheme("stratum+tcp://public-pool.io:21496") == "public-pool.io:21496"
    assert strip_scheme("public-pool.io:21496/") == "public-pool.io:21496"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>500</html>",
        b"[1, 2]",
        b'"text"',
        b"{",
        b"\xff\xfe{}",
        b"[" * 5000,
        b"1" * 5000,
        b"null",
    ],
)
def test_decode_json_object_raises_response_error(body: bytes) -> None:
    with pytest.raises(MinerResponseError):
        decode_json_object(body)


def test_decode_json_prefix_tolerates_cgminer_quirks() -> None:
    assert decode_json_prefix('{"a":1}\x00trailing') == {"a": 1}
    assert decode_json_prefix('{"a":"line\nbreak"}') == {"a": "line\nbreak"}
    fixed = decode_json_prefix('{"STATS":[{"a":1}{"b":2}]}')
    assert fixed == {"STATS": [{"a": 1}, {"b": 2}]}
    with pytest.raises(MinerResponseError):
        decode_json_prefix("STATUS=S,Code=11|")
    assert math.isfinite(decode_json_prefix('{"x": 1e5}')["x"])
