"""Novelty columns: does the principal use this asset, network, country or user agent for the
first time?

Sigma has no "first seen" condition, so the engine derives boolean columns that rules can test
(``novel_network: true``). An event is novel when the principal first used its value less than
:data:`NOVEL_HOURS` before it, *and* the principal has at least :data:`BASELINE_DAYS` of history
before that first use *in the same log source*, so that the start of the lake, a new
principal, or a log source ingested later (a registry's logs added after a month of CloudTrail)
does not make everything novel.

The same views carry ``src_failures``: for a logon, the failed attempts from its source address
in the :data:`FAILURE_WINDOW` up to it (``Failed <method>``, PAM's ``authentication failure``
and pre-authentication closes; ``Invalid user`` lines, and the one of PAM's and sshd's lines
for the same attempt that the parser marks as repeated, are not counted).
"""

from __future__ import annotations

import re

from labwarden.core.events import NOVELTY_COLUMNS
from labwarden.engines.interface import Engine
from labwarden.watch.parsers.authlog import REPEATED

BASELINE_DAYS = 7
NOVEL_HOURS = 24
"""Events stay novel for this long after the value's first appearance (the whole first visit)."""
NOVEL_VIEW = "events_novel"
NOVEL_RAW_VIEW = "events_novel_raw"
_DIMENSIONS = {
    "novel_asset": "asset_name",
    "novel_network": "src_network",
    "novel_country": "src_country",
    "novel_user_agent": "user_agent",
}
NOVELTY_DIMENSIONS = tuple(_DIMENSIONS.values())
"""The event columns whose first use by a principal is novel."""
_USES = re.compile(r"\b(novel_(asset|network|country|user_agent)|src_failures)\b")
FAILURE_WINDOW = "1 HOUR"
REPEATS = ("invalid_user",)
"""Failure lines (operations) that repeat an attempt another line already counts."""
INPUTS = ("class_uid", "activity", "status", "status_code", "api_operation", "src_ip", "source")
"""Columns the derived ones are computed from (besides the novelty dimensions)."""


def uses_novelty(sql: str) -> bool:
    """Whether a query refers to a novelty column."""
    return bool(_USES.search(sql))


def create_novel_view(con: Engine, source_view: str = "events", raw_view: str = "events") -> None:
    """Materialize the novel events (few) and create :data:`NOVEL_VIEW` over ``source_view``
    and :data:`NOVEL_RAW_VIEW` over ``raw_view`` (the one with the ``raw`` column)."""
    # First use per (principal, value) by hash aggregation; only the novel pairs (few) are
    # joined back, which is much cheaper than window functions over every event.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE actor_first AS SELECT source, actor_user, "  # noqa: S608
        f"min(time) AS first FROM {source_view} WHERE actor_user IS NOT NULL "
        "GROUP BY source, actor_user"
    )
    selects = []
    for column in NOVELTY_COLUMNS:
        dimension = _DIMENSIONS[column]
        pairs = (
            f"SELECT p.source, p.actor_user, p.value, p.first FROM (SELECT source, actor_user, "  # noqa: S608
            f"{dimension} AS value, min(time) AS first FROM {source_view} "
            f"WHERE actor_user IS NOT NULL AND {dimension} IS NOT NULL GROUP BY ALL) p "
            "JOIN actor_first a ON p.actor_user = a.actor_user AND p.source = a.source "
            f"WHERE p.first >= a.first + INTERVAL {BASELINE_DAYS} DAY"
        )
        others = ", ".join(
            f"{'true' if other == column else 'false'} AS {other}" for other in NOVELTY_COLUMNS
        )
        selects.append(
            f"SELECT e.event_uid, {others} FROM {source_view} e JOIN ({pairs}) n "  # noqa: S608
            f"ON e.actor_user = n.actor_user AND e.source = n.source AND e.{dimension} = n.value "
            f"AND e.time < n.first + INTERVAL {NOVEL_HOURS} HOUR"
        )
    flags = ", ".join(f"bool_or({c}) AS {c}" for c in NOVELTY_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE novelty AS SELECT event_uid, {flags} "  # noqa: S608
        f"FROM ({' UNION ALL '.join(selects)}) GROUP BY event_uid"
    )
    con.execute("DROP TABLE IF EXISTS actor_first")
    repeats = ", ".join(f"'{r}'" for r in REPEATS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE src_failures AS SELECT event_uid, src_failures FROM ("  # noqa: S608
        "SELECT event_uid, status, sum(CASE WHEN status = 'failure' "
        f"AND coalesce(api_operation, '') NOT IN ({repeats}) "
        f"AND coalesce(status_code, '') <> '{REPEATED}' THEN 1 ELSE 0 END) OVER ("
        "PARTITION BY src_ip ORDER BY time "
        f"RANGE BETWEEN INTERVAL {FAILURE_WINDOW} PRECEDING AND CURRENT ROW) AS src_failures "
        f"FROM {source_view} WHERE class_uid = 3002 AND activity = 'logon' "
        "AND src_ip IS NOT NULL) WHERE src_failures > 0"
    )
    coalesced = ", ".join(f"coalesce(n.{c}, false) AS {c}" for c in NOVELTY_COLUMNS)
    for view, base in ((NOVEL_VIEW, source_view), (NOVEL_RAW_VIEW, raw_view)):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT e.*, {coalesced}, "  # noqa: S608
            "coalesce(f.src_failures, 0) AS src_failures "
            f"FROM {base} e LEFT JOIN novelty n ON e.event_uid = n.event_uid "
            "LEFT JOIN src_failures f ON e.event_uid = f.event_uid"
        )


def on_view(sql: str, view: str) -> str:
    """``sql`` reading ``view`` instead of ``events``."""
    return re.sub(r"\bFROM events\b", f"FROM {view}", sql)
