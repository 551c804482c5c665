"""Render stored findings with their triage state as a table, JSON, CSV or SARIF."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from typing import Any, TextIO

from labwarden.report.findings import where
from labwarden.report.sarif import to_sarif
from labwarden.report.tabular import OutputFormat, render_rows
from labwarden.store.findings import StoredFinding, TriageStatus


class TriagedFormat(str, Enum):
    """``--format`` of ``labwarden findings``."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    SARIF = "sarif"


COLUMNS = ["id", "fingerprint", "severity", "status", "check", "asset", "where", "message"]
"""The table's columns; CSV adds the rest (see :func:`row`)."""

CSV_COLUMNS = [
    *COLUMNS,
    "asset_kind",
    "present",
    "first_seen_at",
    "last_seen_at",
    "reason",
    "by",
    "at",
    "expires",
    "remediation",
]


def row(item: StoredFinding, *, short: bool = False) -> dict[str, Any]:
    """One finding as a flat row (``short``: a 12-character fingerprint, for tables)."""
    finding = item.finding
    return {
        "id": item.id,
        "fingerprint": item.fingerprint[:12] if short else item.fingerprint,
        "severity": finding.severity.value,
        "status": item.status.value,
        "check": f"{finding.check}/{finding.rule}",
        "asset": item.asset_name or "",
        "asset_kind": item.asset_kind.value if item.asset_kind else "",
        "where": where(finding),
        "message": finding.message,
        "present": item.present,
        "first_seen_at": item.first_seen_at,
        "last_seen_at": item.last_seen_at,
        "reason": item.reason,
        "by": item.actor or "",
        "at": item.decided_at or "",
        "expires": item.expires or "",
        "remediation": finding.remediation,
    }


def to_sarif_triaged(items: Sequence[StoredFinding]) -> dict[str, Any]:
    """SARIF 2.1.0 with triage as SARIF says it: an accepted finding carries an accepted
    external suppression with its justification, a fixed one ``baselineState: absent``."""
    document = to_sarif([i.finding for i in items])
    for item, result in zip(items, document["runs"][0]["results"], strict=True):
        result["properties"]["status"] = item.status.value
        if item.status is TriageStatus.ACCEPTED:
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": item.reason,
                    "properties": {"by": item.actor, "at": item.decided_at},
                }
            ]
        elif item.status is TriageStatus.FIXED:
            result["baselineState"] = "absent"
    return document


def render_triaged(
    items: Sequence[StoredFinding], fmt: TriagedFormat, out: TextIO, *, title: str
) -> None:
    """Write ``items`` in ``fmt``; JSON is a list of :meth:`StoredFinding.to_dict`."""
    if fmt is TriagedFormat.SARIF:
        json.dump(to_sarif_triaged(items), out, indent=2, default=str)
        out.write("\n")
        return
    if fmt is TriagedFormat.JSON:
        json.dump([i.to_dict() for i in items], out, indent=2, default=str)
        out.write("\n")
        return
    table = fmt is TriagedFormat.TABLE
    rows = [row(i, short=table) for i in items]
    render_rows(
        rows,
        COLUMNS if table else CSV_COLUMNS,
        OutputFormat.TABLE if table else OutputFormat.CSV,
        out,
        title=title,
    )
