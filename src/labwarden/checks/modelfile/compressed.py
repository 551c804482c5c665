"""Single-stream compression in every codec joblib and torch users write: gzip, zlib, bzip2, xz,
LZMA "alone" (``5d 00 00``, joblib's ``.lzma``), LZ4 frames and joblib's legacy ``ZF`` files.
The stream is inflated with bounded memory (:mod:`.inflate`) and what it holds is scanned."""

from __future__ import annotations

from labwarden.checks.modelfile.inflate import Inflated, InflateError, inflate
from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.lz4 import MAGIC as LZ4_MAGIC
from labwarden.checks.modelfile.positions import in_model_position
from labwarden.core.values import Severity

_SUFFIXES = (".gz", ".bz2", ".xz", ".lzma", ".lz4", ".z", ".zlib", ".tgz")
_PICKLE_NAMES = (".joblib", ".pkl", ".pickle", ".dill", ".pt", ".pth", ".sav", ".p")


def stream_kind(head: bytes) -> tuple[str, int] | None:
    """The codec of a compressed stream and where its data starts, from its first bytes."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip", 0
    if head.startswith(b"BZh"):
        return "bzip2", 0
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz", 0
    if head.startswith(LZ4_MAGIC):
        return "lz4", 0
    if head.startswith(b"ZF0x"):
        return "zlib", 21  # joblib < 0.10: b"ZF" + the length in hex padded to 19 bytes
    if head[:3] == b"\x5d\x00\x00" and len(head) >= 13:
        return "lzma", 0
    if head[:1] == b"x" and len(head) > 1 and (head[0] * 256 + head[1]) % 31 == 0:
        return "zlib", 0
    return None


def _container(head: bytes) -> bool:
    """Whether decompressed content is itself an archive or another compressed stream."""
    if head.startswith((b"PK", b"7z\xbc\xaf\x27\x1c", b"\x93NUMPY")):
        return True
    return head[257:262] == b"ustar" or stream_kind(head) is not None


def report_cut(ctx: ScanContext, blob: Blob, what: str, result: Inflated) -> None:
    """Say once, truthfully, that the output was cut: a bomb, or a scan limit."""
    if result.bomb:
        ctx.add(
            blob,
            "archive-bomb",
            Severity.HIGH,
            f"{what} expands more than {int(result.ratio)}x (decompression bomb); its first "
            f"{result.size} bytes were scanned and the rest was never inflated",
            "Do not extract or load it.",
            evidence={"ratio": int(result.ratio), "scanned_bytes": result.size},
        )
    elif result.cut:
        ctx.add(
            blob,
            "scan-limit",
            Severity.INFO,
            f"{what} is larger than the scan limit ({ctx.limits.max_member_bytes} bytes per "
            f"member, {ctx.limits.max_total_unpacked} in all); only its start was scanned",
            "Scan the unpacked content separately if it may hold model files.",
        )


def scan_compressed(ctx: ScanContext, blob: Blob) -> None:
    """Decompress (bounded) and scan what is inside."""
    kind, start = stream_kind(bytes(blob.data[:16])) or ("zlib", 0)
    limit = max(0, min(ctx.limits.max_member_bytes, ctx.limits.max_total_unpacked - ctx.unpacked))
    try:
        result = inflate(
            kind, blob.data, start, blob.size, limit=limit, max_ratio=ctx.limits.max_ratio
        )
    except InflateError as exc:
        model = in_model_position(blob)
        ctx.add(
            blob,
            "unparseable" if model else "bad-archive",
            Severity.HIGH if model else Severity.LOW,
            f"the {kind} stream cannot be decompressed: {exc}"
            + ("; the model cannot be vouched for" if model else ""),
            "Inspect it by hand in a sandbox before loading it.",
        )
        return
    try:
        report_cut(ctx, blob, f"the {kind} stream", result)
        ctx.unpacked += result.size
        inner = blob.name
        for suffix in _SUFFIXES:
            if inner.lower().endswith(suffix):
                inner = inner[: -len(suffix)] + (".tar" if suffix == ".tgz" else "")
                break
        pickle_name = inner.lower().endswith(_PICKLE_NAMES) or in_model_position(blob)
        hint = "pickle" if pickle_name and not _container(bytes(result.data[:512])) else ""
        ctx.scan(blob.child(f"{inner}[{kind}]", result.data, hint=hint, cut=result.cut))
    finally:
        result.close()
