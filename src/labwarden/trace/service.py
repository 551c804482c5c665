"""``labwarden trace``: where a leaked sample comes from, as one report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.trace.files import trace_files
from labwarden.trace.fingerprint.attribute import DEFAULT_ALPHA
from labwarden.trace.tables import TABLE_SUFFIXES, trace_table


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


def trace_path(
    workspace: Workspace, catalog: Catalog, path: Path, alpha: float = DEFAULT_ALPHA
) -> TraceReport:
    """Trace a leaked table, file, folder or archive against the catalog."""
    if not 0 < alpha < 1:
        raise InputError(f"--alpha {alpha}: must be between 0 and 1")
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES:
        leaked, matches, notes = trace_table(workspace, catalog, path, alpha)
        report = TraceReport(str(path), "table", leaked.rows, notes=notes)
        report.candidates = [m.to_dict() for m in matches]
        for match in matches:
            report.notes += match.notes
        if report.candidates:
            return report
    count, found, notes = trace_files(catalog, path)
    kind = "folder" if path.is_dir() else "file"
    return TraceReport(str(path), kind, count, found, notes)
