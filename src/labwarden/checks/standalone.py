"""Run checks over files and folders without a workspace (``labwarden inspect ...``).

Paths are walked and grouped into assets exactly as ``labwarden scan`` does, but nothing is
hashed or stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from labwarden.core.asset import Asset, FileRecord
from labwarden.core.check import Check, CheckContext, run_checks
from labwarden.core.finding import Finding
from labwarden.inventory.collect import collect
from labwarden.inventory.grouping import group_assets
from labwarden.inventory.sources.interface import Note
from labwarden.inventory.sources.local import LocalSource


@dataclass(slots=True)
class Inspection:
    """What one standalone inspection found."""

    assets: list[Asset] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        """How many files were looked at."""
        return sum(len(a.files) for a in self.assets)


def inspect_paths(
    paths: Sequence[str],
    checks: Sequence[Check],
    *,
    exclude: tuple[str, ...] = (".git", ".labwarden", "__pycache__"),
    only_applicable: bool = True,
) -> Inspection:
    """Walk ``paths``, group the files into assets and run ``checks`` on each asset."""
    source = LocalSource(list(paths), exclude=exclude)
    records: list[FileRecord] = []
    result = Inspection()
    markers: dict[str, set[str]] = {}
    for batch in collect(source, {}, None):
        records.extend(batch.changed)
        result.notes.extend(batch.notes)
        for folder, names in batch.markers.items():
            markers.setdefault(folder, set()).update(names)
    result.assets = group_assets(records, source.roots, markers)
    context = CheckContext()
    for asset in result.assets:
        run = run_checks(asset, checks, context, only_applicable=only_applicable)
        result.findings.extend(run.findings)
        result.errors.extend(run.errors)
    result.findings.sort(key=lambda f: (-f.severity.rank, f.location.path))
    return result
