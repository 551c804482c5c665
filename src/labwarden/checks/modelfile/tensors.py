"""Formats that cannot run code but can lie: safetensors headers and GGUF metadata."""

from __future__ import annotations

import itertools
import struct
from typing import Any

from labwarden.checks.modelfile.interface import Blob, ScanContext
from labwarden.checks.modelfile.payloads import scan_text
from labwarden.checks.modelfile.templates import report_template
from labwarden.core import safejson
from labwarden.core.values import Severity

SAFETENSORS_MAX_HEADER = 100 << 20  # the reference implementation refuses larger headers
_DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E5M2": 1,
    "F8_E4M3": 1,
    "F8_E8M0": 1,
    "F4": 1,
    "F6_E2M3": 1,
    "F6_E3M2": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
    "C64": 8,
}
_FIX_HEADER = "Re-export the weights with the safetensors library from a trusted checkpoint."


def _no_dupes(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key " + next(k for k in keys if keys.count(k) > 1))
    return dict(pairs)


def scan_safetensors(ctx: ScanContext, blob: Blob) -> None:  # noqa: C901
    """Header sanity (size, offsets, dtypes) and payloads in ``__metadata__``."""
    size = blob.size
    (length,) = struct.unpack("<Q", bytes(blob.data[:8]))
    if length > SAFETENSORS_MAX_HEADER:
        ctx.add(
            blob,
            "safetensors-header",
            Severity.HIGH,
            f"the header claims {length} bytes (limit {SAFETENSORS_MAX_HEADER}); a parser "
            "denial of service",
            _FIX_HEADER,
        )
        return
    if 8 + length > size:
        ctx.add(
            blob,
            "safetensors-header",
            Severity.MEDIUM,
            f"the header length {length} runs past the end of the file ({size} bytes)",
            _FIX_HEADER,
        )
        return
    try:
        header = safejson.loads(bytes(blob.data[8 : 8 + length]), object_pairs_hook=_no_dupes)
    except (ValueError, RecursionError) as exc:
        ctx.add(
            blob,
            "safetensors-header",
            Severity.MEDIUM,
            f"the header is not valid JSON: {exc}",
            _FIX_HEADER,
        )
        return
    if not isinstance(header, dict):
        ctx.add(
            blob,
            "safetensors-header",
            Severity.MEDIUM,
            "the header is not a JSON object",
            _FIX_HEADER,
        )
        return
    body = size - 8 - length
    spans: list[tuple[int, int, str]] = []
    problems: list[str] = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict):
            problems.append(f"{name}: not an object")
            continue
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in _DTYPE_BYTES:
            problems.append(f"{name}: unknown dtype {dtype!r}")
            continue
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            problems.append(f"{name}: bad shape {shape!r}")
            continue
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(isinstance(o, int) for o in offsets)
            and 0 <= offsets[0] <= offsets[1]
        ):
            problems.append(f"{name}: bad data_offsets {offsets!r}")
            continue
        start, end = offsets
        if end > body:
            problems.append(
                f"{name}: data_offsets [{start}, {end}] run past the data ({body} bytes)"
            )
        count = 1
        for dim in shape:
            count *= dim
        expected = None if dtype in ("F4", "F6_E2M3", "F6_E3M2") else count * _DTYPE_BYTES[dtype]
        if expected is not None and expected != end - start:
            problems.append(
                f"{name}: {end - start} bytes for shape {shape} of {dtype} ({expected} expected)"
            )
        spans.append((start, end, name))
    spans.sort()
    for (_, a_end, a_name), (b_start, _, b_name) in itertools.pairwise(spans):
        if b_start < a_end:
            problems.append(f"tensors {a_name} and {b_name} overlap")
            break
    if problems:
        ctx.add(
            blob,
            "safetensors-header",
            Severity.HIGH,
            f"the header is inconsistent ({len(problems)} problems): " + "; ".join(problems[:5]),
            "Out-of-bounds or overlapping offsets crash or confuse loaders; " + _FIX_HEADER,
            evidence={"problems": problems[:50]},
        )
    metadata = header.get("__metadata__")
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
        for payload in scan_text(value.encode("utf-8", "replace")):
            if not payload.notable:
                continue
            ctx.add(
                blob,
                "suspicious-metadata",
                Severity.MEDIUM,
                f"__metadata__.{key} holds {payload.detail}: {payload.snippet!r}",
                "Metadata should describe the model, not carry commands, code or URLs for "
                "another tool to fetch; find out what reads it.",
                offset=8,
                evidence={"key": key, "kind": payload.kind},
            )
            break


_GGUF_SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_GGUF_MAX_KV = 1_000_000


class _GgufError(Exception):
    pass


def scan_gguf(ctx: ScanContext, blob: Blob) -> None:  # noqa: C901
    """Walk GGUF metadata: chat templates and payloads in string values; bounds on every length."""
    data = blob.data
    size = blob.size
    try:
        version, tensors, kv_count = struct.unpack("<IQQ", bytes(data[4:24]))
    except struct.error:
        ctx.add(
            blob, "gguf-header", Severity.HIGH, "the GGUF header is truncated", "Re-download it."
        )
        return
    if version < 2 or version > 3:
        ctx.add(
            blob,
            "gguf-header",
            Severity.HIGH,
            f"GGUF version {version} is not analyzed (2 and 3 are); it cannot be vouched for",
            "Convert it with a current llama.cpp.",
        )
        return
    if kv_count > _GGUF_MAX_KV or tensors > (1 << 24):
        ctx.add(
            blob,
            "gguf-header",
            Severity.HIGH,
            f"the header claims {kv_count} metadata entries and {tensors} tensors, far beyond "
            "any model (a parser denial of service)",
            "Do not load it.",
        )
        return
    pos = 24

    def read(n: int) -> bytes:
        nonlocal pos
        if n < 0 or pos + n > size:
            raise _GgufError(f"a value at offset {pos} runs past the end of the file")
        chunk = bytes(data[pos : pos + n])
        pos += n
        return chunk

    def string() -> bytes:
        (n,) = struct.unpack("<Q", read(8))
        return read(n)

    def skip_value(kind: int, depth: int = 0) -> bytes | None:
        nonlocal pos
        if kind in _GGUF_SCALAR:
            read(_GGUF_SCALAR[kind])
            return None
        if kind == 8:
            return string()
        if kind == 9 and depth < 3:
            item_kind, count = struct.unpack("<IQ", read(12))
            if item_kind in _GGUF_SCALAR:
                read(_GGUF_SCALAR[item_kind] * count)
                return None
            if count > size:
                raise _GgufError(f"an array at offset {pos} claims {count} items")
            for _ in range(count):
                skip_value(item_kind, depth + 1)
            return None
        raise _GgufError(f"unknown metadata type {kind} at offset {pos}")

    try:
        for _ in range(kv_count):
            key_at = pos
            key = string().decode("utf-8", "replace")
            (kind,) = struct.unpack("<I", read(4))
            value = skip_value(kind)
            if value is None:
                continue
            text = value.decode("utf-8", "replace")
            if "chat_template" in key or "{{" in text or "{%" in text:
                report_template(ctx, blob, key, text)
                continue
            for payload in scan_text(value[:65536]):
                if not payload.notable:
                    continue
                ctx.add(
                    blob,
                    "suspicious-metadata",
                    Severity.MEDIUM,
                    f"metadata {key} holds {payload.detail}",
                    "Metadata should not carry commands or code; find out what reads it.",
                    offset=key_at,
                )
                break
    except (_GgufError, struct.error) as exc:
        ctx.add(
            blob,
            "gguf-header",
            Severity.MEDIUM,
            f"the GGUF metadata is malformed: {exc}",
            "Do not load it; malformed GGUF headers have crashed llama.cpp (heap overflows).",
        )
