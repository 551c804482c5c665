"""The scan check: re-identification risk of restricted tabular datasets above a threshold."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from labwarden.checks.interface import CheckContext
from labwarden.checks.privacy.interface import (
    HIGH_RISK,
    NAME,
    REIDENTIFICATION,
    SUBJECT_COLUMN,
    TABLE_FORMATS,
    UNREADABLE,
)
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.errors import InputError, LabwardenError
from labwarden.core.finding import Finding, Location
from labwarden.core.values import AssetKind, Sensitivity, Severity
from labwarden.privacy import risk, suggest
from labwarden.privacy.encoding import encode_table
from labwarden.privacy.io import read_table, read_table_from

log = logging.getLogger(__name__)


class ReidentificationCheck:
    """Finds restricted tables whose quasi-identifiers single people out (risk above threshold).

    Quasi-identifiers are recognized from the column names the inventory already read, and only
    those columns are loaded.
    """

    name = NAME
    description = "re-identification risk of restricted tabular datasets (trial data)"

    def __init__(self, threshold: float = risk.DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold

    def applies_to(self, asset: Asset) -> bool:
        """Restricted datasets with at least one table whose columns are known."""
        return (
            asset.kind is AssetKind.DATASET
            and asset.sensitivity >= Sensitivity.RESTRICTED
            and any(self._candidate(f) for f in asset.files)
        )

    @staticmethod
    def _candidate(record: FileRecord) -> bool:
        return record.format in TABLE_FORMATS and bool(record.columns)

    def run(self, asset: Asset, context: CheckContext) -> Iterable[Finding]:
        """One finding per table whose highest re-identification risk is above the threshold."""
        for record in asset.files:
            if not self._candidate(record):
                continue
            finding = self._check_file(record, context)
            if finding is not None:
                yield finding

    def _check_file(self, record: FileRecord, context: CheckContext) -> Finding | None:
        columns = record.columns or []
        suggestions = suggest.suggest_from_names(columns)
        qis = suggest.of_role(suggestions, suggest.Role.QUASI)
        if not qis:
            return None
        direct = suggest.of_role(suggestions, suggest.Role.DIRECT)
        subject = next((c for c in direct if SUBJECT_COLUMN.search(c)), None)
        try:
            table = _read(record, context, [*qis, *([subject] if subject else [])])
        except LabwardenError as exc:
            return Finding(
                self.name,
                UNREADABLE.id,
                UNREADABLE.severity,
                Location(record.path),
                f"cannot assess re-identification risk: {exc.message}",
            )
        # Several rows per subject (SDTM findings domains): size classes in people.
        subjects = encode_table(table, [subject])[0] if subject else None
        if subjects is not None and subjects.cardinality == table.num_rows:
            subjects = None
        result = risk.assess(
            encode_table(table, qis),
            source=record.path,
            threshold=self.threshold,
            combinations=0,
            subjects=subjects,
        )
        if not result.above_threshold:
            return None
        severity = (
            Severity.HIGH if result.prosecutor.highest >= HIGH_RISK else REIDENTIFICATION.severity
        )
        uniques = round(result.sample_uniqueness * result.rows)
        message = (
            f"re-identification risk above {self.threshold:g}: "
            f"{result.prosecutor.records_at_risk:.0%} of {result.rows} records at risk, "
            f"highest {result.prosecutor.highest:.2f}, {uniques} unique on "
            f"{', '.join(qis)}"
        )
        qi_text = ",".join(qis)
        remediation = (
            f"generalize before sharing: labwarden privacy anonymize {record.path} --qi "
            f"{qi_text} --max-risk {self.threshold:g} --max-suppression 5% "
            f"--output {_anonymized_name(record.path)}"
        )
        if result.subject_column:
            remediation += f" --subject {result.subject_column}"
        if direct:
            remediation += f" --drop {','.join(direct)}"
        return Finding(
            self.name,
            REIDENTIFICATION.id,
            severity,
            Location(record.path),
            message,
            remediation,
            evidence={
                "quasi_identifiers": qis,
                "direct_identifiers": direct,
                "threshold": self.threshold,
                "rows": result.rows,
                "classes": result.classes,
                "k_anonymity": result.smallest_class,
                "subject_column": result.subject_column,
                "sample_uniqueness": result.sample_uniqueness,
                "prosecutor": result.prosecutor.to_dict(),
            },
        )


def _read(record: FileRecord, context: CheckContext, columns: list[str]) -> pa.Table:
    """The columns of a table: by its local path, or through the context's opener (an object
    in a store, read under the byte budget; Parquet reads only these columns)."""
    if "://" in record.path and context.opener is not None:
        try:
            with context.open(record) as handle:
                return read_table_from(handle, record.path, columns)
        except OSError as exc:
            raise InputError(f"{record.path}: cannot read: {exc}") from exc
    return read_table(Path(os.fsdecode(context.local_path(record))), columns=columns)


def _anonymized_name(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    if suffix == "xpt" or not dot:
        return f"{name}_anonymized.csv"
    return f"{stem}_anonymized.{suffix}"
