"""One miner subentry in Home Assistant: its coordinator, commands, records and flow."""
