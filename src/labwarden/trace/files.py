"""Tracing leaked files, folders and archives against the catalog: whole files by content
digest, model files tensor by tensor against seals, and truncated files as the start of a
catalogued file."""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.seal.hashing import Algorithm, digest_bytes, digest_file
from labwarden.store.catalog import Catalog
from labwarden.trace.models import trace_models

MAX_MEMBER = 1 << 30
MAX_READ = 4 << 30
"""Larger leaked files are compared by whole-file digest only."""
MAX_FILES = 100_000
MIN_PREFIX = 1024
"""A truncated leak shorter than this is not compared as the start of a file (too common)."""
PREFIX_CANDIDATES = 2000
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
    """Whether ``path`` is a zip or tar archive (a PyTorch checkpoint, itself a zip, is a
    model file, not an archive of leaked files)."""
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                return not any(n.endswith("data.pkl") for n in archive.namelist())
        except ARCHIVE_ERRORS:
            return False
    try:
        return tarfile.is_tarfile(path)
    except (*ARCHIVE_ERRORS, zlib.error):
        return False


@dataclass(slots=True)
class _Leak:
    """Digests of every leaked file, and the ones that match no catalog file."""

    notes: list[str]
    digests: dict[str, str] = field(default_factory=dict)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    """name: (size, BLAKE3 of the whole leaked file), for the prefix comparison."""

    def add(self, name: str, data: bytes) -> None:
        for algorithm in ALGORITHMS:
            self.digests[digest_bytes(data, algorithm)] = name
        if len(data) >= MIN_PREFIX:
            self.heads[name] = (len(data), digest_bytes(data, "blake3"))


def _files(path: Path, leak: _Leak) -> Iterator[tuple[str, bytes]]:
    """Every leaked file's name and bytes (archive members; files of a folder)."""
    if path.is_file() and is_archive(path):
        try:
            for name, data in archive_members(path):
                leak.add(name, data)
                yield name, data
        except ARCHIVE_ERRORS as exc:
            leak.notes.append(f"{path}: damaged archive, read up to the damage ({exc})")
        return
    files = [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        if len(files) > MAX_FILES:
            leak.notes.append(f"{path}: {len(files)} files; only the first {MAX_FILES} compared")
    for file in files[:MAX_FILES]:
        try:
            if file.stat().st_size > MAX_READ:
                for algorithm in ALGORITHMS:
                    leak.digests[digest_file(str(file), algorithm)] = str(file)
                leak.notes.append(f"{file}: over {MAX_READ >> 30} GiB; whole-file digest only")
                continue
            data = file.read_bytes()
        except OSError as exc:
            leak.notes.append(f"{file}: cannot be read ({exc.strerror})")
            continue
        leak.add(str(file), data)
        yield str(file), data


def _by_digest(catalog: Catalog, leak: _Leak) -> list[dict[str, Any]]:
    assets: dict[Any, dict[str, Any]] = {}
    for row in catalog.shares.files_with_digests(sorted(leak.digests)):
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
        entry["matches"].append({"leaked": leak.digests[row["digest"]], "original": row["path"]})
        leak.heads.pop(leak.digests[row["digest"]], None)
    return sorted(assets.values(), key=lambda e: -int(e["files_matched"]))


def _prefix_of(path: str, size: int, digest: str) -> bool:
    try:
        with Path(path).open("rb") as handle:
            return digest_bytes(handle.read(size), "blake3") == digest
    except OSError:
        return False


def _truncated(catalog: Catalog, leak: _Leak) -> list[dict[str, Any]]:
    """Leaked files that are the first bytes of a larger catalogued file."""
    found = []
    for name, (size, digest) in sorted(leak.heads.items()):
        suffix = Path(name.rsplit("!", 1)[-1]).suffix
        for row in catalog.shares.files_larger(size, suffix, PREFIX_CANDIDATES):
            if _prefix_of(row["path"], size, digest):
                found.append(
                    {
                        "kind": "truncated file",
                        "asset_id": row["asset_id"],
                        "asset": row["asset"],
                        "source": row["path"],
                        "files_matched": 1,
                        "fraction_of_original": size / row["size"],
                        "matches": [{"leaked": name, "original": row["path"], "bytes": size}],
                    }
                )
                break
    return found


def trace_files(catalog: Catalog, path: Path) -> tuple[int, list[dict[str, Any]], list[str]]:
    """The sealed asset versions whose files or tensors the leak holds, the catalog assets
    whose files it holds byte for byte, then catalogued files it holds the start of: how many
    leaked files were looked at, one entry per version, asset or file (best first), and notes."""
    leak = _Leak([])
    items = _files(path, leak)
    sealed = trace_models(catalog, items, leak.notes)
    for _rest in items:  # no seals: the digests are still wanted
        pass
    files = _by_digest(catalog, leak)
    for entry in sealed:
        for match in entry["matches"]:
            leak.heads.pop(str(match["leaked"]).split(":", 1)[0], None)
    found = sealed + files + _truncated(catalog, leak)
    return len(set(leak.digests.values())), found, leak.notes
