"""The code check: unsafe model and data loading, hub pulls, dependencies and their known
vulnerabilities, and container images, in a code asset's files (read, never run)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labwarden.checks.code.depcheck import dependency_hits, vulnerability_hits
from labwarden.checks.code.files import LOCK_NAMES, kind_of
from labwarden.checks.code.interface import CHECK_NAME, Dependency, Hit, Match
from labwarden.checks.code.osv import OsvDatabase, load_cached
from labwarden.checks.code.readers import FileResult, read_file
from labwarden.checks.interface import CheckContext
from labwarden.core.asset import Asset, FileRecord
from labwarden.core.finding import Finding, Location
from labwarden.core.values import Severity

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 32 << 20
"""Larger files are reported, not read (generated code of this size is not hand-written)."""
WORKSPACE_OSV = "osv"
"""A folder of OSV exports inside the workspace, used when no ``--osv-db`` is given."""


@dataclass(slots=True)
class AssetCode:
    """What the code check read in one asset."""

    files: dict[str, FileResult] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def dependencies(self) -> list[Dependency]:
        """Every dependency and image, once per place it is named."""
        seen: set[tuple[str, int, str, str | None]] = set()
        found: list[Dependency] = []
        for result in self.files.values():
            for dep in [d for m in result.manifests for d in m.dependencies] + result.images:
                key = (dep.source, dep.line, dep.key, dep.member)
                if key not in seen:
                    seen.add(key)
                    found.append(dep)
        return found

    @property
    def has_lock(self) -> bool:
        """Whether the asset holds a lock file."""
        return any(p.rsplit("/", 1)[-1].lower() in LOCK_NAMES for p in self.files)


def code_files(files: Iterable[FileRecord]) -> list[tuple[FileRecord, str]]:
    """The files the check reads, with their kind."""
    found = []
    for record in files:
        kind = kind_of(record.path)
        if kind is not None:
            found.append((record, kind))
    return found


def read_files(files: Iterable[FileRecord], context: CheckContext) -> AssetCode:
    """Read every code file among ``files``; unreadable files are recorded, not raised."""
    code = AssetCode()
    for record, kind in code_files(files):
        if record.size > MAX_FILE_BYTES:
            code.errors.append((record.path, f"{record.size} bytes, larger than the limit"))
            continue
        try:
            with context.open(record) as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            code.errors.append((record.path, exc.strerror or str(exc)))
            continue
        text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
        code.files[record.path] = read_file(kind, record.path, text)
    return code


class CodeCheck:
    """Unsafe loading, hub pulls, dependencies, vulnerabilities and images in code assets.

    ``osv_db`` is a folder of OSV exports; without one, a workspace's ``osv/`` folder is used
    when it exists, and no vulnerability is looked up otherwise.
    """

    name = CHECK_NAME
    description = "unsafe model loading, unpinned hub pulls, dependencies and known vulnerabilities"

    def __init__(self, osv_db: Path | None = None) -> None:
        self.osv_db = osv_db

    def applies_to(self, asset: Asset) -> bool:
        """Any asset with a file the check reads."""
        return any(kind_of(record.path) for record in asset.files)

    def database(self, context: CheckContext) -> OsvDatabase | None:
        """The OSV database to match against, if any."""
        if self.osv_db is not None:
            return load_cached(self.osv_db)
        if context.workspace_root is not None:
            folder = context.workspace_root / WORKSPACE_OSV
            if folder.is_dir():
                return load_cached(folder)
        return None

    def run(self, asset: Asset, context: CheckContext) -> Iterator[Finding]:
        """The findings of every code file of ``asset``."""
        code = read_files(asset.files, context)
        database = self.database(context)
        for path, reason in code.errors:
            yield Finding(
                check=CHECK_NAME,
                rule="unreadable-file",
                severity=Severity.INFO,
                location=Location(path),
                message=f"not read by the code check: {reason}",
                asset_id=asset.id,
            )
        seen: set[str] = set()
        for path, result in code.files.items():
            for hit in _hits(result, code.has_lock, database):
                finding = to_finding(hit, hit.source or path, asset)
                # A -r include that is also in the asset is read twice; report it once.
                if finding.fingerprint not in seen:
                    seen.add(finding.fingerprint)
                    yield finding


def _hits(result: FileResult, has_lock: bool, database: OsvDatabase | None) -> Iterator[Hit]:
    yield from result.hits
    for manifest in result.manifests:
        yield from dependency_hits(manifest, has_lock)
        yield from vulnerability_hits(manifest, database)


def to_finding(hit: Hit, path: str, asset: Asset) -> Finding:
    """A hit as a finding of the code check."""
    location = Location(path, member=hit.member, line=hit.line or None)
    return Finding(
        check=CHECK_NAME,
        rule=hit.rule,
        severity=hit.severity,
        location=location,
        message=hit.message,
        remediation=hit.fix,
        evidence=hit.evidence,
        asset_id=asset.id,
    )


def dependencies(
    files: Iterable[FileRecord], context: CheckContext | None = None
) -> list[Dependency]:
    """The dependencies and container images that the code among ``files`` names (for the
    BOM); files that cannot be read are left out."""
    return read_files(files, context or CheckContext()).dependencies


def vulnerable(found: Iterable[Dependency], database: OsvDatabase | None) -> list[Match]:
    """The known vulnerabilities of ``found`` (empty without a database)."""
    return list(database.match_all(found)) if database is not None else []
