"""The secrets check: credentials in code, notebooks, configs, .env files, logs and tables."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from labwarden.checks.interface import CheckContext
from labwarden.checks.secrets.baseline import BASELINE_NAME, Baseline, discover
from labwarden.checks.secrets.content import BINARY_FORMATS, units
from labwarden.checks.secrets.interface import Hit
from labwarden.checks.secrets.redact import redact, secret_hash
from labwarden.checks.secrets.scanner import scan_text
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.errors import LabwardenError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity, Severity

log = logging.getLogger(__name__)

NAME = "secrets"


class SecretsCheck:
    """Find credentials, validate their structure, and report them redacted.

    ``baseline`` filters accepted findings; without one, the workspace baseline that applies to
    each asset (see :func:`~labwarden.checks.secrets.baseline.discover`) is used unless
    ``use_workspace_baseline`` is false.
    """

    name = NAME
    description = "credentials and keys in code, notebooks, configs, .env files, logs and tables"

    def __init__(
        self, baseline: Baseline | None = None, *, use_workspace_baseline: bool = True
    ) -> None:
        self.baseline = baseline
        self.use_workspace_baseline = use_workspace_baseline
        self._discovered: dict[Path, Baseline | None] = {}

    def applies_to(self, asset: Asset) -> bool:
        """Any asset with a file that holds text."""
        return any(_readable(f) for f in asset.files)

    def run(self, asset: Asset, context: CheckContext) -> Iterator[Finding]:
        """Findings for every secret in the asset's files (baseline entries left out)."""
        baseline = self._baseline_for(asset, context)
        for record in asset.files:
            if not _readable(record):
                continue
            for finding in self._scan_file(asset, record, context):
                if baseline is not None and baseline.accepts(finding):
                    continue
                yield finding

    def _scan_file(
        self, asset: Asset, record: FileRecord, context: CheckContext
    ) -> Iterator[Finding]:
        try:
            with context.open(record) as handle:
                for unit in units(record.format, handle):
                    for hit in scan_text(unit.text, unit.fmt, path=record.path):
                        line = hit.line + unit.first_line - 1
                        yield _finding(asset, record, hit, unit.member, line)
        except (OSError, LabwardenError) as exc:
            reason = exc.message if isinstance(exc, LabwardenError) else exc.strerror or str(exc)
            yield Finding(
                check=NAME,
                rule="unreadable-file",
                severity=Severity.INFO,
                location=Location(record.path),
                message=f"could not be scanned for secrets: {reason}",
                asset_id=asset.id,
            )

    def _baseline_for(self, asset: Asset, context: CheckContext) -> Baseline | None:
        if self.baseline is not None or not self.use_workspace_baseline:
            return self.baseline
        if context.workspace_root is not None:
            # A scan's own workspace wins over any .labwarden found near the files.
            own = context.workspace_root / BASELINE_NAME
            if own not in self._discovered:
                self._discovered[own] = Baseline.load(own) if own.is_file() else None
            if self._discovered[own] is not None:
                return self._discovered[own]
        folder = Path(asset.uri)
        folder = folder.parent if asset.grouping == "file" else folder
        if folder not in self._discovered:
            found = discover(str(folder))
            self._discovered[folder] = Baseline.load(found) if found else None
        return self._discovered[folder]


def _readable(record: FileRecord) -> bool:
    if record.format in BINARY_FORMATS or record.kind is AssetKind.MODEL:
        return record.format in ("text",)
    return record.size > 0


def _finding(asset: Asset, record: FileRecord, hit: Hit, member: str | None, line: int) -> Finding:
    shown = redact(hit.value)
    digest = secret_hash(hit.value)
    severity = hit.effective_severity
    where = f"{member}, " if member else ""
    about = f" ({hit.detail})" if hit.rule.id in ("private-key", "jwt") and hit.detail else ""
    evidence = {
        "secret": shown,
        "hash": digest,
        "length": len(hit.value),
        "validation": hit.detail,
        "rule_title": hit.rule.title,
    }
    return Finding(
        check=NAME,
        rule=hit.rule.id,
        severity=severity,
        location=Location(record.path, member=member, line=line),
        message=f"{hit.rule.title}{about} {shown} sha256:{digest} ({where}line {line})",
        remediation=hit.rule.remediation,
        evidence=evidence,
        asset_id=asset.id,
        raises=Sensitivity.RESTRICTED if severity >= Severity.HIGH else None,
    )
