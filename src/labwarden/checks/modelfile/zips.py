"""Zip archives (PyTorch, TorchScript, Keras v3, skops, npz and plain zips).

Members are read from their local headers with our own code, so a bad CRC, a lying header, an
encryption flag over plain data or a broken entry never hides the members after it (torch.load
ignores CRCs and the encryption flag; so must we). Members are inflated with bounded memory
(:mod:`.inflate`). PyTorch tensor blobs (``*/data/N``) are never read: only what a loader
deserializes matters.
"""

from __future__ import annotations

import itertools
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from labwarden.checks.modelfile import graphs
from labwarden.checks.modelfile.archives import TENSOR_BLOB, TRAVERSAL_FIX, Reader, unsafe_path
from labwarden.checks.modelfile.compressed import report_cut
from labwarden.checks.modelfile.inflate import Inflated, InflateError, inflate
from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.core.values import Severity

HEAD_PROBE = 1 << 20
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_METHODS = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2"}
_INTERESTING = (
    ".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".dill", ".npy", ".json",
    ".jinja", ".j2", ".yaml", ".yml", ".onnx", ".pb", ".h5", ".keras", ".gguf", ".safetensors",
    ".zip", ".tar", ".7z", ".gz",
)  # fmt: skip


@dataclass
class _Zip:
    """What one zip scan carries from member to member."""

    ctx: ScanContext
    blob: Blob
    keras: bool = False
    skops: bool = False
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, rule: str, severity: Severity, message: str, fix: str, **kw: object) -> None:
        """A finding about the archive."""
        self.ctx.add(self.blob, rule, severity, message, fix, **kw)  # type: ignore[arg-type]


def scan_zip(ctx: ScanContext, blob: Blob) -> None:
    """Scan every member of a zip archive that a loader could deserialize."""
    try:
        with zipfile.ZipFile(Reader(blob.data)) as archive:
            infos = archive.infolist()
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
    z = _Zip(ctx, blob)
    infos = _check_directory(z, infos)
    for info in infos:
        _check_member_meta(z, info)
        if not info.is_dir() and not TENSOR_BLOB.search(info.filename):
            _scan_member(z, info)
    _check_overlaps(z)


def _check_directory(z: _Zip, infos: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    names = [i.filename for i in infos]
    limit = z.ctx.limits.max_members
    if len(infos) > limit:
        z.add(
            "archive-bomb",
            Severity.HIGH,
            f"the zip has {len(infos)} members (limit {limit})",
            "Do not extract it; it exhausts disk or inodes.",
        )
        infos = infos[:limit]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})[:5]
        z.add(
            "duplicate-members",
            Severity.HIGH,
            f"the zip has several members named {', '.join(dupes)}; different tools read "
            "different copies, so a scanner and a loader may see different files",
            "Do not load it; re-create the archive from trusted files.",
        )
    base = {n.rsplit("/", 1)[-1] for n in names}
    z.keras = "config.json" in base and ("model.weights.h5" in base or "metadata.json" in base)
    z.skops = "schema.json" in names
    return infos


def _check_overlaps(z: _Zip) -> None:
    z.spans.sort()
    for (_, a_end, a_name), (b_start, _, b_name) in itertools.pairwise(z.spans):
        if b_start < a_end:
            z.add(
                "overlapping-members",
                Severity.HIGH,
                f"members {a_name} and {b_name} share bytes (overlapping entries, a zip-bomb and "
                "parser-confusion trick)",
                "Do not load or extract it.",
            )
            return


def _check_member_meta(z: _Zip, info: zipfile.ZipInfo) -> None:
    why = unsafe_path(info.filename)
    if why:
        z.add(
            "path-traversal",
            Severity.HIGH,
            f"member {info.filename!r} {why}; extracting it writes outside the target folder",
            TRAVERSAL_FIX,
            evidence={"member": info.filename},
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        z.add(
            "symlink-member",
            Severity.HIGH,
            f"member {info.filename} is a symbolic link; extracting it can redirect later writes",
            TRAVERSAL_FIX,
        )


def _scan_member(z: _Zip, info: zipfile.ZipInfo) -> None:
    head_only = info.file_size > HEAD_PROBE and not _worth_reading(z, info)
    content = _read_member(z, info, head_only=head_only)
    if content is None:
        return
    try:
        if head_only:
            return
        child = z.blob.child(info.filename, content.data, cut=content.cut)
        leaf = info.filename.rsplit("/", 1)[-1]
        if z.keras and leaf == "config.json":
            graphs.scan_keras_config(z.ctx, child)
        elif z.skops and info.filename == "schema.json":
            graphs.scan_skops(z.ctx, child)
        else:
            z.ctx.scan(child)
    finally:
        content.close()


def _worth_reading(z: _Zip, info: zipfile.ZipInfo) -> bool:
    """Whether a large member must be read whole: a model-ish name, or a scannable first MiB."""
    sniff = z.ctx.sniff
    if sniff is None or info.filename.lower().endswith(_INTERESTING):
        return True
    probe = _Zip(ScanContext(z.ctx.policy, z.ctx.limits), z.blob)  # a probe: findings dropped
    head = _read_member(probe, info, head_only=True)
    if head is None:
        return True
    try:
        leaf = info.filename.rsplit("/", 1)[-1]
        fmt, scanner = sniff(Blob(z.blob.path, leaf, head.data))
        return scanner is not None and fmt != "text"
    finally:
        head.close()


@dataclass(frozen=True, slots=True)
class _Local:
    """A member's local header, as loaders that read local headers see it."""

    flags: int
    method: int
    crc: int
    start: int
    end: int


def _local_header(z: _Zip, info: zipfile.ZipInfo) -> _Local | None:
    data = z.blob.data
    offset = info.header_offset
    header = bytes(data[offset : offset + _LOCAL.size])
    if len(header) < _LOCAL.size or header[:4] != b"PK\x03\x04":
        z.add(
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
        z.add(
            "header-mismatch",
            Severity.HIGH,
            f"member {info.filename!r} is named {local_name.decode('utf-8', 'replace')!r} in its "
            "local header; tools that read local headers see a different archive",
            "Do not load it; lying zip headers are a scanner bypass.",
        )
    if method != info.compress_type or (flags & 1) != (info.flag_bits & 1):
        z.add(
            "header-mismatch",
            Severity.MEDIUM,
            f"member {info.filename} has different compression or flags in its local header",
            "Do not load it; inconsistent zip headers are a scanner bypass.",
        )
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    z.spans.append((offset, end, info.filename))
    if end > len(data):
        z.add(
            "bad-archive",
            Severity.MEDIUM,
            f"member {info.filename} runs past the end of the file",
            "The archive is truncated or crafted; do not load it.",
        )
        end = len(data)
    return _Local(flags | info.flag_bits, info.compress_type, crc, start, end)


def _read_member(z: _Zip, info: zipfile.ZipInfo, *, head_only: bool = False) -> Inflated | None:
    """The member's content (only its first MiB with ``head_only``), checking its headers."""
    local = _local_header(z, info)
    if local is None:
        return None
    ctx = z.ctx
    limit = max(0, min(ctx.limits.max_member_bytes, ctx.limits.max_total_unpacked - ctx.unpacked))
    if head_only:
        limit = HEAD_PROBE
    try:
        content = _inflate_member(z, info, local, limit)
    except (InflateError, zipfile.BadZipFile, NotImplementedError, OSError) as exc:
        if local.flags & 1:
            _encrypted(z, info)
        else:
            z.add(
                "bad-archive",
                Severity.MEDIUM,
                f"member {info.filename} cannot be decompressed ({exc}); it was not scanned",
                "Do not load it until it can be inspected.",
            )
        return None
    if head_only:
        return content
    report_cut(ctx, z.blob, f"member {info.filename}", content)
    ctx.unpacked += content.size
    plain = content.cut or zlib.crc32(content.data) in (local.crc, info.CRC)
    if local.flags & 1 and not plain:
        content.close()
        _encrypted(z, info)
        return None
    if local.flags & 1:
        z.add(
            "encryption-flag-trick",
            Severity.HIGH,
            f"member {info.filename} is flagged as encrypted but holds plain data; loaders that "
            "ignore the flag (torch.load) read it while zip tools and scanners skip it",
            "Do not load it: a false encryption flag is a known way to hide a payload.",
        )
    elif not plain:
        z.add(
            "bad-crc",
            Severity.MEDIUM,
            f"member {info.filename} does not match its CRC; Python's zipfile refuses it but "
            "torch.load does not, a known way to crash scanners and still load",
            "Do not load it; re-create the file from a trusted source.",
        )
    return content


def _inflate_member(z: _Zip, info: zipfile.ZipInfo, local: _Local, limit: int) -> Inflated:
    data = z.blob.data
    ratio = z.ctx.limits.max_ratio
    if local.method == zipfile.ZIP_STORED:
        end = min(local.end, local.start + limit)
        return Inflated(bytes(data[local.start : end]), end - local.start, end < local.end)
    kind = _METHODS.get(local.method)
    if kind is not None:
        result = inflate(kind, data, local.start, local.end, limit=limit, max_ratio=ratio)
        if local.flags & 1 and not result.size:
            raise InflateError("no plain data")
        return result
    if local.flags & 1:
        raise InflateError("encrypted")
    with zipfile.ZipFile(Reader(data)) as archive, archive.open(info) as handle:
        raw = handle.read(limit + 1)
    return Inflated(raw[:limit], local.end - local.start, len(raw) > limit)


def _encrypted(z: _Zip, info: zipfile.ZipInfo) -> None:
    z.add(
        "encrypted-member",
        Severity.HIGH,
        f"member {info.filename} is encrypted and cannot be inspected; it cannot be vouched for",
        "Ask the publisher for an unencrypted copy; never load content you cannot scan.",
    )


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
        if method == 0 and csize and not TENSOR_BLOB.search(name):
            ctx.scan(blob.child(name, bytes(data[start : start + csize])))
        pos = data.find(b"PK\x03\x04", start)
