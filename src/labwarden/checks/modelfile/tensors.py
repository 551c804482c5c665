"""Formats that cannot run code but can lie: safetensors headers and GGUF metadata."""

from __future__ import annotations

import struct
from typing import Any

from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.payloads import scan_text
from labwarden.checks.modelfile.templates import report_template
from labwarden.core.values import Severity
from labwarden.seal.safetensors import MAX_HEADER, SafetensorsError, header_length, read_header

_FIX_HEADER = "Re-export the weights with the safetensors library from a trusted checkpoint."
_FATAL = {"length": Severity.HIGH, "short": Severity.HIGH, "truncated": Severity.MEDIUM}


def scan_safetensors(ctx: ScanContext, blob: Blob) -> None:
    """Header sanity (size, offsets, dtypes, duplicate keys) and payloads in ``__metadata__``,
    with the one safetensors header parser (:mod:`labwarden.seal.safetensors`)."""
    try:
        prefix = bytes(blob.data[:8])
        length = header_length(prefix, blob.size)
        header = read_header(prefix + bytes(blob.data[8 : 8 + length]), blob.size)
    except SafetensorsError as exc:
        message = str(exc)
        if exc.code == "length":
            message += f" (limit {MAX_HEADER}); a parser denial of service"
        ctx.add(
            blob,
            "safetensors-header",
            _FATAL.get(exc.code, Severity.MEDIUM),
            f"the header cannot be read: {message}",
            _FIX_HEADER,
        )
        return
    problems = header.problems + header.mismatches
    if problems:
        ctx.add(
            blob,
            "safetensors-header",
            Severity.HIGH,
            f"the header is inconsistent ({len(problems)} problems): " + "; ".join(problems[:5]),
            "Out-of-bounds or overlapping offsets crash or confuse loaders; " + _FIX_HEADER,
            evidence={"problems": problems[:50]},
        )
    _metadata(ctx, blob, header.metadata)


def _metadata(ctx: ScanContext, blob: Blob, metadata: object) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        ctx.add(
            blob,
            "safetensors-header",
            Severity.MEDIUM,
            "__metadata__ must map strings to strings; loaders reject this file",
            _FIX_HEADER,
        )
        return
    for key, value in metadata.items():
        if "{{" in value or "{%" in value:
            report_template(ctx, blob, f"__metadata__.{key}", value)
        notable = [p for p in scan_text(value.encode("utf-8", "replace")) if p.notable]
        if notable:
            ctx.add(
                blob,
                "suspicious-metadata",
                Severity.MEDIUM,
                f"__metadata__.{key} holds {notable[0].detail}: {notable[0].snippet!r}",
                "Metadata should describe the model, not carry commands, code or URLs for "
                "another tool to fetch; find out what reads it.",
                offset=8,
                evidence={"key": key, "kind": notable[0].kind},
            )


_GGUF_SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_GGUF_MAX_KV = 1_000_000


class _GgufError(Exception):
    pass


class _GgufReader:
    """Bounds-checked reads over GGUF metadata."""

    def __init__(self, data: Any, size: int) -> None:
        self.data = data
        self.size = size
        self.pos = 24

    def read(self, n: int) -> bytes:
        if n < 0 or self.pos + n > self.size:
            raise _GgufError(f"a value at offset {self.pos} runs past the end of the file")
        chunk = bytes(self.data[self.pos : self.pos + n])
        self.pos += n
        return chunk

    def string(self) -> bytes:
        (n,) = struct.unpack("<Q", self.read(8))
        return self.read(n)

    def value(self, kind: int, depth: int = 0) -> bytes | None:
        """A value of type ``kind``: a string's bytes, anything else skipped."""
        if kind in _GGUF_SCALAR:
            self.read(_GGUF_SCALAR[kind])
            return None
        if kind == 8:
            return self.string()
        if kind != 9 or depth >= 3:
            raise _GgufError(f"unknown metadata type {kind} at offset {self.pos}")
        item_kind, count = struct.unpack("<IQ", self.read(12))
        if item_kind in _GGUF_SCALAR:
            self.read(_GGUF_SCALAR[item_kind] * count)
        elif count > self.size:
            raise _GgufError(f"an array at offset {self.pos} claims {count} items")
        else:
            for _ in range(count):
                self.value(item_kind, depth + 1)
        return None


def _gguf_entries(ctx: ScanContext, blob: Blob) -> int | None:
    """The number of metadata entries, or None (reported) when the header is not analyzable."""
    try:
        version, tensors, kv_count = struct.unpack("<IQQ", bytes(blob.data[4:24]))
    except struct.error:
        ctx.add(
            blob, "gguf-header", Severity.HIGH, "the GGUF header is truncated", "Re-download it."
        )
        return None
    if version < 2 or version > 3:
        ctx.add(
            blob,
            "gguf-header",
            Severity.HIGH,
            f"GGUF version {version} is not analyzed (2 and 3 are); it cannot be vouched for",
            "Convert it with a current llama.cpp.",
        )
        return None
    if kv_count > _GGUF_MAX_KV or tensors > (1 << 24):
        ctx.add(
            blob,
            "gguf-header",
            Severity.HIGH,
            f"the header claims {kv_count} metadata entries and {tensors} tensors, far beyond "
            "any model (a parser denial of service)",
            "Do not load it.",
        )
        return None
    return int(kv_count)


def scan_gguf(ctx: ScanContext, blob: Blob) -> None:
    """Walk GGUF metadata: chat templates and payloads in string values; bounds on every length."""
    count = _gguf_entries(ctx, blob)
    if count is None:
        return
    reader = _GgufReader(blob.data, blob.size)
    try:
        for _ in range(count):
            key_at = reader.pos
            key = reader.string().decode("utf-8", "replace")
            (kind,) = struct.unpack("<I", reader.read(4))
            value = reader.value(kind)
            if value is not None:
                _gguf_string(ctx, blob, key, value, key_at)
    except (_GgufError, struct.error) as exc:
        ctx.add(
            blob,
            "gguf-header",
            Severity.HIGH,
            f"the GGUF metadata is malformed: {exc}",
            "Do not load it; malformed GGUF headers have crashed llama.cpp (heap overflows).",
        )


def _gguf_string(ctx: ScanContext, blob: Blob, key: str, value: bytes, key_at: int) -> None:
    text = value.decode("utf-8", "replace")
    if "chat_template" in key or "{{" in text or "{%" in text:
        report_template(ctx, blob, key, text)
        return
    notable = [p for p in scan_text(value[:65536]) if p.notable]
    if notable:
        ctx.add(
            blob,
            "suspicious-metadata",
            Severity.MEDIUM,
            f"metadata {key} holds {notable[0].detail}",
            "Metadata should not carry commands or code; find out what reads it.",
            offset=key_at,
        )
