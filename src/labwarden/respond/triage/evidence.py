"""The evidence folder being filled: every artifact as it was read, and its manifest entry.

Files are copied from the host in chunks into a staging folder beside the archive, hashed
(SHA-256) on the way, and never read from the host again: parsers read the staged copy, so
that what is judged is exactly what is archived.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labwarden.respond.triage.host import Host, Unreadable, read_fd
from labwarden.seal.hashing import digest_handle

ARTIFACTS = "artifacts"
"""The folder of the evidence that holds what was collected."""
_CHUNK = 1 << 20
MAX_LINE = 1 << 16
"""Longest line parsers see (a log of binary garbage has no line ends)."""
_SAFE = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,+=@~/")


def safe_name(path: str) -> str:
    """``path`` as a portable archive path: bytes outside a small safe set become ``%XX``."""
    raw = os.fsencode(path)
    out = bytearray()
    for byte in raw:
        if byte in _SAFE:
            out.append(byte)
        else:
            out.extend(f"%{byte:02X}".encode())
    text = out.decode("ascii").strip("/")
    parts = [p if p not in ("", ".", "..") else p.replace(".", "%2E") for p in text.split("/")]
    return "/".join(p for p in parts if p)


def host_path_text(path: str) -> str:
    """A host path as JSON-safe text (undecodable bytes shown as ``\\xNN``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def iso_time(seconds: float) -> str:
    """A POSIX time as ISO 8601 UTC."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class Entry:
    """One archived file."""

    path: str
    """Relative to the evidence folder."""
    sha256: str
    size: int
    artifact: str
    source: str
    """The host path, or the command, it came from."""
    mtime: float | None = None
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None
    truncated: bool = False
    """Only the first bytes were kept (the note says how many there were)."""
    redacted: bool = False
    """Secrets were removed before archiving (password hashes); ``source_sha256`` is the
    original's digest."""
    source_sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The manifest record."""
        out: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "artifact": self.artifact,
            "source": host_path_text(self.source),
        }
        if self.mtime is not None:
            out["mtime"] = iso_time(self.mtime)
        if self.mode is not None:
            out["mode"] = f"{stat.S_IMODE(self.mode):04o}"
            out["uid"], out["gid"] = self.uid, self.gid
        if self.truncated:
            out["truncated"] = True
        if self.redacted:
            out["redacted"] = True
            out["source_sha256"] = self.source_sha256
        return out


class Evidence:
    """The staging folder of one collection."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: list[Entry] = []
        self._by_source: dict[str, Entry] = {}
        self._names: set[str] = set()

    def local(self, entry: Entry) -> Path:
        """The staged copy of an entry."""
        return self.folder / entry.path

    def _unique(self, rel: str) -> str:
        candidate, number = rel, 1
        while candidate in self._names:
            number += 1
            candidate = f"{rel}~{number}"
        self._names.add(candidate)
        return candidate

    def copied(self, host_path: str) -> Entry | None:
        """The entry of a host file copied before (by its resolved path), if any."""
        return self._by_source.get(host_path)

    def copy(
        self, host: Host, path: str, artifact: str, limit: int, rel: str | None = None
    ) -> tuple[Entry, int, bool]:
        """Copy a host file into ``artifacts/files/<its path>`` (or ``artifacts/<rel>``);
        returns its entry, the size the file had (more than the entry's when ``limit`` cut
        it) and whether it is new (a file met twice, through a link, is copied once)."""
        opened = host.open(path)
        try:
            known = self._by_source.get(opened.path)
            if known is not None:
                return known, known.size, False
            rel = self._unique(f"{ARTIFACTS}/{rel or 'files/' + safe_name(opened.path)}")
            target = self.folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with target.open("wb") as out:
                while size < limit:
                    chunk = read_fd(opened.fd, min(_CHUNK, limit - size), path)
                    if not chunk:
                        break
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            info = opened.stat
            os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
            original = max(info.st_size, size)
            entry = Entry(
                rel,
                digest.hexdigest(),
                size,
                artifact,
                opened.path,
                mtime=info.st_mtime,
                mode=info.st_mode,
                uid=info.st_uid,
                gid=info.st_gid,
                truncated=original > size,
            )
        finally:
            os.close(opened.fd)
        self.entries.append(entry)
        self._by_source[opened.path] = entry
        return entry, original, True

    def add(
        self,
        rel: str,
        data: bytes,
        artifact: str,
        source: str,
        *,
        info: os.stat_result | None = None,
        redacted_from: str | None = None,
    ) -> Entry:
        """Archive ``data`` (a command's output, a listing, a redacted file) at ``rel``."""
        rel = self._unique(f"{ARTIFACTS}/{rel}")
        target = self.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        entry = Entry(
            rel,
            hashlib.sha256(data).hexdigest(),
            len(data),
            artifact,
            source,
            mtime=info.st_mtime if info else None,
            mode=info.st_mode if info else None,
            uid=info.st_uid if info else None,
            gid=info.st_gid if info else None,
            redacted=redacted_from is not None,
            source_sha256=redacted_from,
        )
        self.entries.append(entry)
        if info is not None:
            self._by_source.setdefault(source, entry)
        return entry

    def reserve(self, rel: str) -> tuple[str, Path]:
        """A free archive path under ``artifacts/`` and its staged location, for a writer that
        streams into it; :meth:`register` it when written."""
        rel = self._unique(f"{ARTIFACTS}/{rel}")
        target = self.folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return rel, target

    def register(self, rel: str, artifact: str, source: str) -> Entry:
        """Record a file written at a path :meth:`reserve` gave (hashed now)."""
        with (self.folder / rel).open("rb") as handle:
            digest = digest_handle(handle, "sha256")
            size = os.fstat(handle.fileno()).st_size
        entry = Entry(rel, digest, size, artifact, source)
        self.entries.append(entry)
        return entry

    def lines(self, entry: Entry) -> Iterator[tuple[int, str]]:
        """Numbered text lines of a staged file (gzip decompressed; bad bytes replaced; a line
        longer than :data:`MAX_LINE` is cut there)."""
        path = self.local(entry)
        with path.open("rb") as probe:
            gz = probe.read(2) == b"\x1f\x8b"
        try:
            with gzip.open(path, "rb") if gz else path.open("rb") as handle:
                number = 0
                while raw := handle.readline(MAX_LINE):
                    number += 1
                    if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
                        _skip_rest(handle)
                    yield number, raw.decode("utf-8", "replace").rstrip("\r\n")
        except (OSError, EOFError, zlib.error) as exc:
            raise Unreadable(entry.source, f"cannot decompress: {exc}") from None

    def data(self, entry: Entry) -> bytes:
        """The bytes of a staged file."""
        return self.local(entry).read_bytes()


def _skip_rest(handle: io.BufferedIOBase) -> None:
    while more := handle.readline(MAX_LINE):
        if more.endswith(b"\n"):
            return


def read_staged(path: Path, limit: int = 64 << 20) -> bytes:
    """The first ``limit`` bytes of a staged file."""
    with path.open("rb") as handle:
        return handle.read(limit)
