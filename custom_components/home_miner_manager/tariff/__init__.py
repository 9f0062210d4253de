"""Electricity and coin prices in Home Assistant: sources, coordinators and sensors."""
