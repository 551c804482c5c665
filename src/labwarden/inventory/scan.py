"""``labwarden scan``: walk sources, update the catalog, classify assets, run checks."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from labwarden.core.asset import Asset, FileRecord, SensitivityReason
from labwarden.core.check import Check, CheckContext, run_checks
from labwarden.core.finding import Finding
from labwarden.core.values import Sensitivity
from labwarden.inventory.collect import collect
from labwarden.inventory.grouping import group_assets
from labwarden.inventory.policy import Policy
from labwarden.inventory.sources.interface import Keeping, Note, Source
from labwarden.seal.hashing import Algorithm, digest_bytes
from labwarden.store.assets import AssetChange, AssetSummary
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery

log = logging.getLogger(__name__)

_MAX_LISTED = 50


@dataclass(slots=True)
class ScanResult:
    """What one scan did."""

    scan_id: int
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_deleted: int = 0
    bytes_read: int = 0
    asset_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    """Active assets in the catalog after the scan, by ``(kind, sensitivity)``."""
    asset_changes: Counter[str] = field(default_factory=Counter)
    notes: list[Note] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    check_errors: list[str] = field(default_factory=list)

    @property
    def files_total(self) -> int:
        """Files present after the scan."""
        return self.files_new + self.files_changed + self.files_unchanged

    def stats(self) -> dict[str, Any]:
        """Counters for the scans table and JSON output."""
        return {
            "files_new": self.files_new,
            "files_changed": self.files_changed,
            "files_unchanged": self.files_unchanged,
            "files_deleted": self.files_deleted,
            "bytes_read": self.bytes_read,
            "assets": sum(self.asset_counts.values()),
            "asset_changes": dict(self.asset_changes),
            "notes": len(self.notes),
            "findings": len(self.findings),
        }


def content_digest(asset: Asset, algorithm: Algorithm) -> str:
    """One digest over an asset's file paths (relative to the asset) and their digests."""
    base = asset.uri.rstrip("/") + "/"
    lines = sorted(f"{f.path.removeprefix(base)}\0{f.digest or ''}" for f in asset.files)
    return digest_bytes("\n".join(lines).encode("utf-8", "surrogateescape"), algorithm)


def run_scan(
    catalog: Catalog,
    source: Source,
    policy: Policy,
    *,
    algorithm: Algorithm = "blake3",
    checks: Sequence[Check] = (),
    recheck: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    opener: Callable[[FileRecord], BinaryIO] | None = None,
) -> ScanResult:
    """Scan ``source`` into ``catalog`` and return what changed.

    Files are committed in batches, so a killed scan keeps what it stored; assets are regrouped
    and file deletions applied in one transaction at the end. Checks run on assets that are new
    or changed (all assets with ``recheck``); they read files through ``opener`` when the
    source's files are not local (an object store).
    """
    scan_id = catalog.scans.start(source.roots, algorithm)
    result = ScanResult(scan_id)
    files = _store_files(catalog, source, algorithm, result, on_progress)
    assets = group_assets(list(files.current.values()), source.roots, files.markers)
    for asset in assets:
        asset.sensitivity, asset.reasons = policy.classify(asset)
    changed = _store_assets(catalog, assets, source.roots, files, algorithm, result)
    context = CheckContext(workspace_root=catalog.path.parent, opener=opener)
    stale = _changed_checks(catalog, checks)
    for asset in assets:
        if recheck or asset.id in changed or any(f.path in files.touched for f in asset.files):
            _run_checks(catalog, asset, checks, context, scan_id, result)
        elif stale:
            _run_checks(catalog, asset, stale, context, scan_id, result)
    _remember_checks(catalog, checks)
    if result.notes:
        catalog.scans.add_notes(scan_id, [(n.path, n.action, n.reason) for n in result.notes])
    catalog.scans.finish(scan_id, result.stats())
    result.asset_counts = catalog.assets.counts()
    return result


@dataclass(slots=True)
class _Files:
    """What the walk of a scan found, against what the catalog knew."""

    known: dict[str, FileRecord]
    current: dict[str, FileRecord] = field(default_factory=dict)
    markers: dict[str, set[str]] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    """Files whose mode or owner changed: their checks run again."""

    @property
    def deleted(self) -> list[str]:
        """Files the catalog knew that are gone."""
        return sorted(set(self.known) - set(self.current))


def _store_files(
    catalog: Catalog,
    source: Source,
    algorithm: Algorithm,
    result: ScanResult,
    on_progress: Callable[[int, int], None] | None,
) -> _Files:
    """Walk ``source`` and store new and changed files, a batch per transaction."""
    files = _Files(catalog.files.under(source.roots))
    for batch in collect(source, files.known, algorithm, on_progress=on_progress):
        result.notes.extend(batch.notes)
        for folder, names in batch.markers.items():
            files.markers.setdefault(folder, set()).update(names)
        if batch.changed:
            catalog.files.upsert(batch.changed, result.scan_id)
        if isinstance(source, Keeping):
            source.keep(catalog, result.scan_id)
        metadata_changed = _unchanged(files, batch.unchanged, result)
        if metadata_changed:
            catalog.files.update_metadata(metadata_changed)
            files.touched.update(r.path for r in metadata_changed)
        for record in batch.changed:
            files.current[record.path] = record
            result.bytes_read += record.size
            if record.path in files.known:
                result.files_changed += 1
            else:
                result.files_new += 1
    result.files_deleted = len(files.deleted)
    return files


def _unchanged(
    files: _Files, records: Sequence[FileRecord], result: ScanResult
) -> list[FileRecord]:
    """Count files whose content did not change; those whose mode or owner did."""
    metadata_changed = []
    for record in records:
        files.current[record.path] = record
        result.files_unchanged += 1
        old = files.known[record.path]
        if (old.mode, old.uid) != (record.mode, record.uid):
            metadata_changed.append(record)
    return metadata_changed


_UNCHANGED = "unchanged"
"""What :func:`_change_of` says of an asset whose stored row already says it all."""


def _store_assets(
    catalog: Catalog,
    assets: list[Asset],
    roots: Sequence[str],
    files: _Files,
    algorithm: Algorithm,
    result: ScanResult,
) -> set[int]:
    """Save assets, their history and file deletions in one transaction; return changed ids."""
    previous = catalog.assets.index_under(roots)
    old_files: dict[int, dict[str, str | None]] = {}
    for record in files.known.values():
        if record.asset_id is not None:
            old_files.setdefault(record.asset_id, {})[record.path] = record.digest
    changed: set[int] = set()
    with catalog.transaction():
        catalog.files.delete(files.deleted)
        for asset in assets:
            digest = content_digest(asset, algorithm)
            before = previous.pop(asset.uri, None)
            old = old_files.get(before.id, {}) if before is not None else {}
            change, detail = _change_of(asset, before, digest, old)
            if change == _UNCHANGED:
                continue
            asset.id = catalog.assets.save(
                _asset_change(asset, digest), result.scan_id, change, detail
            )
            if change is not None:
                result.asset_changes[change] += 1
            if change in ("added", "modified"):
                changed.add(asset.id)
        for gone in previous.values():
            catalog.assets.remove(gone.id, result.scan_id)
            result.asset_changes["removed"] += 1
    return changed


def _change_of(
    asset: Asset, before: AssetSummary | None, digest: str, old: dict[str, str | None]
) -> tuple[str | None, dict[str, Any]]:
    """How ``asset`` changed since its stored row ``before``: the change to log (``None`` when
    only what is stored changes) and its detail, or :data:`_UNCHANGED` (``asset.id`` is set)."""
    if before is None:
        return "added", {"files": len(asset.files), "size": asset.size}
    if before.content_digest != digest:
        return "modified", _diff(asset, old)
    _keep_check_reasons(asset, before)
    if _same(asset, before):
        asset.id = before.id
        return _UNCHANGED, {}
    if before.sensitivity != asset.sensitivity.value or before.kind != asset.kind.value:
        return "reclassified", {"from": before.sensitivity, "to": asset.sensitivity.value}
    return None, {}


def _asset_change(asset: Asset, digest: str) -> AssetChange:
    return AssetChange(
        uri=asset.uri,
        name=asset.name,
        kind=asset.kind,
        grouping=asset.grouping,
        sensitivity=asset.sensitivity,
        reasons=asset.reasons,
        formats=asset.formats,
        file_paths=[f.path for f in asset.files],
        size=asset.size,
        content_digest=digest,
    )


def _keep_check_reasons(asset: Asset, before: AssetSummary) -> None:
    """Unchanged content is not checked again: keep what earlier checks proved about it."""
    for raw in json.loads(before.reasons_json):
        if str(raw.get("rule", "")).startswith("check:"):
            reason = SensitivityReason(raw["rule"], Sensitivity(raw["sensitivity"]), raw["reason"])
            asset.reasons.append(reason)
            asset.sensitivity = max(asset.sensitivity, reason.sensitivity)


def _same(asset: Asset, before: AssetSummary) -> bool:
    """Whether the stored row already says exactly this (so nothing needs writing)."""
    reasons = json.dumps([r.to_dict() for r in asset.reasons])
    return (
        before.name == asset.name
        and before.kind == asset.kind.value
        and before.grouping == asset.grouping
        and before.sensitivity == asset.sensitivity.value
        and before.reasons_json == reasons
    )


def _diff(asset: Asset, old: dict[str, str | None]) -> dict[str, Any]:
    base = asset.uri.rstrip("/") + "/"
    new = {f.path: f.digest for f in asset.files}
    added = sorted(p for p in new if p not in old)
    removed = sorted(p for p in old if p not in new)
    modified = sorted(p for p in new if p in old and old[p] != new[p])

    def rel(paths: list[str]) -> list[str]:
        return [p.removeprefix(base) for p in paths[:_MAX_LISTED]]

    return {
        "files_added": rel(added),
        "files_removed": rel(removed),
        "files_modified": rel(modified),
        "counts": {"added": len(added), "removed": len(removed), "modified": len(modified)},
    }


def _fingerprint_key(check: Check) -> str:
    return f"checks.{check.name}.fingerprint"


def _changed_checks(catalog: Catalog, checks: Sequence[Check]) -> list[Check]:
    """Checks whose rules changed since the last scan (a check may expose ``fingerprint``, a
    digest of its rules and lists): they run again on unchanged assets too."""
    stored = catalog.settings.all()
    return [
        c
        for c in checks
        if getattr(c, "fingerprint", "") and stored.get(_fingerprint_key(c)) != c.fingerprint  # type: ignore[attr-defined]
    ]


def _remember_checks(catalog: Catalog, checks: Sequence[Check]) -> None:
    stored = catalog.settings.all()
    for check in checks:
        fingerprint = str(getattr(check, "fingerprint", ""))
        if fingerprint and stored.get(_fingerprint_key(check)) != fingerprint:
            catalog.settings.set(_fingerprint_key(check), fingerprint, "scan")


def _run_checks(
    catalog: Catalog,
    asset: Asset,
    checks: Sequence[Check],
    context: CheckContext,
    scan_id: int,
    result: ScanResult,
) -> None:
    assert asset.id is not None
    initial = asset.sensitivity
    run = run_checks(asset, checks, context, escalate=True)
    result.check_errors.extend(run.errors)
    if run.ran:
        with catalog.transaction():
            catalog.findings.record(asset.id, run.ran, run.findings, scan_id)
            _raise_sensitivity(catalog, asset, run.findings, scan_id, initial)
            _accept_on_decoys(catalog, run.findings)
        result.findings.extend(run.findings)


def _accept_on_decoys(catalog: Catalog, findings: Sequence[Finding]) -> None:
    """A planted canary is a decoy made to look like a secret, a dataset or a model: what the
    checks find on it is by design, so it is accepted with the canary's name (still listed with
    ``findings --status accepted``; a canary's secret found elsewhere still raises an alert)."""
    decoys: dict[str, list[str]] = {}
    for finding in findings:
        name = catalog.canaries.decoy_of(finding.location.path)
        if name is not None:
            decoys.setdefault(name, []).append(finding.fingerprint)
    for name, fingerprints in decoys.items():
        query = FindingQuery(fingerprints=tuple(fingerprints))  # the ones still open
        still = [f.fingerprint for f in catalog.findings.query(query).items]
        if still:
            catalog.findings.accept(
                still, reason=f"planted canary {name!r}: a decoy", actor="labwarden canary"
            )


def _raise_sensitivity(
    catalog: Catalog,
    asset: Asset,
    findings: Sequence[Finding],
    scan_id: int,
    before: Sensitivity,
) -> None:
    """Raise the asset's sensitivity to what its findings prove, keeping the reasons.

    ``before`` is the sensitivity the asset had when its checks started.
    """
    raising = [f for f in findings if f.raises is not None and f.raises > before]
    if not raising:
        return
    assert asset.id is not None
    for finding in raising:
        assert finding.raises is not None
        asset.reasons.append(
            SensitivityReason(
                f"check:{finding.check}/{finding.rule}",
                finding.raises,
                f"{finding.message} ({finding.location})",
            )
        )
        asset.sensitivity = max(asset.sensitivity, finding.raises)
    catalog.assets.set_sensitivity(asset.id, asset.sensitivity, asset.reasons, scan_id, before)
