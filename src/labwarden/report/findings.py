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
            "where": str(f.location),
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
