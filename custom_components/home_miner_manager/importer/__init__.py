"""The move from upstream HMM: the import action and the settings it applies."""
