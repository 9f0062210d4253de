"""Tests of the health score package."""
