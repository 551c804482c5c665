"""Containers: zip (PyTorch, TorchScript, Keras v3, skops, npz and plain zips), tar, 7z and
single-stream compression (gzip, bzip2, xz, zlib as joblib writes it).

Zip members are read from their local headers with our own code, so a bad CRC, a lying header or a
broken entry never hides the members after it (torch.load ignores CRCs; so must we). PyTorch tensor
blobs (``*/data/N``) are never read: only the pickles that a loader unpickles matter.
"""

from __future__ import annotations

import bz2
import io
import itertools
import lzma
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from typing import IO, Any, cast

from labwarden.checks.modelfile import graphs
from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.core.values import Severity

_TENSOR_BLOB = re.compile(r"(^|/)(data|\.data)/\d+$|(^|/)\.data/serialization_id$")
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_TRAVERSAL_FIX = "Never extract this archive with a tool that follows its paths; re-pack it safely."


def _unsafe_path(name: str) -> str | None:
    """Why an archive member name escapes the extraction folder, or ``None``."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return "is an absolute path"
    if ".." in norm.split("/"):
        return "climbs out of the extraction folder with '..'"
    if "\x00" in norm:
        return "contains a NUL byte"
    return None


def scan_zip(ctx: ScanContext, blob: Blob) -> None:  # noqa: C901
    """Scan every member of a zip archive that a loader could deserialize."""
    try:
        archive = zipfile.ZipFile(_Reader(blob.data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        ctx.add(
            blob,
            "bad-archive",
            Severity.MEDIUM,
            f"the zip central directory cannot be read ({exc}); loaders that scan local headers "
            "may still find members in it",
            "Do not load it; a zip that scanners cannot read is a known way to hide a payload.",
        )
        _scan_local_headers(ctx, blob)
        return
    with archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    if len(infos) > ctx.limits.max_members:
        ctx.add(
            blob,
            "archive-bomb",
            Severity.HIGH,
            f"the zip has {len(infos)} members (limit {ctx.limits.max_members})",
            "Do not extract it; it exhausts disk or inodes.",
        )
        infos = infos[: ctx.limits.max_members]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})[:5]
        ctx.add(
            blob,
            "duplicate-members",
            Severity.HIGH,
            f"the zip has several members named {', '.join(dupes)}; different tools read "
            "different copies, so a scanner and a loader may see different files",
            "Do not load it; re-create the archive from trusted files.",
        )
    base = {n.rsplit("/", 1)[-1] for n in names}
    keras = "config.json" in base and ("model.weights.h5" in base or "metadata.json" in base)
    skops = "schema.json" in names
    spans: list[tuple[int, int, str]] = []
    for info in infos:
        _check_member_meta(ctx, blob, info)
        if info.is_dir() or _TENSOR_BLOB.search(info.filename):
            continue
        if info.flag_bits & 0x1:
            ctx.add(
                blob,
                "encrypted-member",
                Severity.MEDIUM,
                f"member {info.filename} is encrypted and cannot be inspected",
                "Ask the publisher for an unencrypted copy; never load content you cannot scan.",
            )
            continue
        head_only = info.file_size > HEAD_PROBE and not _worth_reading(ctx, blob, info)
        data = _read_member(ctx, blob, info, spans, head_only=head_only)
        if data is None or head_only:
            continue
        child = blob.child(info.filename, data)
        leaf = info.filename.rsplit("/", 1)[-1]
        if keras and leaf == "config.json":
            graphs.scan_keras_config(ctx, child)
        elif skops and info.filename == "schema.json":
            graphs.scan_skops(ctx, child)
        else:
            ctx.scan(child)
    spans.sort()
    for (_, a_end, a_name), (b_start, _, b_name) in itertools.pairwise(spans):
        if b_start < a_end:
            ctx.add(
                blob,
                "overlapping-members",
                Severity.HIGH,
                f"members {a_name} and {b_name} share bytes (overlapping entries, a zip-bomb and "
                "parser-confusion trick)",
                "Do not load or extract it.",
            )
            break


def _check_member_meta(ctx: ScanContext, blob: Blob, info: zipfile.ZipInfo) -> None:
    why = _unsafe_path(info.filename)
    if why:
        ctx.add(
            blob,
            "path-traversal",
            Severity.HIGH,
            f"member {info.filename!r} {why}; extracting it writes outside the target folder",
            _TRAVERSAL_FIX,
            evidence={"member": info.filename},
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        ctx.add(
            blob,
            "symlink-member",
            Severity.HIGH,
            f"member {info.filename} is a symbolic link; extracting it can redirect later writes",
            _TRAVERSAL_FIX,
        )
    if (
        info.compress_size
        and info.file_size >= (16 << 20)
        and info.file_size / info.compress_size > ctx.limits.max_ratio
    ):
        ctx.add(
            blob,
            "archive-bomb",
            Severity.HIGH,
            f"member {info.filename} expands {info.file_size // info.compress_size}x "
            f"to {info.file_size} bytes (decompression bomb)",
            "Do not extract it.",
        )


HEAD_PROBE = 1 << 20
_INTERESTING = (
    ".pkl",
    ".pickle",
    ".pt",
    ".pth",
    ".bin",
    ".ckpt",
    ".joblib",
    ".dill",
    ".npy",
    ".json",
    ".jinja",
    ".j2",
    ".yaml",
    ".yml",
    ".onnx",
    ".pb",
    ".h5",
    ".keras",
    ".gguf",
    ".safetensors",
    ".zip",
    ".tar",
    ".7z",
    ".gz",
)


def _worth_reading(ctx: ScanContext, blob: Blob, info: zipfile.ZipInfo) -> bool:
    """Whether a large member must be read whole: a model-ish name, or a scannable first MiB."""
    from labwarden.checks.modelfile.dispatch import sniff

    if info.filename.lower().endswith(_INTERESTING):
        return True
    probe = ScanContext(ctx.policy, ctx.limits)  # its findings are dropped: a probe only
    head = _read_member(probe, blob, info, [], head_only=True)
    if head is None:
        return True
    leaf = info.filename.rsplit("/", 1)[-1]
    fmt, scanner = sniff(Blob(blob.path, leaf, head))
    return scanner is not None and fmt != "text"


def _read_member(  # noqa: C901
    ctx: ScanContext,
    blob: Blob,
    info: zipfile.ZipInfo,
    spans: list[tuple[int, int, str]],
    *,
    head_only: bool = False,
) -> bytes | None:
    """The member's bytes (only its first MiB with ``head_only``), checking its local header."""
    data = blob.data
    offset = info.header_offset
    header = bytes(data[offset : offset + _LOCAL.size])
    if len(header) < _LOCAL.size or header[:4] != b"PK\x03\x04":
        ctx.add(
            blob,
            "bad-archive",
            Severity.MEDIUM,
            f"member {info.filename} has no local header where the central directory points",
            "Do not load it; this inconsistency confuses scanners and loaders differently.",
        )
        return None
    fields = _LOCAL.unpack(header)
    flags, method, crc, name_len, extra_len = fields[2], fields[3], fields[6], fields[9], fields[10]
    local_name = bytes(data[offset + 30 : offset + 30 + name_len])
    expected = info.orig_filename.encode("utf-8", "surrogateescape")
    if local_name not in (expected, info.orig_filename.encode("cp437", "replace")):
        ctx.add(
            blob,
            "header-mismatch",
            Severity.HIGH,
            f"member {info.filename!r} is named {local_name.decode('utf-8', 'replace')!r} in its "
            "local header; tools that read local headers see a different archive",
            "Do not load it; lying zip headers are a scanner bypass.",
        )
    if method != info.compress_type or (flags & 1) != (info.flag_bits & 1):
        ctx.add(
            blob,
            "header-mismatch",
            Severity.MEDIUM,
            f"member {info.filename} has different compression or flags in its local header",
            "Do not load it; inconsistent zip headers are a scanner bypass.",
        )
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    spans.append((offset, end, info.filename))
    if end > len(data):
        ctx.add(
            blob,
            "bad-archive",
            Severity.MEDIUM,
            f"member {info.filename} runs past the end of the file",
            "The archive is truncated or crafted; do not load it.",
        )
        end = len(data)
    limit = min(ctx.limits.max_member_bytes, ctx.limits.max_total_unpacked - ctx.unpacked)
    if head_only:
        limit = HEAD_PROBE
        if info.compress_type == zipfile.ZIP_STORED:
            end = min(end, start + HEAD_PROBE)
    method = info.compress_type
    try:
        consumed = end - start
        if method == zipfile.ZIP_STORED:
            content = bytes(data[start:end])
        elif method == zipfile.ZIP_DEFLATED:
            content, consumed = _bounded(zlib.decompressobj(-15), data, start, end, limit)
        elif method == zipfile.ZIP_BZIP2:
            content, consumed = _bounded(bz2.BZ2Decompressor(), data, start, end, limit)
        else:
            with zipfile.ZipFile(_Reader(data)) as archive, archive.open(info) as handle:
                content = handle.read(limit + 1)
    except (
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        zipfile.BadZipFile,
        NotImplementedError,
    ) as exc:
        ctx.add(
            blob,
            "bad-archive",
            Severity.MEDIUM,
            f"member {info.filename} cannot be decompressed ({exc}); it was not scanned",
            "Do not load it until it can be inspected.",
        )
        return None
    if head_only:
        return content[:limit]
    if len(content) > limit:
        _over_limit(ctx, blob, f"member {info.filename}", limit, consumed)
        content = content[:limit]
    ctx.unpacked += len(content)
    if zlib.crc32(content) != crc and zlib.crc32(content) != info.CRC:
        ctx.add(
            blob,
            "bad-crc",
            Severity.MEDIUM,
            f"member {info.filename} does not match its CRC; Python's zipfile refuses it but "
            "torch.load does not, a known way to crash scanners and still load",
            "Do not load it; re-create the file from a trusted source.",
        )
    return content


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


def _bounded(decomp: Any, data: Any, start: int, end: int, limit: int) -> tuple[bytes, int]:
    """Decompress at most ``limit + 1`` bytes; also returns how much input that consumed."""
    out = bytearray()
    consumed = 0
    step = 1 << 20
    for pos in range(start, end, step):
        chunk = bytes(data[pos : min(end, pos + step)])
        out += decomp.decompress(chunk, limit + 1 - len(out))
        consumed += len(chunk) - len(getattr(decomp, "unconsumed_tail", b""))
        if len(out) > limit:
            break
    return bytes(out), consumed


def _scan_local_headers(ctx: ScanContext, blob: Blob) -> None:
    """Without a usable central directory, walk the local headers as lenient loaders do."""
    data = blob.data
    pos = data.find(b"PK\x03\x04", 0)
    seen = 0
    while pos >= 0 and seen < 1000:
        header = bytes(data[pos : pos + 30])
        if len(header) < 30:
            break
        fields = _LOCAL.unpack(header)
        method, csize, name_len, extra_len = fields[3], fields[7], fields[9], fields[10]
        name = bytes(data[pos + 30 : pos + 30 + name_len]).decode("utf-8", "replace")
        start = pos + 30 + name_len + extra_len
        seen += 1
        if method == 0 and csize and not _TENSOR_BLOB.search(name):
            ctx.scan(blob.child(name, bytes(data[start : start + csize])))
        pos = data.find(b"PK\x03\x04", start)


def scan_tar(ctx: ScanContext, blob: Blob) -> None:
    """Scan the members of a tar archive and flag traversal, links and device files."""
    try:
        archive = tarfile.open(fileobj=_Reader(blob.data), mode="r:")  # noqa: SIM115
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
            why = _unsafe_path(member.name)
            if why:
                ctx.add(
                    blob,
                    "path-traversal",
                    Severity.HIGH,
                    f"member {member.name!r} {why}; extracting it writes outside the target folder",
                    _TRAVERSAL_FIX,
                )
            if member.issym() or member.islnk():
                target = member.linkname
                escapes = _unsafe_path(target)
                ctx.add(
                    blob,
                    "symlink-member",
                    Severity.HIGH if escapes else Severity.MEDIUM,
                    f"member {member.name} is a {'symbolic' if member.issym() else 'hard'} link "
                    f"to {target!r}" + (f", which {escapes}" if escapes else ""),
                    _TRAVERSAL_FIX,
                )
                continue
            if member.ischr() or member.isblk() or member.isfifo():
                ctx.add(
                    blob,
                    "device-member",
                    Severity.HIGH,
                    f"member {member.name} is a device or FIFO",
                    _TRAVERSAL_FIX,
                )
                continue
            if not member.isfile() or _TENSOR_BLOB.search(member.name):
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
        with py7zr.SevenZipFile(cast(IO[bytes], _Reader(blob.data)), mode="r") as archive:
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
                why = _unsafe_path(name)
                if why:
                    ctx.add(
                        blob,
                        "path-traversal",
                        Severity.HIGH,
                        f"member {name!r} {why}; extracting it writes outside the target folder",
                        _TRAVERSAL_FIX,
                    )
                if info.is_directory or _TENSOR_BLOB.search(name):
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


def scan_compressed(ctx: ScanContext, blob: Blob) -> None:
    """Decompress gzip/bzip2/xz/zlib (bounded) and scan what is inside."""
    head = bytes(blob.data[:6])
    limit = min(ctx.limits.max_member_bytes, ctx.limits.max_total_unpacked - ctx.unpacked)
    decomp: Any
    if head.startswith(b"\x1f\x8b"):
        decomp, kind = zlib.decompressobj(16 + zlib.MAX_WBITS), "gzip"
    elif head.startswith(b"BZh"):
        decomp, kind = bz2.BZ2Decompressor(), "bzip2"
    elif head.startswith(b"\xfd7zXZ"):
        decomp, kind = lzma.LZMADecompressor(), "xz"
    else:
        decomp, kind = zlib.decompressobj(), "zlib"
    try:
        content, consumed = _bounded(decomp, blob.data, 0, len(blob.data), limit)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        ctx.add(
            blob,
            "bad-archive",
            Severity.LOW,
            f"the {kind} stream cannot be decompressed: {exc}",
            "Inspect it by hand before loading it.",
        )
        return
    if len(content) > limit:
        _over_limit(ctx, blob, f"the {kind} stream", limit, consumed)
        content = content[:limit]
    ctx.unpacked += len(content)
    inner = blob.name
    for suffix in (".gz", ".bz2", ".xz", ".z", ".zlib", ".tgz"):
        if inner.lower().endswith(suffix):
            inner = inner[: -len(suffix)] + (".tar" if suffix == ".tgz" else "")
            break
    hint = "pickle" if inner.lower().endswith((".joblib", ".pkl", ".pickle")) else ""
    ctx.scan(blob.child(f"{inner}[{kind}]", content, hint=hint if content[:1] != b"P" else ""))


class _Reader(io.RawIOBase):
    """A read-only, seekable file over bytes or an mmap, without copying it."""

    def __init__(self, data: Any) -> None:
        super().__init__()
        self._data = data
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            self._pos = offset
        elif whence == 1:
            self._pos += offset
        else:
            self._pos = len(self._data) + offset
        self._pos = max(self._pos, 0)
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._pos + size
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)
