"""``labwarden trace``: where a leaked sample comes from, as one report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError, LabwardenError
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.trace.files import ARCHIVE_ERRORS, archive_members, is_archive, trace_files
from labwarden.trace.fingerprint.attribute import DEFAULT_ALPHA
from labwarden.trace.leaks import is_table_name
from labwarden.trace.tables import TableMatch, read_leaked, trace_frame, trace_table


@dataclass(slots=True)
class TraceReport:
    """What a leak was found to hold."""

    file: str
    kind: str
    items: int
    candidates: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``no match``, ``matched`` (sources known, recipient not), ``attributed`` or
        ``collusion`` (the best candidate's)."""
        if not self.candidates:
            return "no match"
        attribution = self.candidates[0].get("attribution")
        if attribution and attribution["verdict"] in ("attributed", "collusion"):
            return str(attribution["verdict"])
        return "matched"

    @property
    def recipients(self) -> list[str]:
        """The recipients the best candidate names."""
        if not self.candidates or not self.candidates[0].get("attribution"):
            return []
        attribution = self.candidates[0]["attribution"]
        if attribution["recipient"]:
            return [str(attribution["recipient"])]
        return [str(r) for r in attribution["colluders"]]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (candidates ranked, best first)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "items": self.items,
            "verdict": self.verdict,
            "recipients": self.recipients,
            "candidates": self.candidates,
            "notes": self.notes,
        }

    def summary(self) -> str:
        """One line for people (and incident notes)."""
        if not self.candidates:
            return f"{self.file}: matches nothing in the catalog"
        best = self.candidates[0]
        where = best.get("source")
        share = best.get("fraction_of_leak", 0.0)
        text = f"{self.file}: {share:.0%} of it comes from {where}"
        attribution = best.get("attribution")
        if attribution is None:
            return text + " (not a shared copy: no recipient to name)"
        if self.verdict == "attributed":
            first = attribution["candidates"][0]
            return (
                f"{text}; the copy shared with {attribution['recipient']} "
                f"(false-match probability {first['false_match_probability']:.1e})"
            )
        if self.verdict == "collusion":
            return f"{text}; marks of several recipients: {', '.join(self.recipients)}"
        return f"{text}; recipient unknown (no copy's marks above chance)"


MAX_TABLES = 500
"""Tables of a leaked folder or archive traced row by row (the rest by digest only)."""


def _table_items(path: Path, notes: list[str]) -> Iterator[tuple[str, bytes]]:
    """``(name, bytes)`` of the tables in a leaked folder or archive."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        for file in (f for f in files if is_table_name(f.name)):
            try:
                yield str(file), file.read_bytes()
            except OSError as exc:
                notes.append(f"{file}: cannot be read ({exc.strerror})")
        return
    try:
        for name, data in archive_members(path):
            if is_table_name(name):
                yield name, data
    except ARCHIVE_ERRORS as exc:
        notes.append(f"{path}: damaged archive, tables read up to the damage ({exc})")


def _trace_tables(
    workspace: Workspace, catalog: Catalog, path: Path, alpha: float, notes: list[str]
) -> tuple[int, list[dict[str, Any]]]:
    """Every table of a folder or archive traced row by row: rows read, candidates."""
    rows = 0
    found: list[tuple[TableMatch, str]] = []
    for count, (name, data) in enumerate(_table_items(path, notes)):
        if count >= MAX_TABLES:
            notes.append(f"{path}: more than {MAX_TABLES} tables; the rest by digest only")
            break
        try:
            frame, read_notes = read_leaked(catalog, data, name)
        except LabwardenError as exc:
            notes.append(exc.message)
            continue
        matches, more = trace_frame(workspace, catalog, frame, alpha)
        notes += read_notes + more
        rows += frame.rows
        found += [(m, name) for m in matches]
    found.sort(key=lambda item: item[0].rank)
    return rows, [{**m.to_dict(), "leaked": name} for m, name in found]


def _single_table(
    workspace: Workspace, catalog: Catalog, path: Path, alpha: float
) -> TraceReport | None:
    try:
        leaked, matches, notes = trace_table(workspace, catalog, path, alpha)
    except LabwardenError as exc:
        report = TraceReport(str(path), "file", 1, notes=[f"{exc.message}; compared by digest"])
        _count, found, more = trace_files(catalog, path)
        report.candidates, report.notes = found, report.notes + more
        return report
    report = TraceReport(str(path), "table", leaked.rows, notes=notes)
    report.candidates = [m.to_dict() for m in matches]
    for match in matches:
        report.notes += match.notes
    return report if report.candidates else None


def trace_path(
    workspace: Workspace, catalog: Catalog, path: Path, alpha: float = DEFAULT_ALPHA
) -> TraceReport:
    """Trace a leaked table, file, folder or archive against the catalog: tables row by row
    (also inside folders and archives), models tensor by tensor, other files by digest."""
    if not 0 < alpha < 1:
        raise InputError(f"--alpha {alpha}: must be between 0 and 1")
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_file() and (is_table_name(path.name) or path.suffix.lower() == ".xpt"):
        report = _single_table(workspace, catalog, path, alpha)
        if report is not None:
            return report
    notes: list[str] = []
    tables: list[dict[str, Any]] = []
    if path.is_dir() or is_archive(path):
        _rows, tables = _trace_tables(workspace, catalog, path, alpha, notes)
    count, found, more = trace_files(catalog, path)
    kind = "folder" if path.is_dir() else "archive" if is_archive(path) else "file"
    return TraceReport(str(path), kind, count, tables + found, notes + more)
