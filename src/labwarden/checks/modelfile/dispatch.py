"""Decide what a blob is from its bytes (and, second, its name) and hand it to its scanner.

A pickle is recognised by walking its opcodes, never by its first byte: in a model position (a
name a loader would deserialize, or a member a container says is a pickle) any content that no
other format claims goes to the pickle analyzer, which reports it unparseable when it is not a
complete opcode stream; elsewhere, bytes that walk to STOP and import something are a pickle.
A file named like a model that no scanner can read is a finding, never silence.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable

from labwarden.checks.modelfile import (
    archives,
    arrays,
    compressed,
    graphs,
    inert,
    pickles,
    templates,
    tensors,
    zips,
)
from labwarden.checks.modelfile.interface import Blob, FormatScanner, ScanContext
from labwarden.checks.modelfile.pickle_ops import is_pickle
from labwarden.checks.modelfile.positions import (
    MODEL_EXTENSIONS,
    PICKLE_EXTENSIONS,
    TEXT_EXTENSIONS,
    base_name,
    in_model_position,
)
from labwarden.core.values import Severity

log = logging.getLogger(__name__)

TEXT_FORMATS = frozenset({"text"})

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_PROTOCOLS = frozenset(bytes([n]) for n in range(1, 6))
_Z_NAMES = (".z", ".zlib", ".gz", ".xz", ".bz2", ".lz4", ".lzma")
_Sniffer = Callable[[bytes, Blob, str], bool]


def _compressed(head: bytes, blob: Blob, name: str) -> bool:
    kind = compressed.stream_kind(head)
    if kind is None:
        return False
    # A zlib header is two bytes that text can start with: trust it where a model is expected.
    return kind[0] != "zlib" or kind[1] > 0 or in_model_position(blob) or name.endswith(_Z_NAMES)


def _safetensors(head: bytes, blob: Blob, name: str) -> bool:
    if len(head) < 10 or head[8:9] != b"{":
        return False
    (length,) = struct.unpack("<Q", head[:8])
    return length >= 2 and (length <= blob.size - 8 or name.endswith(".safetensors"))


def _zip_directory_at_end(head: bytes, blob: Blob, name: str) -> bool:
    # A zip whose first local header is damaged: loaders read the central directory.
    return blob.size >= 22 and blob.data.rfind(b"PK\x05\x06", max(0, blob.size - 65_600)) >= 0


# (test, format, scanner), tried in order: content first, names second.
_SNIFFERS: tuple[tuple[_Sniffer, str, FormatScanner], ...] = (
    (lambda h, b, n: b.hint == "pickle", "pickle", pickles.scan_pickle),
    (lambda h, b, n: h.startswith(_ZIP_MAGIC), "zip", zips.scan_zip),
    (lambda h, b, n: h.startswith(b"7z\xbc\xaf\x27\x1c"), "7z", archives.scan_7z),
    (lambda h, b, n: len(h) > 262 and h[257:262] == b"ustar", "tar", archives.scan_tar),
    (_compressed, "compressed", compressed.scan_compressed),
    (lambda h, b, n: h.startswith(b"\x93NUMPY"), "numpy-npy", arrays.scan_npy),
    (lambda h, b, n: h.startswith(b"GGUF"), "gguf", tensors.scan_gguf),
    (lambda h, b, n: h.startswith(b"\x89HDF\r\n\x1a\n"), "hdf5", graphs.scan_hdf5),
    (lambda h, b, n: h[:1] == b"\x80" and h[1:2] in _PROTOCOLS, "pickle", pickles.scan_pickle),
    (_safetensors, "safetensors", tensors.scan_safetensors),
    (_zip_directory_at_end, "zip", zips.scan_zip),
    (lambda h, b, n: n.endswith(".onnx"), "onnx", graphs.scan_onnx),
    (lambda h, b, n: n.endswith(".pb"), "tf-savedmodel", graphs.scan_savedmodel),
    (
        lambda h, b, n: n.endswith(TEXT_EXTENSIONS) or (n.endswith(".txt") and "template" in n),
        "text",
        templates.scan_text_file,
    ),
    (lambda h, b, n: n.endswith(PICKLE_EXTENSIONS), "pickle", pickles.scan_pickle),
    (lambda h, b, n: n.endswith((".msgpack", ".tflite", ".mlmodel")), "inert", inert.scan_inert),
    (lambda h, b, n: is_pickle(b.data, strict=True), "pickle", pickles.scan_pickle),
)  # fmt: skip


def sniff(blob: Blob) -> tuple[str, FormatScanner | None]:
    """The format of ``blob`` and the scanner for it (``None`` when nothing applies)."""
    head = bytes(blob.data[:512])
    name = base_name(blob)
    for test, fmt, scanner in _SNIFFERS:
        if test(head, blob, name):
            return fmt, scanner
    if name.endswith(MODEL_EXTENSIONS):
        return "unknown", scan_unparseable
    return "unknown", None


def scan_unparseable(ctx: ScanContext, blob: Blob) -> None:
    """A file named like a model whose content no parser of ours reads."""
    suffix = "." + base_name(blob).rsplit(".", 1)[-1]
    ctx.add(
        blob,
        "unparseable",
        Severity.HIGH,
        f"the file is named like a model ({suffix}) but its content is not a format the "
        f"scanner can parse (it starts with {bytes(blob.data[:8]).hex(' ')}); it cannot be "
        "vouched for",
        "Do not load it: a loader may read what the scanner cannot. Re-export the model from a "
        "trusted source in a format that can be inspected (safetensors).",
        evidence={"head": bytes(blob.data[:16]).hex()},
    )


def scan_blob(ctx: ScanContext, blob: Blob) -> None:
    """Scan one blob; an error in a scanner becomes a finding, never an exception."""
    fmt, scanner = sniff(blob)
    if scanner is None:
        return  # not a model file (or an archive member that is not one): nothing to say
    try:
        scanner(ctx, blob)
    except (MemoryError, RecursionError) as exc:
        _failed(ctx, blob, fmt, f"ran out of resources: {type(exc).__name__}")
    except Exception as exc:  # a broken file must never stop the run
        log.debug("scanner %s failed on %s", fmt, blob.path, exc_info=True)
        _failed(ctx, blob, fmt, f"could not finish: {type(exc).__name__}: {exc}")


def _failed(ctx: ScanContext, blob: Blob, fmt: str, why: str) -> None:
    text = fmt in TEXT_FORMATS
    ctx.add(
        blob,
        "scan-error" if text else "unparseable",
        Severity.LOW if text else Severity.HIGH,
        f"the {fmt} scanner {why}"
        + ("" if text else "; the file cannot be vouched for until it can be parsed"),
        "The file is damaged or unusual; inspect it by hand in a sandbox before loading it.",
    )
