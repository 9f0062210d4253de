"""Tests of the Assist tools' plain answers (no Home Assistant)."""
