"""Tally the entities found in text files and turn each tally into a complete finding.

Nothing the detector found is dropped from a report: a finding carries the total count, the
count and every line in each file (``evidence["occurrences"]``, rendered by JSON and by SARIF as
related locations), the confidence range and what raised the spans. Only the table caps the
lines it prints, and says how many it left out.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from labwarden.checks.pii.catalog import CATEGORY, DIRECT, HEALTH, LABELS, NATIONAL_IDS, SENSITIVE
from labwarden.checks.pii.entities import mask
from labwarden.checks.pii.interface import NAME, Span
from labwarden.core.asset import Asset
from labwarden.core.finding import Finding, Location
from labwarden.core.values import Sensitivity, Severity

__all__ = ["NAME", "FileTally", "Tally", "line_of", "line_starts", "text_findings"]

_REMEDIATE_LOG = (
    "Stop logging request payloads with personal data (log pseudonymous ids only), purge or "
    "restrict the affected logs, and assess whether this is a reportable breach."
)
_REMEDIATE_TEXT = "Remove or pseudonymize the personal data."
_LOWER = {
    Severity.CRITICAL: Severity.HIGH,
    Severity.HIGH: Severity.MEDIUM,
    Severity.MEDIUM: Severity.LOW,
    Severity.LOW: Severity.INFO,
    Severity.INFO: Severity.INFO,
}


@dataclass(slots=True)
class FileTally:
    """One entity type in one file: how often, and on which lines (each line once)."""

    count: int = 0
    lines: list[int] = field(default_factory=list)
    member: str | None = None


@dataclass(slots=True)
class Tally:
    """One entity type across the files of an asset."""

    count: int = 0
    example: str = ""
    path: str = ""
    member: str | None = None
    line: int = 0
    files: dict[str, FileTally] = field(default_factory=dict)
    low: float = 1.0
    high: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, path: str, member: str | None, line: int, span: Span) -> None:
        """Count ``span``, found on ``line`` of ``path``."""
        self.count += 1
        if not self.example:
            self.example = mask(span.text)
            self.path, self.member, self.line = path, member, line
        file = self.files.get(path)
        if file is None:
            file = self.files[path] = FileTally(member=member)
        file.count += 1
        if not file.lines or file.lines[-1] != line:
            file.lines.append(line)
        self.low = min(self.low, span.confidence)
        self.high = max(self.high, span.confidence)
        self.reasons[span.evidence] += 1


def line_starts(text: str) -> list[int]:
    """The offset at which each line of ``text`` starts."""
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def line_of(starts: list[int], offset: int) -> int:
    """The 1-based line holding ``offset``."""
    return bisect.bisect_right(starts, offset)


def _severity(entity: str, tally: Tally, *, is_log: bool) -> Severity:
    category = CATEGORY[entity]
    if category == DIRECT:
        severity = Severity.HIGH if is_log or entity in NATIONAL_IDS else Severity.MEDIUM
    elif entity in HEALTH:
        severity = Severity.MEDIUM if is_log else Severity.LOW
    else:
        severity = Severity.LOW if is_log else Severity.INFO
    return _LOWER[severity] if tally.high < 0.7 else severity


def _raises(entity: str) -> Sensitivity:
    category = CATEGORY[entity]
    if category in (DIRECT, SENSITIVE) or entity in HEALTH:
        return Sensitivity.RESTRICTED
    return Sensitivity.CONFIDENTIAL


def _message(entity: str, tally: Tally) -> str:
    files = len(tally.files)
    where = f" in {files} files" if files > 1 else ""
    sure = (
        f"confidence {tally.high:.2f}"
        if tally.low == tally.high
        else f"confidence {tally.low:.2f}-{tally.high:.2f}"
    )
    return f"{LABELS[entity]} x{tally.count}{where} (e.g. {tally.example}; {sure})"


def text_findings(
    asset: Asset, tallies: dict[str, Tally], truncated: dict[str, str], *, is_log: bool
) -> Iterator[Finding]:
    """One finding per entity type, with every file and line where it occurs."""
    for entity, tally in sorted(tallies.items(), key=lambda kv: (kv[1].path, kv[1].line)):
        first = tally.files[tally.path]
        yield Finding(
            check=NAME,
            rule=f"{'log' if is_log else 'text'}-{entity.lower().replace('_', '-')}",
            severity=_severity(entity, tally, is_log=is_log),
            location=Location(tally.path, member=tally.member, line=tally.line),
            message=_message(entity, tally),
            remediation=_REMEDIATE_LOG if is_log else _REMEDIATE_TEXT,
            evidence={
                "entity": entity,
                "category": CATEGORY[entity],
                "count": tally.count,
                "lines": first.lines,
                "occurrences": {
                    path: {"count": f.count, "lines": f.lines, "member": f.member}
                    for path, f in tally.files.items()
                },
                "example": tally.example,
                "confidence": {"min": tally.low, "max": tally.high},
                "raised_by": dict(tally.reasons.most_common(5)),
                "truncated": {p: why for p, why in truncated.items() if p in tally.files},
            },
            asset_id=asset.id,
            raises=_raises(entity),
        )
