"""Read an upstream HMM database and map its rows onto ours (no Home Assistant).

* :mod:`.source` opens the source read-only (SQLite ``mode=ro``, PostgreSQL
  read-only transactions);
* :mod:`.schema` checks it is HMM's schema and names what is missing;
* :mod:`.normalize` repairs upstream's bugs (mixed hashrate units, string
  difficulties such as "270M") and derives what upstream never stored;
* :mod:`.config` reads miners, pools, bands, enrolment, alert settings, rules;
* :mod:`.rules` maps upstream's automation rules onto our rule subentries;
* :mod:`.history` copies history in batches, idempotently.
"""

from __future__ import annotations

from .counts import ImportCounts, KindCounts
from .schema import NotHmmDatabaseError, SourceSchema, check_schema
from .source import SourceUrlError, open_source

__all__ = [
    "ImportCounts",
    "KindCounts",
    "NotHmmDatabaseError",
    "SourceSchema",
    "SourceUrlError",
    "check_schema",
    "open_source",
]
