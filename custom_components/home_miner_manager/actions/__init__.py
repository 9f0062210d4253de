"""Action handlers beyond the miners' own (services.py registers them all)."""
