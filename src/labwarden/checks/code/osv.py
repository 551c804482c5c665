"""An offline OSV database: the ecosystem exports the user downloads from OSV (``PyPI/all.zip``
and the like, one JSON advisory per member), or folders of advisory JSON files.

Nothing is fetched: ``--osv-db DIR`` names the folder, and a workspace's ``osv/`` folder is used
when it exists. Advisories are indexed by ecosystem and normalized package name on first use.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.checks.code.cvss import base_score, severity_of_score
from labwarden.checks.code.interface import Dependency, Match, Vulnerability
from labwarden.checks.code.osv_ranges import affects, package_key
from labwarden.core.errors import InputError
from labwarden.core.values import Severity

log = logging.getLogger(__name__)

MAX_ADVISORY_BYTES = 16 << 20
"""Larger members are skipped (real advisories are a few KiB)."""

_DATABASE_SEVERITY = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}


@dataclass(frozen=True, slots=True)
class _Entry:
    advisory: dict[str, Any]
    affected: dict[str, Any]
    ecosystem: str


@dataclass(slots=True)
class OsvDatabase:
    """Advisories indexed by ``(ecosystem, normalized name)``."""

    root: Path
    index: dict[tuple[str, str], list[_Entry]] = field(default_factory=dict)
    advisories: int = 0
    skipped: int = 0

    @classmethod
    def load(cls, root: Path) -> OsvDatabase:
        """Read every ``*.zip`` and ``*.json`` under ``root``.

        Raises :class:`InputError` when ``root`` is not a folder, holds no advisory, or a zip
        file is corrupt; a member that is not an advisory is skipped and counted.
        """
        if not root.is_dir():
            raise InputError(f"{root}: --osv-db must be a folder of OSV exports (zip or JSON)")
        database = cls(root)
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".zip", ".json"))
        for path in files:
            database._read(path)
        if not database.advisories:
            raise InputError(
                f"{root}: no OSV advisories found (expected e.g. PyPI/all.zip from the OSV "
                "bulk export, or advisory .json files)"
            )
        log.info("OSV database %s: %d advisories", root, database.advisories)
        return database

    def _read(self, path: Path) -> None:
        if path.suffix.lower() == ".json":
            try:
                self._add(path.read_bytes(), str(path))
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
            return
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    if info.is_dir() or not info.filename.lower().endswith(".json"):
                        continue
                    if info.file_size > MAX_ADVISORY_BYTES:
                        self.skipped += 1
                        continue
                    self._add(archive.read(info), f"{path}!{info.filename}")
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise InputError(f"{path}: not a readable OSV zip export: {exc}") from exc

    def _add(self, data: bytes, where: str) -> None:
        try:
            value = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            self.skipped += 1
            log.debug("%s: not JSON, skipped", where)
            return
        for advisory in value if isinstance(value, list) else [value]:
            if not _is_advisory(advisory):
                self.skipped += 1
                continue
            if advisory.get("withdrawn"):
                continue
            self.advisories += 1
            for affected in advisory["affected"]:
                package = affected.get("package") if isinstance(affected, dict) else None
                if not isinstance(package, dict):
                    continue
                ecosystem, name = package.get("ecosystem"), package.get("name")
                if isinstance(ecosystem, str) and isinstance(name, str):
                    key = package_key(ecosystem, name)
                    self.index.setdefault(key, []).append(_Entry(advisory, affected, ecosystem))

    def matches(self, dependency: Dependency) -> list[Vulnerability]:
        """The advisories that affect ``dependency`` at its pinned version."""
        if not dependency.version:
            return []
        found: dict[str, Vulnerability] = {}
        for entry in self.index.get(package_key(dependency.ecosystem, dependency.name), []):
            if affects(entry.affected, dependency.version, entry.ecosystem):
                vulnerability = to_vulnerability(entry.advisory, entry.affected)
                found.setdefault(vulnerability.id, vulnerability)
        return list(found.values())

    def match_all(self, dependencies: Iterable[Dependency]) -> Iterator[Match]:
        """Every dependency/advisory pair that applies."""
        for dependency in dependencies:
            for vulnerability in self.matches(dependency):
                yield Match(dependency, vulnerability)


def _is_advisory(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and isinstance(value.get("affected"), list)
    )


def to_vulnerability(advisory: dict[str, Any], affected: dict[str, Any]) -> Vulnerability:
    """The parts of an advisory a finding and a BOM show."""
    vector = _cvss_vector(advisory)
    score = base_score(vector) if vector else None
    severity = _severity(advisory, affected, score)
    fixed = tuple(
        str(event["fixed"])
        for item in affected.get("ranges") or []
        if isinstance(item, dict)
        for event in item.get("events") or []
        if isinstance(event, dict) and "fixed" in event
    )
    aliases = advisory.get("aliases")
    references = advisory.get("references")
    return Vulnerability(
        id=str(advisory["id"]),
        aliases=tuple(str(a) for a in aliases) if isinstance(aliases, list) else (),
        summary=str(advisory.get("summary") or advisory.get("details") or "")[:300],
        severity=severity,
        score=score,
        vector=vector,
        fixed=fixed,
        references=tuple(
            str(r["url"]) for r in references or [] if isinstance(r, dict) and "url" in r
        )[:10],
        published=_text(advisory.get("published")),
        modified=_text(advisory.get("modified")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _cvss_vector(advisory: dict[str, Any]) -> str | None:
    for item in advisory.get("severity") or []:
        if isinstance(item, dict) and str(item.get("type", "")).startswith("CVSS_V3"):
            score = item.get("score")
            return score if isinstance(score, str) else None
    return None


def _severity(advisory: dict[str, Any], affected: dict[str, Any], score: float | None) -> Severity:
    for holder in (advisory.get("database_specific"), affected.get("ecosystem_specific")):
        if isinstance(holder, dict):
            label = holder.get("severity")
            if isinstance(label, str) and label.upper() in _DATABASE_SEVERITY:
                return _DATABASE_SEVERITY[label.upper()]
    if score is not None:
        return severity_of_score(score)
    return Severity.MEDIUM


_CACHE: dict[tuple[str, tuple[tuple[str, int, int], ...]], OsvDatabase] = {}


def load_cached(root: Path) -> OsvDatabase:
    """:meth:`OsvDatabase.load`, reused while no file under ``root`` changes."""
    try:
        stamp = tuple(
            (str(p), p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(root.rglob("*"))
            if p.suffix.lower() in (".zip", ".json")
        )
    except OSError as exc:
        raise InputError(f"{root}: cannot read: {exc.strerror}") from exc
    key = (str(root.resolve()), stamp)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = OsvDatabase.load(root)
    return _CACHE[key]
