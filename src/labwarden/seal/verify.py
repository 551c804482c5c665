"""Verify a seal: check the signature with a trusted key, hash the folder again, explain drift.

The answer is either *verified* or exactly which files were modified, added, removed or renamed
(same content at a new path); for safetensors files, which tensors' bytes changed. A bad bundle,
an untrusted key or a signature that does not verify is an error, never a verdict.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from labwarden.core import safejson
from labwarden.seal import bundle
from labwarden.seal.errors import SealFormatError, SignatureError
from labwarden.seal.hashing import (
    HEADER_ENTRY,
    HashedFile,
    ProgressSink,
    hash_files,
    tensor_digests,
)
from labwarden.seal.keys import TrustedKey, require_trusted, verify_signature
from labwarden.seal.manifest import PAYLOAD_TYPE, Manifest, parse_statement
from labwarden.seal.safetensors import is_safetensors_name
from labwarden.seal.walk import Excluded, FileEntry, walk

log = logging.getLogger(__name__)

ChangeKind = Literal["modified", "added", "removed", "renamed"]


@dataclass(frozen=True, slots=True)
class OpenedSeal:
    """A bundle whose signature verified with a trusted key, and its manifest."""

    manifest: Manifest
    key: TrustedKey
    root_digest: str
    source: str


def open_seal(data: bytes, source: str, trusted: list[TrustedKey]) -> OpenedSeal:
    """Parse a bundle, verify its signature with a trusted key and parse its statement."""
    parsed = bundle.parse(data, source)
    if parsed.payload_type != PAYLOAD_TYPE:
        raise SealFormatError(
            f"{source}: payload type {parsed.payload_type!r} is not {PAYLOAD_TYPE!r}"
        )
    require_trusted(trusted)
    candidates = [k for k in trusted if parsed.key_hint in (None, k.fingerprint)]
    if not candidates:
        names = ", ".join(f"{k.name} ({k.fingerprint[:12]})" for k in trusted)
        raise SignatureError(
            f"{source}: signed by the key with fingerprint {parsed.key_hint}, which is not "
            f"trusted (trusted keys: {names}); pass --key PUBLIC.pem if you trust it"
        )
    signed = parsed.signed_bytes()
    key = next(
        (
            k
            for k in candidates
            for _, signature in parsed.signatures
            if verify_signature(k.key, signature, signed)
        ),
        None,
    )
    if key is None:
        tried = ", ".join(f"{k.name} ({k.fingerprint[:12]})" for k in candidates)
        raise SignatureError(
            f"{source}: the signature does not verify with {tried}: the seal was edited after "
            "signing or was made with another key"
        )
    try:
        statement = safejson.loads(parsed.payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SealFormatError(f"{source}: the signed payload is not JSON: {exc}") from None
    manifest = parse_statement(statement, source)
    return OpenedSeal(manifest, key, manifest.root_digest(), source)


@dataclass(frozen=True, slots=True)
class TensorChanges:
    """Which tensors of a safetensors file differ from the sealed ones."""

    changed: list[str]
    added: list[str]
    removed: list[str]
    header_changed: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "changed": self.changed,
            "added": self.added,
            "removed": self.removed,
            "header_changed": self.header_changed,
            "note": self.note,
        }

    def summary(self) -> str:
        """One line for tables."""
        parts = []
        if self.changed:
            parts.append("tensors changed: " + ", ".join(self.changed))
        if self.added:
            parts.append("tensors added: " + ", ".join(self.added))
        if self.removed:
            parts.append("tensors removed: " + ", ".join(self.removed))
        if self.header_changed:
            parts.append("header changed")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the sealed files and the folder."""

    kind: ChangeKind
    path: str
    detail: str = ""
    old_path: str | None = None
    tensors: TensorChanges | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        out: dict[str, Any] = {"kind": self.kind, "path": self.path, "detail": self.detail}
        if self.old_path is not None:
            out["old_path"] = self.old_path
        if self.tensors is not None:
            out["tensors"] = self.tensors.to_dict()
        return out


@dataclass(slots=True)
class Verification:
    """The outcome of verifying one folder against one seal."""

    target: Path
    seal: OpenedSeal
    changes: list[Change] = field(default_factory=list)
    files_checked: int = 0
    bytes_checked: int = 0

    @property
    def verified(self) -> bool:
        """True when the folder holds exactly the sealed bytes."""
        return not self.changes

    def counts(self) -> dict[str, int]:
        """Changes by kind."""
        out = {"modified": 0, "added": 0, "removed": 0, "renamed": 0}
        for change in self.changes:
            out[change.kind] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        m = self.seal.manifest
        info = m.info
        return {
            "target": str(self.target),
            "seal": self.seal.source,
            "verified": self.verified,
            "signature": {
                "valid": True,
                "key": self.seal.key.name,
                "fingerprint": self.seal.key.fingerprint,
                "trusted_by": self.seal.key.source,
            },
            "manifest": {
                "name": m.name,
                "root_digest": self.seal.root_digest,
                "algorithm": m.algorithm,
                "method": m.method,
                "files": len(m.files),
                "excluded": [e.to_dict() for e in m.excluded],
                "sealed_at": info.sealed_at if info else None,
                "sealed_by": info.sealed_by if info else None,
                "asset": info.asset.to_dict() if info and info.asset else None,
            },
            "files_checked": self.files_checked,
            "bytes_checked": self.bytes_checked,
            "counts": self.counts(),
            "changes": [c.to_dict() for c in self.changes],
        }


def verify_folder(
    target: Path,
    seal: OpenedSeal,
    *,
    seal_file: Path | None = None,
    workers: int | None = None,
    progress: ProgressSink | None = None,
) -> Verification:
    """Hash ``target`` the way the seal was made and compare it with the sealed files."""
    manifest = seal.manifest
    ignore = dict.fromkeys(manifest.ignore_paths, "ignored by the seal")
    root = Path(os.path.abspath(target))  # noqa: PTH100 (do not resolve links)
    if seal_file is not None:
        # model-signing ignores the signature file when it sits in the folder; so do we.
        with_seal = Path(os.path.abspath(seal_file))  # noqa: PTH100
        if with_seal.is_relative_to(root) and with_seal != root:
            ignore.setdefault(with_seal.relative_to(root).as_posix(), "the seal being verified")
    listing = walk(root, ignore)
    sealed_single = [f.name for f in manifest.files] == ["."]
    if listing.single_file != sealed_single and manifest.files:
        what = "one file" if sealed_single else "a folder"
        raise SealFormatError(f"{target}: the seal {seal.source} is for {what}, this is not")
    if progress is not None:
        progress.total(len(listing.files), sum(f.size for f in listing.files))
    current = hash_files(
        listing.files,
        manifest.algorithm,
        shard_size=manifest.shard_size if manifest.method == "shards" else None,
        tensors=False,
        workers=workers,
        progress=progress.advance if progress is not None else None,
    )
    entries = {e.name: e for e in listing.files}
    result = Verification(root, seal)
    result.files_checked = len(current)
    result.bytes_checked = sum(f.size for f in current)
    result.changes = _compare(manifest, current, entries, listing.excluded)
    return result


def _same(sealed: HashedFile, now: HashedFile, sizes_known: bool) -> bool:
    if sizes_known and sealed.size != now.size:
        return False
    return sealed.digest == now.digest and sealed.shards == now.shards


def _compare(
    manifest: Manifest,
    current: list[HashedFile],
    entries: dict[str, FileEntry],
    excluded_now: list[Excluded],
) -> list[Change]:
    sealed = {f.name: f for f in manifest.files}
    now = {f.name: f for f in current}
    changes, replaced = _excluded_changes(manifest, sealed, excluded_now)
    for name in sorted(set(sealed) & set(now)):
        if not _same(sealed[name], now[name], manifest.sizes_known):
            changes.append(_modified(sealed[name], now[name], entries[name], manifest))
    removed = [sealed[n] for n in sorted(set(sealed) - set(now) - replaced)]
    added = [now[n] for n in sorted(set(now) - set(sealed))]
    changes.extend(_moves(removed, added, manifest.sizes_known))
    order = {"modified": 0, "removed": 1, "renamed": 2, "added": 3}
    changes.sort(key=lambda c: (order[c.kind], c.path))
    return changes


def _excluded_changes(
    manifest: Manifest, sealed: dict[str, HashedFile], excluded_now: list[Excluded]
) -> tuple[list[Change], set[str]]:
    """Entries skipped now but not at sealing (a file replaced by a link...); the sealed files
    they replaced."""
    changes: list[Change] = []
    sealed_excluded = {(e.path, e.kind, e.target) for e in manifest.excluded}
    replaced: set[str] = set()
    for entry in excluded_now:
        if entry.kind == "ignored" or (entry.path, entry.kind, entry.target) in sealed_excluded:
            continue
        if entry.path in sealed:
            replaced.add(entry.path)
            changes.append(Change("modified", entry.path, f"replaced by a {entry.reason}"))
        else:
            changes.append(Change("added", entry.path, f"not sealed: {entry.reason}"))
    return changes, replaced


def _moves(removed: list[HashedFile], added: list[HashedFile], sizes_known: bool) -> list[Change]:
    """Removed and added files, a removed file whose content reappears under a new name being
    one rename."""
    changes: list[Change] = []
    by_identity: dict[tuple[Any, ...], list[HashedFile]] = {}
    for f in added:
        by_identity.setdefault(_identity(f, sizes_known), []).append(f)
    renamed_to: set[str] = set()
    for f in removed:
        matches = by_identity.get(_identity(f, sizes_known))
        if matches:
            target = matches.pop(0)
            renamed_to.add(target.name)
            changes.append(
                Change("renamed", target.name, f"same content as sealed {f.name}", f.name)
            )
        else:
            changes.append(Change("removed", f.name, "sealed file is missing"))
    for f in added:
        if f.name not in renamed_to:
            changes.append(Change("added", f.name, f"not in the seal ({f.size} bytes)"))
    return changes


def _identity(f: HashedFile, sizes_known: bool) -> tuple[Any, ...]:
    return (f.size if sizes_known else None, f.digest, f.shards)


def _modified(sealed: HashedFile, now: HashedFile, entry: FileEntry, m: Manifest) -> Change:
    detail = (
        f"size {sealed.size} -> {now.size} bytes"
        if m.sizes_known and sealed.size != now.size
        else "content differs"
    )
    tensors: TensorChanges | None = None
    if sealed.tensors is not None and is_safetensors_name(sealed.name):
        found, why = tensor_digests(entry)
        if found is None:
            tensors = TensorChanges([], [], [], True, f"header no longer valid: {why}")
        else:
            before = {k: v for k, v in sealed.tensors.items() if k != HEADER_ENTRY}
            after = {k: v for k, v in found.items() if k != HEADER_ENTRY}
            tensors = TensorChanges(
                changed=sorted(n for n in before.keys() & after.keys() if before[n] != after[n]),
                added=sorted(after.keys() - before.keys()),
                removed=sorted(before.keys() - after.keys()),
                header_changed=sealed.tensors.get(HEADER_ENTRY) != found.get(HEADER_ENTRY),
            )
            if not (tensors.changed or tensors.added or tensors.removed or tensors.header_changed):
                tensors = TensorChanges([], [], [], False, "only bytes outside any tensor changed")
    return Change("modified", sealed.name, detail, tensors=tensors)
