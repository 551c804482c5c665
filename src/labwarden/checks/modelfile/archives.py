"""Tar and 7z archives (zip is :mod:`.zips`, single compressed streams :mod:`.compressed`), and
what every container check shares: unsafe member paths and a file-like view of a blob."""

from __future__ import annotations

import io
import re
import tarfile
from typing import IO, Any, cast

from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.core.values import Severity

TENSOR_BLOB = re.compile(r"(^|/)(data|\.data)/\d+$|(^|/)\.data/serialization_id$")
TRAVERSAL_FIX = "Never extract this archive with a tool that follows its paths; re-pack it safely."


def unsafe_path(name: str) -> str | None:
    """Why an archive member name escapes the extraction folder, or ``None``."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return "is an absolute path"
    if ".." in norm.split("/"):
        return "climbs out of the extraction folder with '..'"
    if "\x00" in norm:
        return "contains a NUL byte"
    return None


def _over_limit(ctx: ScanContext, blob: Blob, what: str, unpacked: int, packed: int) -> None:
    """The scan budget ran out: a bomb when the expansion ratio says so, else a scan note."""
    ratio = unpacked / max(packed, 1)
    if ratio > ctx.limits.max_ratio:
        ctx.add(
            blob,
            "archive-bomb",
            Severity.HIGH,
            f"{what} expands more than {int(ratio)}x (decompression bomb); only its start "
            "was scanned",
            "Do not extract it.",
        )
        return
    ctx.add(
        blob,
        "scan-limit",
        Severity.INFO,
        f"{what} is larger than the scan limit ({ctx.limits.max_member_bytes} bytes per "
        f"member, {ctx.limits.max_total_unpacked} in all); only its start was scanned",
        "Scan the unpacked content separately if it may hold model files.",
    )


def scan_tar(ctx: ScanContext, blob: Blob) -> None:
    """Scan the members of a tar archive and flag traversal, links and device files."""
    try:
        archive = tarfile.open(fileobj=Reader(blob.data), mode="r:")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError) as exc:
        ctx.add(
            blob,
            "bad-archive",
            Severity.LOW,
            f"the tar archive cannot be read: {exc}",
            "Inspect it by hand before use.",
        )
        return
    total = 0
    with archive:
        for count, member in enumerate(archive):
            if count >= ctx.limits.max_members:
                ctx.add(
                    blob,
                    "archive-bomb",
                    Severity.HIGH,
                    f"the tar archive has more than {ctx.limits.max_members} members",
                    "Do not extract it.",
                )
                break
            why = unsafe_path(member.name)
            if why:
                ctx.add(
                    blob,
                    "path-traversal",
                    Severity.HIGH,
                    f"member {member.name!r} {why}; extracting it writes outside the target folder",
                    TRAVERSAL_FIX,
                )
            if member.issym() or member.islnk():
                target = member.linkname
                escapes = unsafe_path(target)
                ctx.add(
                    blob,
                    "symlink-member",
                    Severity.HIGH if escapes else Severity.MEDIUM,
                    f"member {member.name} is a {'symbolic' if member.issym() else 'hard'} link "
                    f"to {target!r}" + (f", which {escapes}" if escapes else ""),
                    TRAVERSAL_FIX,
                )
                continue
            if member.ischr() or member.isblk() or member.isfifo():
                ctx.add(
                    blob,
                    "device-member",
                    Severity.HIGH,
                    f"member {member.name} is a device or FIFO",
                    TRAVERSAL_FIX,
                )
                continue
            if not member.isfile() or TENSOR_BLOB.search(member.name):
                continue
            total += member.size
            if total > ctx.limits.max_total_unpacked or member.size > ctx.limits.max_member_bytes:
                _over_limit(ctx, blob, f"the tar archive at {member.name}", total, total)
                break
            handle = archive.extractfile(member)
            if handle is None:
                continue
            ctx.scan(blob.child(member.name, handle.read()))


def scan_7z(ctx: ScanContext, blob: Blob) -> None:
    """Scan the members of a 7z archive (compressed PyTorch files travel this way)."""
    try:
        import py7zr
        import py7zr.io
    except ImportError:
        ctx.add(
            blob,
            "unsupported-archive",
            Severity.MEDIUM,
            "7z archive not inspected: the optional py7zr package is not installed",
            "Install py7zr (pip install py7zr) and scan again; do not load it meanwhile.",
        )
        return
    try:
        with py7zr.SevenZipFile(cast(IO[bytes], Reader(blob.data)), mode="r") as archive:
            if archive.needs_password():
                ctx.add(
                    blob,
                    "encrypted-member",
                    Severity.MEDIUM,
                    "the 7z archive is encrypted and cannot be inspected",
                    "Never load content you cannot scan.",
                )
                return
            infos = archive.list()
            targets: list[str] = []
            total = 0
            for info in infos:
                name = info.filename
                why = unsafe_path(name)
                if why:
                    ctx.add(
                        blob,
                        "path-traversal",
                        Severity.HIGH,
                        f"member {name!r} {why}; extracting it writes outside the target folder",
                        TRAVERSAL_FIX,
                    )
                if info.is_directory or TENSOR_BLOB.search(name):
                    continue
                size = int(info.uncompressed or 0)
                total += size
                if total > ctx.limits.max_total_unpacked:
                    _over_limit(ctx, blob, f"the 7z archive at {name}", total, blob.size)
                    break
                targets.append(name)
            factory = py7zr.io.BytesIOFactory(ctx.limits.max_member_bytes)
            archive.reset()
            archive.extract(targets=targets, factory=factory)
            for name in targets:
                try:
                    product = factory.products[name]
                except KeyError:
                    continue
                product.seek(0)
                ctx.scan(blob.child(name, product.read()))
    except Exception as exc:  # py7zr raises many types for damaged archives
        ctx.add(
            blob,
            "bad-archive",
            Severity.MEDIUM,
            f"the 7z archive cannot be read: {type(exc).__name__}: {exc}",
            "Do not load it until it can be inspected.",
        )


class Reader(io.RawIOBase):
    """A read-only, seekable file over bytes or an mmap, without copying it."""

    def __init__(self, data: Any) -> None:
        super().__init__()
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        """Always true."""
        return True

    def seekable(self) -> bool:
        """Always true."""
        return True

    def tell(self) -> int:
        """The position."""
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move the position."""
        if whence == 0:
            self._pos = offset
        elif whence == 1:
            self._pos += offset
        else:
            self._pos = len(self._data) + offset
        self._pos = max(self._pos, 0)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes from the position."""
        end = len(self._data) if size is None or size < 0 else self._pos + size
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        return chunk

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the position."""
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)
