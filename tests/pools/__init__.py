"""Tests of the pools package, its simulators and db/shares.py."""
