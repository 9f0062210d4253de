"""Tests of the JavaScript shipped with the integration."""
