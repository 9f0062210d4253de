"""Per-kind counts of one import run (the action's response)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class KindCounts:
    """Rows of one kind: imported, already there, skipped (per reason)."""

    imported: int = 0
    already_there: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON for the response."""
        return {
            "imported": self.imported,
            "already_there": self.already_there,
            "skipped": dict(sorted(self.skipped.items())),
        }


@dataclass(slots=True)
class ImportCounts:
    """Counts of every kind, in the order they were first touched."""

    kinds: dict[str, KindCounts] = field(default_factory=dict)

    def __getitem__(self, kind: str) -> KindCounts:
        """Return (creating) the counts of ``kind``."""
        counts = self.kinds.get(kind)
        if counts is None:
            counts = self.kinds[kind] = KindCounts()
        return counts

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Plain JSON for the response."""
        return {kind: counts.as_dict() for kind, counts in self.kinds.items()}

    @property
    def imported(self) -> int:
        """Rows imported over all kinds."""
        return sum(counts.imported for counts in self.kinds.values())
