"""Tests of the dashboard generator (plain Python)."""
