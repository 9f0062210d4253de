"""Tests of the notifications package against fake Telegram and Discord servers."""
