"""Render findings as a table, JSON or SARIF."""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TextIO

from labwarden.core.finding import Finding
from labwarden.report.sarif import to_sarif
from labwarden.report.tabular import OutputFormat, render_rows


class FindingFormat(str, Enum):
    """``--format`` of commands that report findings."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def render_findings(
    findings: Sequence[Finding],
    fmt: FindingFormat,
    out: TextIO,
    *,
    base: Path | None = None,
    title: str = "findings",
) -> None:
    """Write ``findings`` in ``fmt``."""
    if fmt is FindingFormat.SARIF:
        json.dump(to_sarif(findings, base=base), out, indent=2, default=str)
        out.write("\n")
        return
    if fmt is FindingFormat.JSON:
        json.dump([f.to_dict() for f in findings], out, indent=2, default=str)
        out.write("\n")
        return
    rows = [
        {
            "severity": f.severity.value,
            "check": f"{f.check}/{f.rule}",
            "where": where(f),
            "message": f.message,
            "remediation": f.remediation,
        }
        for f in findings
    ]
    render_rows(
        rows,
        ["severity", "check", "where", "message", "remediation"],
        OutputFormat.TABLE,
        out,
        title=f"{len(rows)} {title}",
    )


TABLE_LINES = 5
"""Lines of one file a table cell lists before it says how many more there are."""


def where(finding: Finding) -> str:
    """The location, and for findings at many places (``evidence["occurrences"]``: path ->
    ``{"lines": [...]}``) the first lines and "and N more": the table's cap, never JSON's."""
    occurrences = finding.evidence.get("occurrences")
    if not isinstance(occurrences, dict) or not occurrences:
        return str(finding.location)
    first = occurrences.get(finding.location.path) or next(iter(occurrences.values()))
    lines = first.get("lines", []) if isinstance(first, dict) else []
    text = str(finding.location)
    if len(lines) > 1:
        shown = ", ".join(str(n) for n in lines[:TABLE_LINES])
        more = len(lines) - TABLE_LINES
        text += f" (lines {shown}{f' and {more} more' if more > 0 else ''})"
    if len(occurrences) > 1:
        text += f" and {len(occurrences) - 1} more files"
    return text
