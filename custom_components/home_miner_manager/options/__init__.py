"""The hub's options menu: one module per area of settings."""
