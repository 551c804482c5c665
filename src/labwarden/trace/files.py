"""Tracing leaked files, folders and archives by content digest against the catalog."""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labwarden.seal.hashing import Algorithm, digest_bytes, digest_file
from labwarden.store.catalog import Catalog
from labwarden.trace.models import trace_models

MAX_MEMBER = 1 << 30
MAX_FILES = 100_000
ALGORITHMS: tuple[Algorithm, ...] = ("blake3", "sha256")
ARCHIVE_ERRORS = (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError)


def archive_members(path: Path) -> Iterator[tuple[str, bytes]]:
    """``(name, content)`` of each regular member of a zip or tar archive (never extracted)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir() and info.file_size <= MAX_MEMBER:
                    yield f"{path}!{info.filename}", archive.read(info)
        return
    with tarfile.open(path) as archive:
        for member in archive:
            if member.isfile() and member.size <= MAX_MEMBER:
                handle = archive.extractfile(member)
                if handle is not None:
                    yield f"{path}!{member.name}", handle.read()


def is_archive(path: Path) -> bool:
    """Whether ``path`` is a zip or tar archive."""
    if zipfile.is_zipfile(path):
        return True
    try:
        return tarfile.is_tarfile(path)
    except (*ARCHIVE_ERRORS, zlib.error):
        return False


def _digests(path: Path, notes: list[str]) -> dict[str, str]:
    """Each file's digests under every algorithm, keyed by digest."""
    out: dict[str, str] = {}
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        if len(files) > MAX_FILES:
            notes.append(f"{path}: {len(files)} files; only the first {MAX_FILES} compared")
        for file in files[:MAX_FILES]:
            out |= _file_digests(file, notes)
        return out
    if is_archive(path):
        try:
            for name, data in archive_members(path):
                out |= {digest_bytes(data, a): name for a in ALGORITHMS}
        except ARCHIVE_ERRORS as exc:
            notes.append(f"{path}: damaged archive, read up to the damage ({exc})")
        return out
    return _file_digests(path, notes)


def _file_digests(path: Path, notes: list[str]) -> dict[str, str]:
    try:
        return {digest_file(str(path), a): str(path) for a in ALGORITHMS}
    except OSError as exc:
        notes.append(f"{path}: cannot be read ({exc.strerror})")
        return {}


def trace_files(catalog: Catalog, path: Path) -> tuple[int, list[dict[str, Any]], list[str]]:
    """The sealed asset versions whose files or tensors the leak holds, then the catalog assets
    whose files it holds byte for byte: how many leaked files were looked at, one entry per
    version or asset (best first), and notes."""
    notes: list[str] = []
    digests = _digests(path, notes)
    leaked_files = len(set(digests.values()))
    assets: dict[Any, dict[str, Any]] = {}
    for row in catalog.shares.files_with_digests(sorted(digests)):
        key = row["asset_id"] if row["asset_id"] is not None else row["path"]
        entry = assets.setdefault(
            key,
            {
                "kind": "files",
                "asset_id": row["asset_id"],
                "asset": row["asset"],
                "source": row["uri"] or row["path"],
                "files_matched": 0,
                "matches": [],
            },
        )
        entry["files_matched"] += 1
        entry["matches"].append({"leaked": digests[row["digest"]], "original": row["path"]})
    found = sorted(assets.values(), key=lambda e: -int(e["files_matched"]))
    for entry in found:
        entry["fraction_of_leak"] = entry["files_matched"] / max(1, leaked_files)
    if path.is_dir() or not is_archive(path):
        sealed = trace_models(catalog, _regular(path))
        found = sealed + found
    elif found or digests:
        notes.append(f"{path}: archive members compared by file digest only (not by tensor)")
    return leaked_files, found, notes


def _regular(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return files[:MAX_FILES]
