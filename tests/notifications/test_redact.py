"""Secrets are masked in every form they can take."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.home_miner_manager.notifications import Redactor, redact
from tests.notifications.common import (
    BOT_KEY,
    BOT_TOKEN,
    WEBHOOK_PATH,
    WEBHOOK_TOKEN,
    assert_no_secret,
)

WEBHOOK_URL = f"https://discord.com{WEBHOOK_PATH}"


@pytest.mark.parametrize(
    "text",
    [
        f"POST https://api.telegram.org/bot{BOT_TOKEN}/sendMessage failed",
        f"key {BOT_KEY} alone",
        f"quoted {quote(BOT_TOKEN, safe='')}",
        f"url {WEBHOOK_URL}",
        f"no scheme discord.com{WEBHOOK_PATH}?wait=true",
        f"path only {WEBHOOK_PATH}",
        f"token only {WEBHOOK_TOKEN}.",
        f"encoded {quote(WEBHOOK_URL, safe='')}",
        f"lower-case escapes {quote(WEBHOOK_URL, safe='').replace('%3A', '%3a')}",
    ],
)
def test_every_form_is_masked(text: str) -> None:
    masked = redact(text, [BOT_TOKEN, WEBHOOK_URL])
    assert "***" in masked
    assert_no_secret(masked)


def test_harmless_text_is_untouched() -> None:
    text = (
        "HTTP 404: Unknown Webhook (bot id 7123456789, webhook id 1198765432109876543)"
    )
    assert redact(text, [BOT_TOKEN, WEBHOOK_URL]) == text
    assert redact("anything", ["", "   "]) == "anything"


def test_whole_url_masked_before_its_parts() -> None:
    assert redact(f"<{WEBHOOK_URL}>", [WEBHOOK_URL]) == "<***>"


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.text(
        alphabet=st.characters(categories=["Ll", "Lu", "Nd"], include_characters="-_"),
        min_size=12,
        max_size=70,
    ),
    st.text(max_size=40),
    st.text(max_size=40),
)
def test_a_token_never_survives(token: str, before: str, after: str) -> None:
    url = f"https://discord.com/api/webhooks/123/{token}"
    redactor = Redactor([url, f"42:{token}"])
    for form in (token, url, quote(url, safe=""), f"/api/webhooks/123/{token}"):
        assert token not in redactor(before + form + after)


def test_percent_encoded_forms_of_odd_secrets() -> None:
    secret = "https://hooks.example/hook/se cret@value+x"
    text = f"a {quote(secret, safe='')} b {quote(secret, safe='/:')} c"
    masked = redact(text, [secret])
    assert masked == "a *** b *** c"
