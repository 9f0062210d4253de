"""Health scores, alerts, notifications and rules of the hub in Home Assistant."""
