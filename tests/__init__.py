"""Tests for Home Miner Manager."""
