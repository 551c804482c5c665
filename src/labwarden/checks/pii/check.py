"""The PII/PHI check: personal and health data in tables, logs and text documents."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from labwarden.checks.interface import CheckContext
from labwarden.checks.pii.columns import ColumnVerdict, classify_columns
from labwarden.checks.pii.entities import (
    CATEGORY,
    DIRECT,
    LABELS,
    NATIONAL_IDS,
    QUASI,
    SENSITIVE,
    find_entities,
    mask,
)
from labwarden.checks.pii.tables import TABULAR_FORMATS, TableSample, sample_table
from labwarden.checks.secrets.content import units
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.errors import LabwardenError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity, Severity

NAME = "pii"
MAX_LINES = 20
MAX_FILES = 20
MAX_TEXT = 256 * 1024 * 1024
"""Characters of one log searched for personal data: a log that records payloads does so on
every request, so the first 256 MiB tell (and bound the time a multi-GB log takes)."""
FREE_TEXT_LOGS = frozenset({"log-text", "syslog"})
"""Logs written by applications, where payloads with personal data end up; structured audit
logs (CloudTrail, S3 access, auditd, HTTP access) record identities and addresses by design."""
TEXT_FORMATS = frozenset({"text", "markdown", "restructuredtext", "html", "latex"})
PSEUDONYMIZED = re.compile(
    r"(?i)pseudonymi[sz]ed|pseudonymous|pseudo[_\-]?anon|de[_\-]?identified|\bdeid\b|"
    r"anonymi[sz]ed|_anon\b|masked"
)
HEALTH = frozenset({"DIAGNOSIS", "MEDICATION", "MRN", "HEALTH_EVENT", "LAB_RESULT"})
_REMEDIATE_LOG = (
    "Stop logging request payloads with personal data (log pseudonymous ids only), purge or "
    "restrict the affected logs, and assess whether this is a reportable breach."
)


@dataclass(slots=True)
class _Tally:
    count: int = 0
    example: str = ""
    path: str = ""
    member: str | None = None
    line: int = 0
    files: dict[str, list[int]] = field(default_factory=dict)
    """Up to MAX_FILES files and MAX_LINES lines in each where the entity occurs."""
    truncated: list[str] = field(default_factory=list)


class PiiCheck:
    """Classify dataset columns and find personal data in logs and documents."""

    name = NAME
    description = "personal and health data in datasets, logs and documents (GDPR / HIPAA)"

    def applies_to(self, asset: Asset) -> bool:
        """Assets with tables, logs or text documents."""
        return any(_tabular(f) or _textual(f) for f in asset.files)

    def run(self, asset: Asset, context: CheckContext) -> Iterator[Finding]:
        """Column and text findings for every table, log and document of ``asset``.

        Tables with the same columns (shards of one dataset) are sampled once; the logs of one
        asset are tallied together, one finding per entity type.
        """
        schemas: dict[tuple[str, ...], list[FileRecord]] = {}
        log_tallies: dict[str, _Tally] = defaultdict(_Tally)
        for record in asset.files:
            if _tabular(record):
                key = tuple(record.columns) if record.columns else (record.path,)
                schemas.setdefault(key, []).append(record)
                continue
            if not _textual(record):
                continue
            is_log = record.kind is AssetKind.LOG
            tallies = log_tallies if is_log else defaultdict(_Tally)
            try:
                _tally_file(record, context, tallies)
            except (OSError, LabwardenError) as exc:
                yield _unreadable(asset, record, exc)
                continue
            if not is_log:
                yield from _text_findings(asset, tallies, is_log=False)
        yield from _text_findings(asset, log_tallies, is_log=True)
        for group in schemas.values():
            record = group[0]
            try:
                with context.open(record) as handle:
                    sample = sample_table(record.format, handle)
            except (OSError, LabwardenError) as exc:
                yield _unreadable(asset, record, exc)
                continue
            yield from _table_findings(asset, record, sample, len(group))


def _unreadable(asset: Asset, record: FileRecord, exc: Exception) -> Finding:
    reason = exc.message if isinstance(exc, LabwardenError) else str(exc)
    return Finding(
        check=NAME,
        rule="unreadable-file",
        severity=Severity.INFO,
        location=Location(record.path),
        message=f"could not be checked for personal data: {reason}",
        asset_id=asset.id,
    )


def _tabular(record: FileRecord) -> bool:
    return record.format in TABULAR_FORMATS and record.size > 0


def _textual(record: FileRecord) -> bool:
    if record.size == 0:
        return False
    if record.format == "notebook":
        return True
    if record.kind is AssetKind.LOG:
        return record.format.removesuffix("+gzip") in FREE_TEXT_LOGS
    return record.format in TEXT_FORMATS


def is_pseudonymized(asset: Asset, record: FileRecord, sample: TableSample) -> str | None:
    """Why this dataset is labelled pseudonymized (its name or its metadata), or ``None``."""
    for name in (record.name, asset.name):
        if PSEUDONYMIZED.search(name):
            return f"named {name!r}"
    for key, value in sample.metadata.items():
        if PSEUDONYMIZED.search(key) or PSEUDONYMIZED.search(value[:500]):
            return f"metadata {key!r} says so"
    return None


def _table_findings(
    asset: Asset, record: FileRecord, sample: TableSample, same_schema: int = 1
) -> Iterator[Finding]:
    verdicts = classify_columns(sample.columns)
    by_category: dict[str, list[ColumnVerdict]] = defaultdict(list)
    for verdict in verdicts:
        by_category[verdict.category].append(verdict)
    for verdict in by_category[DIRECT]:
        national = verdict.entity in NATIONAL_IDS
        yield Finding(
            check=NAME,
            rule="direct-identifier-column",
            severity=Severity.HIGH if national else Severity.MEDIUM,
            location=Location(record.path, member=f"column {verdict.column}"),
            message=f"column {verdict.column!r} holds {LABELS[verdict.entity]}s ({verdict.reason})",
            remediation="Remove the column or replace it with a keyed pseudonym before the data "
            "leaves the clinical system; restrict access to this file.",
            evidence=_column_evidence(verdict, sample.rows, same_schema),
            asset_id=asset.id,
            raises=Sensitivity.RESTRICTED,
        )
    labelled = is_pseudonymized(asset, record, sample)
    if labelled and by_category[DIRECT]:
        columns = [v.column for v in by_category[DIRECT]]
        yield Finding(
            check=NAME,
            rule="pseudonymized-with-identifiers",
            severity=Severity.HIGH,
            location=Location(record.path),
            message=f"labelled pseudonymized ({labelled}) but still holds direct identifiers: "
            + ", ".join(columns),
            remediation="Drop or pseudonymize these columns; pseudonymized data with direct "
            "identifiers is plain personal data under GDPR.",
            evidence={"label": labelled, "columns": columns},
            asset_id=asset.id,
            raises=Sensitivity.RESTRICTED,
        )
    for verdict in by_category[SENSITIVE]:
        yield Finding(
            check=NAME,
            rule="special-category-column",
            severity=Severity.LOW,
            location=Location(record.path, member=f"column {verdict.column}"),
            message=f"column {verdict.column!r} holds {LABELS[verdict.entity]} data "
            f"(GDPR special category; {verdict.reason})",
            remediation="Keep this data restricted and minimise who can join it with identifiers.",
            evidence=_column_evidence(verdict, sample.rows, same_schema),
            asset_id=asset.id,
            raises=Sensitivity.RESTRICTED,
        )
    quasi = by_category[QUASI]
    if quasi:
        columns = [v.column for v in quasi]
        yield Finding(
            check=NAME,
            rule="quasi-identifiers",
            severity=Severity.INFO,
            location=Location(record.path),
            message=f"{len(quasi)} quasi-identifier columns: "
            + ", ".join(f"{v.column} ({LABELS[v.entity]})" for v in quasi),
            remediation="Measure re-identification risk (labwarden privacy risk) before sharing.",
            evidence={
                "columns": {v.column: v.entity for v in quasi},
                "files_with_same_columns": same_schema,
            },
            asset_id=asset.id,
            raises=Sensitivity.CONFIDENTIAL,
        )


def _column_evidence(verdict: ColumnVerdict, rows: int, files: int) -> dict[str, object]:
    return {
        "entity": verdict.entity,
        "category": verdict.category,
        "share": round(verdict.share, 3),
        "sampled_rows": rows,
        "files_with_same_columns": files,
    }


def _tally_file(record: FileRecord, context: CheckContext, tallies: dict[str, _Tally]) -> None:
    """Count the entities of one text file into ``tallies``."""
    scanned = 0
    with context.open(record) as handle:
        for unit in units(record.format, handle):
            if record.format == "notebook" and not (unit.member or "").endswith("output"):
                continue  # cell sources are code; their printed outputs may show patient rows
            if scanned >= MAX_TEXT:
                for tally in tallies.values():
                    tally.truncated.append(record.path)
                break
            scanned += len(unit.text)
            starts = _line_starts(unit.text)
            for span in find_entities(unit.text):
                tally = tallies[span.entity]
                tally.count += 1
                line = _line_of(starts, span.start) + unit.first_line - 1
                if not tally.example:
                    tally.example = mask(span.text)
                    tally.path, tally.member, tally.line = record.path, unit.member, line
                lines = tally.files.get(record.path)
                if lines is None and len(tally.files) < MAX_FILES:
                    lines = tally.files[record.path] = []
                if lines is not None and len(lines) < MAX_LINES:
                    lines.append(line)


def _text_findings(asset: Asset, tallies: dict[str, _Tally], *, is_log: bool) -> Iterator[Finding]:
    for entity, tally in sorted(tallies.items(), key=lambda kv: (kv[1].path, kv[1].line)):
        category = CATEGORY[entity]
        if category == DIRECT:
            severity = Severity.HIGH if is_log else Severity.MEDIUM
        elif entity in HEALTH:
            severity = Severity.MEDIUM if is_log else Severity.LOW
        else:
            severity = Severity.LOW if is_log else Severity.INFO
        raises = (
            Sensitivity.RESTRICTED
            if category in (DIRECT, SENSITIVE) or entity in HEALTH
            else Sensitivity.CONFIDENTIAL
        )
        first = tally.files.get(tally.path, [tally.line])
        shown = ", ".join(str(n) for n in first[:5])
        more = " ..." if len(first) > 5 else ""
        where = f"lines {shown}{more}" if len(first) > 1 else f"line {shown}"
        if len(tally.files) > 1:
            where += f" and in {len(tally.files) - 1} more files"
        yield Finding(
            check=NAME,
            rule=f"{'log' if is_log else 'text'}-{entity.lower().replace('_', '-')}",
            severity=severity,
            location=Location(tally.path, member=tally.member, line=tally.line),
            message=f"{LABELS[entity]} x{tally.count} (e.g. {tally.example}) on {where}",
            remediation=_REMEDIATE_LOG if is_log else "Remove or pseudonymize the personal data.",
            evidence={
                "entity": entity,
                "category": category,
                "count": tally.count,
                "lines": first,
                "files": tally.files,
                "example": tally.example,
                "truncated": tally.truncated,
            },
            asset_id=asset.id,
            raises=raises,
        )


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset)
