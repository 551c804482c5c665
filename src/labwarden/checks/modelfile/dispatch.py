"""Decide what a blob is from its bytes (and, second, its name) and hand it to its scanner."""

from __future__ import annotations

import logging
import struct

from labwarden.checks.modelfile import archives, arrays, graphs, pickles, templates, tensors
from labwarden.checks.modelfile.interface import Blob, FormatScanner, ScanContext
from labwarden.core.values import Severity

log = logging.getLogger(__name__)

PICKLE_EXTENSIONS = (
    ".pkl",
    ".pickle",
    ".joblib",
    ".dill",
    ".pt",
    ".pth",
    ".bin",
    ".ckpt",
    ".p",
    ".data",
    ".sav",
    ".model",
)
TEXT_EXTENSIONS = (".json", ".yaml", ".yml", ".jinja", ".jinja2", ".j2", ".template", ".tmpl")


def sniff(blob: Blob) -> tuple[str, FormatScanner | None]:  # noqa: C901
    """The format of ``blob`` and the scanner for it (``None`` when nothing applies)."""
    head = bytes(blob.data[:512])
    name = blob.name.lower()
    if blob.hint == "pickle":
        return "pickle", pickles.scan_pickle
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip", archives.scan_zip
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z", archives.scan_7z
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar", archives.scan_tar
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or (
        head[:1] == b"x" and len(head) > 1 and (head[0] * 256 + head[1]) % 31 == 0
    ):
        if head[:1] == b"x" and not name.endswith((".joblib", ".z", ".zlib", ".pkl")):
            pass
        else:
            return "compressed", archives.scan_compressed
    if head.startswith(b"\x93NUMPY"):
        return "numpy-npy", arrays.scan_npy
    if head.startswith(b"GGUF"):
        return "gguf", tensors.scan_gguf
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        return "hdf5", graphs.scan_hdf5
    if len(head) >= 2 and head[0] == 0x80 and 1 <= head[1] <= 5:
        return "pickle", pickles.scan_pickle
    if _safetensors(head, blob.size, name):
        return "safetensors", tensors.scan_safetensors
    if blob.size >= 22 and blob.data.rfind(b"PK\x05\x06", max(0, blob.size - 65_600)) >= 0:
        # A zip whose first local header is damaged: loaders read the central directory.
        return "zip", archives.scan_zip
    if name.endswith(".onnx"):
        return "onnx", graphs.scan_onnx
    if name in ("saved_model.pb", "keras_metadata.pb") or name.endswith(".pb"):
        return "tf-savedmodel", graphs.scan_savedmodel
    if name.endswith(TEXT_EXTENSIONS) or (name.endswith(".txt") and "template" in name):
        return "text", templates.scan_text_file
    if name.endswith(PICKLE_EXTENSIONS) and head[:1] in (b"(", b"c", b"}", b"]", b"l", b"d", b"I"):
        return "pickle", pickles.scan_pickle
    if head[:1] in (b"(", b"c") and pickles_proto0(head):
        return "pickle", pickles.scan_pickle
    return "unknown", None


def pickles_proto0(head: bytes) -> bool:
    """A protocol 0/1 pickle that starts by importing something (``cos\\nsystem\\n``)."""
    text = head.lstrip(b"(")
    if not text.startswith((b"c", b"i")):
        return False
    lines = text[1:].split(b"\n", 2)
    return len(lines) == 3 and all(
        p and all(32 < c < 127 for c in p) and b" " not in p for p in lines[:2]
    )


def _safetensors(head: bytes, size: int, name: str) -> bool:
    if len(head) < 10 or head[8:9] != b"{":
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return length >= 2 and (length <= size - 8 or name.endswith(".safetensors"))


def scan_blob(ctx: ScanContext, blob: Blob) -> None:
    """Scan one blob; an error in a scanner becomes a finding, never an exception."""
    fmt, scanner = sniff(blob)
    if scanner is None:
        if blob.member is not None and blob.size > 0:
            return  # archive members that are not model files: nothing to say
        return
    try:
        scanner(ctx, blob)
    except (MemoryError, RecursionError) as exc:
        ctx.add(
            blob,
            "scan-error",
            Severity.MEDIUM,
            f"the {fmt} scanner ran out of resources: {type(exc).__name__}",
            "Inspect the file by hand in a sandbox; do not load it until then.",
        )
    except Exception as exc:  # a broken file must never stop the run
        log.debug("scanner %s failed on %s", fmt, blob.path, exc_info=True)
        ctx.add(
            blob,
            "scan-error",
            Severity.LOW,
            f"the {fmt} scanner could not finish: {type(exc).__name__}: {exc}",
            "The file is damaged or unusual; inspect it by hand before loading it.",
        )
