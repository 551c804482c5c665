"""Tracing a leaked table: which catalog tables it comes from and whose marked copy it is."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError, LabwardenError
from labwarden.core.workspace import Workspace
from labwarden.seal.hashing import digest_file
from labwarden.store.catalog import Catalog
from labwarden.trace.fingerprint import keys
from labwarden.trace.fingerprint.attribute import DEFAULT_ALPHA, Comparison, attribute, compare
from labwarden.trace.fingerprint.attribute import evidence as recipient_evidence
from labwarden.trace.fingerprint.frame import Frame, from_arrow, read_frame
from labwarden.trace.fingerprint.marks import DEFAULT_BOUND, DEFAULT_RATE
from labwarden.trace.fingerprint.normalize import name_key
from labwarden.trace.fingerprint.share import source_copy
from labwarden.trace.leaks import read_leak

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Original:
    """A table the leak may come from."""

    path: str
    digest: str
    asset_id: int | None
    columns: list[str] = field(default_factory=list)
    shared: bool = False


@dataclass(slots=True)
class TableMatch:
    """A leak against one original: containment and, for shared tables, the attribution."""

    original: Original
    comparison: Comparison
    attribution: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "kind": "table",
            "source": self.original.path,
            "digest": self.original.digest,
            "asset_id": self.original.asset_id,
            **self.comparison.containment.to_dict(),
            "attribution": self.attribution,
            "notes": self.notes,
        }

    @property
    def rank(self) -> tuple[float, float]:
        """Sort key: attributed first, then most of the leak explained."""
        named = 1.0 if self.attribution and self.attribution["verdict"] != "unknown" else 0.0
        data = self.comparison.containment.to_dict()
        return (-named, -float(data["fraction_of_leak"]))


def originals(catalog: Catalog, leaked: Frame, limit: int = 1000) -> list[Original]:
    """Shared tables and catalog tables worth comparing with the leak (sharing a column name,
    or any table when the leak's names match none)."""
    found: dict[str, Original] = {}
    copies = {s.output for s in catalog.shares.find()}
    for digest, path in catalog.shares.sources().items():
        found[digest] = Original(path, digest, None, shared=True)
    for row in catalog.shares.table_files():
        if row["path"] in (leaked.source, *copies) or not row["digest"]:
            continue  # the leak itself or a marked copy, when scanned into the catalog
        known = found.get(row["digest"])
        if known is not None:
            known.asset_id = known.asset_id or row["asset_id"]
            continue
        found[row["digest"]] = Original(
            row["path"], row["digest"], row["asset_id"], list(row["columns"])
        )
    wanted = {name_key(c.name) for c in leaked.columns}
    named = [
        o
        for o in found.values()
        if o.shared or not o.columns or wanted & {name_key(c) for c in o.columns}
    ]
    return (named or list(found.values()))[:limit]


def _attribution(workspace: Workspace, catalog: Catalog, match: TableMatch, alpha: float) -> None:
    shares = catalog.shares.find(match.original.digest)
    if not shares:
        return
    master = keys.load(workspace)
    if master is None:
        match.notes.append("shared, but the workspace's fingerprint key is missing")
        return
    found = []
    for item in shares:
        if item.key_id != keys.key_id(master):
            match.notes.append(f"share to {item.recipient} used another key ({item.key_id})")
            continue
        found.append(
            recipient_evidence(
                match.comparison,
                item.recipient,
                keys.recipient_key(master, item.source_digest, item.recipient),
                float(item.detail.get("rate", DEFAULT_RATE)),
                float(item.detail.get("bound", DEFAULT_BOUND)),
                int(item.detail.get("canary_rows", 0)),
            )
        )
    if found:
        match.attribution = attribute(found, alpha).to_dict()


def _load(workspace: Workspace, original: Original, notes: list[str]) -> Frame | None:
    """The original's rows: the file, or for a shared table that changed or was removed since,
    the shared version the workspace kept."""
    path = Path(original.path)
    kept = source_copy(workspace, original.digest) if original.shared else None
    try:
        if path.is_file() and digest_file(str(path)) == original.digest:
            return read_frame(path)
        if kept is not None and kept.is_file():
            notes.append(
                f"{path}: changed or removed since it was shared; compared with the shared "
                f"version kept in the workspace ({original.digest[:16]})"
            )
            return read_frame(kept)
        notes.append(f"{path}: changed since it was recorded; not compared")
        return None
    except (OSError, LabwardenError) as exc:
        notes.append(f"{path}: cannot be read ({getattr(exc, 'message', exc)})")
        return None


def _known_names(catalog: Catalog, leaked: Frame) -> bool:
    """Whether a column name of the leak is a column name of a shared or catalogued table."""
    wanted = {name_key(c.name) for c in leaked.columns}
    for item in catalog.shares.find():
        if wanted & {name_key(str(c)) for c in item.detail.get("columns", [])}:
            return True
    return any(
        wanted & {name_key(c) for c in row["columns"]} for row in catalog.shares.table_files()
    )


def read_leaked(catalog: Catalog, data: bytes, name: str) -> tuple[Frame, list[str]]:
    """A leaked table's frame from its bytes (a header line nobody's columns are called like
    is read as a data row) and notes on what could not be read."""
    leaked = read_leak(data, name)
    frame = from_arrow(leaked.table, name)
    if not leaked.headerless and not _known_names(catalog, frame):
        again = read_leak(data, name, header=False)
        if again.table.num_rows:
            leaked, frame = again, from_arrow(again.table, name)
    return frame, leaked.notes


def tiers(found: list[Original], leaked: Frame) -> list[list[Original]]:
    """The originals in the order worth comparing: shared tables and tables holding every
    column name of the leak first, then the others."""
    wanted = {name_key(c.name) for c in leaked.columns}
    first = [
        o for o in found if o.shared or (o.columns and wanted <= {name_key(c) for c in o.columns})
    ]
    chosen = {id(o) for o in first}
    return [first, [o for o in found if id(o) not in chosen]]


def _match(
    workspace: Workspace,
    catalog: Catalog,
    leaked: Frame,
    original: Original,
    alpha: float,
    notes: list[str],
) -> TableMatch | None:
    frame = _load(workspace, original, notes)
    comparison = compare(leaked, frame) if frame is not None else None
    if comparison is None:
        return None
    data = comparison.containment
    if data.exact + data.near == 0:
        return None
    if not data.significant:
        notes.append(
            f"{original.path}: {data.exact + data.near} row(s) of the leak match it, no "
            f"more than chance would ({data.expected_by_chance:.1f}); not reported"
        )
        return None
    match = TableMatch(original, comparison)
    _attribution(workspace, catalog, match, alpha)
    return match


def trace_frame(
    workspace: Workspace, catalog: Catalog, leaked: Frame, alpha: float = DEFAULT_ALPHA
) -> tuple[list[TableMatch], list[str]]:
    """The catalog tables the leaked frame holds rows of, best first, and notes. Tables that
    share only some column names with the leak are compared when none holding them all (or
    shared) matched."""
    notes: list[str] = []
    matches: list[TableMatch] = []
    first, rest = tiers(originals(catalog, leaked), leaked)
    for tier in (first, rest):
        for original in tier:
            match = _match(workspace, catalog, leaked, original, alpha, notes)
            if match is not None:
                matches.append(match)
        if matches:
            if tier is first and rest:
                notes.append(
                    f"{len(rest)} catalog table(s) sharing only some column names with the "
                    "leak not compared (tables holding every column matched)"
                )
            break
    matches.sort(key=lambda m: m.rank)
    return matches, notes


def trace_table(
    workspace: Workspace, catalog: Catalog, path: Path, alpha: float = DEFAULT_ALPHA
) -> tuple[Frame, list[TableMatch], list[str]]:
    """The catalog tables ``path`` holds rows of, best first, and notes on what was skipped."""
    path = path.absolute()
    if path.suffix.lower() == ".xpt":
        leaked, notes = read_frame(path), list[str]()
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot be read: {exc.strerror}") from exc
        leaked, notes = read_leaked(catalog, data, str(path))
    matches, more = trace_frame(workspace, catalog, leaked, alpha)
    return leaked, matches, notes + more
