"""The PII/PHI check: personal and health data in tables, logs and text documents."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from labwarden.checks.interface import CheckContext
from labwarden.checks.pii.catalog import DIRECT, LABELS, NATIONAL_IDS, QUASI, SENSITIVE
from labwarden.checks.pii.columns import ColumnVerdict, classify_columns
from labwarden.checks.pii.entities import find_entities
from labwarden.checks.pii.interface import Settings
from labwarden.checks.pii.settings import workspace_settings
from labwarden.checks.pii.tables import TABULAR_FORMATS, TableSample, sample_table
from labwarden.checks.pii.text_findings import NAME, Tally, line_of, line_starts, text_findings
from labwarden.checks.secrets.content import units
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.errors import LabwardenError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity, Severity

MAX_TEXT = 64 * 1024 * 1024
"""Characters of one log searched for personal data: a log that records payloads does so on
every request, so the first 64 MiB tell, and bound the time a multi-GB log takes (about a
minute at the recognizers' 1 MB/s); the finding's ``truncated`` evidence says when it bit."""
FREE_TEXT_LOGS = frozenset({"log-text", "syslog"})
"""Logs written by applications, where payloads with personal data end up; structured audit
logs (CloudTrail, S3 access, auditd, HTTP access) record identities and addresses by design."""
TEXT_FORMATS = frozenset({"text", "markdown", "restructuredtext", "html", "latex"})
PSEUDONYMIZED = re.compile(
    r"(?i)pseudonymi[sz]ed|pseudonymous|pseudo[_\-]?anon|de[_\-]?identified|\bdeid\b|"
    r"anonymi[sz]ed|_anon\b|masked"
)


class PiiCheck:
    """Classify dataset columns and find personal data in logs and documents."""

    name = NAME
    description = "personal and health data in datasets, logs and documents (GDPR / HIPAA)"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        """Recognizer settings; ``None``: the workspace policy's ``[pii]`` table, or defaults."""

    def applies_to(self, asset: Asset) -> bool:
        """Assets with tables, logs or text documents."""
        return any(_tabular(f) or _textual(f) for f in asset.files)

    def run(self, asset: Asset, context: CheckContext) -> Iterator[Finding]:
        """Column and text findings for every table, log and document of ``asset``.

        Tables with the same columns (shards of one dataset) are sampled once; the logs of one
        asset are tallied together, one finding per entity type.
        """
        settings = self.settings or workspace_settings(context.workspace_root)
        schemas: dict[tuple[str, ...], list[FileRecord]] = {}
        logs = _Texts()
        for record in asset.files:
            if _tabular(record):
                key = tuple(record.columns) if record.columns else (record.path,)
                schemas.setdefault(key, []).append(record)
            elif _textual(record):
                is_log = record.kind is AssetKind.LOG
                texts = logs if is_log else _Texts()
                try:
                    _tally_file(record, context, settings, texts)
                except (OSError, LabwardenError) as exc:
                    yield _unreadable(asset, record, exc)
                    continue
                if not is_log:
                    yield from text_findings(asset, texts.tallies, texts.truncated, is_log=False)
        yield from text_findings(asset, logs.tallies, logs.truncated, is_log=True)
        for group in schemas.values():
            yield from self._table(asset, group, context, settings)

    def _table(
        self, asset: Asset, group: list[FileRecord], context: CheckContext, settings: Settings
    ) -> Iterator[Finding]:
        record = group[0]
        try:
            with context.open(record) as handle:
                sample = sample_table(record.format, handle)
        except (OSError, LabwardenError) as exc:
            yield _unreadable(asset, record, exc)
            return
        yield from _table_findings(asset, record, sample, len(group), settings)


class _Texts:
    """The tallies of one text file, or of all the logs of an asset."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = defaultdict(Tally)
        self.truncated: dict[str, str] = {}


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
    asset: Asset, record: FileRecord, sample: TableSample, same_schema: int, settings: Settings
) -> Iterator[Finding]:
    verdicts = classify_columns(sample.columns, settings)
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


def _tally_file(
    record: FileRecord, context: CheckContext, settings: Settings, texts: _Texts
) -> None:
    """Count the entities of one text file into ``texts``."""
    scanned = 0
    with context.open(record) as handle:
        for unit in units(record.format, handle):
            if record.format == "notebook" and not (unit.member or "").endswith("output"):
                continue  # cell sources are code; their printed outputs may show patient rows
            if scanned >= MAX_TEXT:
                texts.truncated[record.path] = (
                    f"only the first {MAX_TEXT >> 20} MiB of text were searched"
                )
                break
            scanned += len(unit.text)
            starts = line_starts(unit.text)
            for span in find_entities(unit.text, settings):
                line = line_of(starts, span.start) + unit.first_line - 1
                texts.tallies[span.entity].add(record.path, unit.member, line, span)
