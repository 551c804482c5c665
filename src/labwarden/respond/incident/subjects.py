"""Whose data was taken: data subjects and records in the tables read, the categories of
personal data they hold, and how re-identifiable they are.

For each dataset read, the tables read are the asset's files that the read objects name (by
their path inside the asset), or every table of the asset when the reads name the asset as a
whole. A table's subject column is found as the privacy check finds it (a direct identifier
whose name says subject, patient, participant or pseudonym: ``USUBJID``); the distinct values
of that column across every table read are the data subjects, their rows the records.
Categories come from the PII and privacy findings of the assets; re-identification risk from
the privacy finding of the table, else it is measured here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from labwarden.checks.privacy.interface import SUBJECT_COLUMN, TABLE_FORMATS
from labwarden.core.asset import FileRecord
from labwarden.core.errors import LabwardenError
from labwarden.core.values import AssetKind
from labwarden.inventory.sources.reopen import ObjectReader
from labwarden.privacy import suggest
from labwarden.privacy.assess import assess_file
from labwarden.privacy.io import read_table, read_table_from
from labwarden.respond.incident.touched import Derived, Touched
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, TriageStatus

log = logging.getLogger(__name__)

_ALL = (TriageStatus.OPEN, TriageStatus.ACCEPTED, TriageStatus.FIXED)


@dataclass(slots=True)
class TableRead:
    """One table of personal data read during the incident."""

    asset_id: int
    asset_name: str
    path: str
    subject_column: str | None
    rows: int | None
    subjects: int | None
    how_read: str
    """Why this table counts as read (an object named it, or the asset was read whole)."""
    risk: dict[str, Any] | None = None
    """Prosecutor re-identification risk (highest, average, records_at_risk, threshold)."""
    risk_source: str = ""
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "asset_id": self.asset_id,
            "asset": self.asset_name,
            "path": self.path,
            "subject_column": self.subject_column,
            "rows": self.rows,
            "subjects": self.subjects,
            "how_read": self.how_read,
            "reidentification_risk": self.risk,
            "risk_source": self.risk_source,
            "problem": self.problem,
        }


@dataclass(slots=True)
class PersonalData:
    """The personal data in the incident's scope."""

    tables: list[TableRead] = field(default_factory=list)
    subjects: Derived = field(
        default_factory=lambda: Derived(None, "no table with a subject column was read")
    )
    records: Derived = field(
        default_factory=lambda: Derived(None, "no table of personal data was read")
    )
    categories: list[dict[str, str]] = field(default_factory=list)
    special_categories: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "data_subjects": self.subjects.to_dict(),
            "records": self.records.to_dict(),
            "categories": self.categories,
            "special_categories": self.special_categories,
            "tables": [t.to_dict() for t in self.tables],
            "notes": self.notes,
        }


def subject_column(columns: Sequence[str]) -> str | None:
    """The column naming the data subject (``USUBJID``), as the privacy check finds it."""
    direct = suggest.of_role(suggest.suggest_from_names(list(columns)), suggest.Role.DIRECT)
    return next((c for c in direct if SUBJECT_COLUMN.search(c)), None)


def _tables_read(
    files: Sequence[FileRecord], asset_uri: str, objects: Iterable[str]
) -> tuple[list[FileRecord], str]:
    tables = [f for f in files if f.format in TABLE_FORMATS]
    if len(files) == 1:
        return tables, "the asset is this one table"
    keys = [o.split("://", 1)[-1] for o in objects]
    named = [
        f
        for f in tables
        if any(k.endswith("/" + f.path.removeprefix(asset_uri).lstrip("/")) for k in keys)
    ]
    if named:
        return named, "a read object names this table"
    return tables, "the reads name the asset, not its files: every table of it counts"


def _distinct(record: FileRecord, column: str, objects: ObjectReader) -> tuple[int, pa.Array]:
    if "://" in record.path:  # an object in a store: read again at the version scanned
        with objects.open(record) as handle:
            table = read_table_from(handle, record.path, [column])
    else:
        table = read_table(Path(record.path), columns=[column])
    values = table.column(column).combine_chunks()
    return table.num_rows, pc.unique(values.filter(pc.is_valid(values)))


def _risk(catalog: Catalog, table: TableRead) -> None:
    query = FindingQuery(
        checks=("privacy/reidentification-risk",), asset_ids=(table.asset_id,), statuses=_ALL
    )
    for stored in catalog.findings.all(query):
        if stored.finding.location.path == table.path:
            evidence = stored.finding.evidence
            prosecutor = evidence.get("prosecutor") or {}
            table.risk = {
                **prosecutor,
                "threshold": evidence.get("threshold"),
                "quasi_identifiers": evidence.get("quasi_identifiers"),
            }
            table.risk_source = f"privacy finding {stored.fingerprint} of the last scan"
            return
    if "://" in table.path:
        table.risk_source = (
            "not measured now: the scan's privacy check assesses objects in a store, and it "
            "recorded no risk above its threshold for this table (or found no quasi-identifiers)"
        )
        return
    try:
        assessed = assess_file(
            Path(table.path), check_safe_harbor=False, subject=table.subject_column
        )
    except (LabwardenError, OSError, pa.ArrowException) as exc:
        table.risk_source = f"not measured: {getattr(exc, 'message', exc)}"
        return
    result = assessed.risk
    table.risk = {
        **result.prosecutor.to_dict(),
        "threshold": result.threshold,
        "quasi_identifiers": result.quasi_identifiers,
    }
    table.risk_source = "measured now (labwarden privacy risk, quasi-identifiers suggested)"


def _categories(catalog: Catalog, asset_ids: Sequence[int], data: PersonalData) -> None:
    if not asset_ids:
        return
    query = FindingQuery(checks=("pii", "privacy"), asset_ids=tuple(asset_ids), statuses=_ALL)
    seen: set[tuple[str, str]] = set()
    for stored in catalog.findings.all(query):
        finding = stored.finding
        evidence = finding.evidence
        entries: list[tuple[str, str]] = []
        if isinstance(evidence.get("columns"), dict):  # quasi-identifiers: column -> entity
            entries += [(str(v).lower(), str(k)) for k, v in evidence["columns"].items()]
        if evidence.get("entity"):
            entries.append((str(evidence["entity"]).lower(), finding.location.member or ""))
        for ident in evidence.get("direct_identifiers") or []:
            entries.append(("direct identifier (pseudonym)", str(ident)))
        if evidence.get("category") == "sensitive" or "special" in finding.rule:
            data.special_categories = True
        for category, column in entries:
            if (category, column) in seen:
                continue
            seen.add((category, column))
            data.categories.append(
                {
                    "category": category,
                    "column": column.removeprefix("column "),
                    "source": f"{finding.check}/{finding.rule} finding",
                }
            )


def personal_data(catalog: Catalog, touched: Sequence[Touched]) -> PersonalData:
    """Data subjects, records, categories and re-identification risk of the datasets read."""
    data = PersonalData()
    objects = ObjectReader(catalog)
    subjects: dict[str, list[pa.Array]] = {}
    rows_read = 0
    read = [t for t in touched if t.asset_id is not None and t.events.get("read")]
    assets = [catalog.assets.get(str(t.asset_id)) for t in read]
    datasets = [(t, a) for t, a in zip(read, assets, strict=True) if a.kind is AssetKind.DATASET]
    for item, asset in datasets:
        files, how = _tables_read(catalog.files.of_asset(asset.id), asset.uri, item.objects_read)
        for record in files:
            column = subject_column(record.columns or [])
            table = TableRead(asset.id, asset.name, record.path, column, None, None, how)
            data.tables.append(table)
            if column is None:
                continue
            try:
                table.rows, values = _distinct(record, column, objects)
            except (LabwardenError, OSError, pa.ArrowException) as exc:
                table.problem = f"cannot be read now: {getattr(exc, 'message', exc)}"
                data.notes.append(f"{record.path}: {table.problem}; its subjects are unknown")
                continue
            table.subjects = len(values)
            subjects.setdefault(column, []).append(values.cast(pa.string()))
            rows_read += table.rows
            _risk(catalog, table)
    _categories(catalog, [a.id for _, a in datasets], data)
    _count(data, subjects, rows_read)
    return data


def _count(data: PersonalData, subjects: dict[str, list[pa.Array]], rows: int) -> None:
    """Distinct subjects per identifier column; several columns (USUBJID in one table, a
    pseudonym in another) may name the same people or not: the sum is an upper bound, the
    largest column a lower bound."""
    counted = [t for t in data.tables if t.subjects is not None]
    if not counted:
        return
    per_column = {
        column: len(pc.unique(pa.chunked_array(arrays).combine_chunks()))
        for column, arrays in subjects.items()
    }
    upper = sum(per_column.values())
    shown = ", ".join(f"{n} by {c}" for c, n in sorted(per_column.items()))
    how = (
        f"distinct subject identifiers across the {len(counted)} tables read ({shown}); read "
        "now from the catalogued files (a table changed since may differ)"
    )
    if len(per_column) > 1:
        how += (
            f"; the columns may name the same people: at least {max(per_column.values())}, at "
            f"most {upper} (the larger figure is given)"
        )
    data.subjects = Derived(upper, how)
    data.records = Derived(rows, f"rows of the {len(counted)} tables read")
