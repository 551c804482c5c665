"""Read the header of a safetensors file (never its tensors as objects) to locate tensor bytes.

Layout: an 8-byte little-endian header length ``N``, ``N`` bytes of JSON mapping tensor names to
``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets relative to the byte after the
header) and an optional ``__metadata__`` map of strings, then the tensor data.
"""

from __future__ import annotations

import itertools
import json
import math
import struct
from dataclasses import dataclass

from labwarden.core import safejson

MAX_HEADER = 100 * 1024 * 1024
"""The safetensors reference implementation refuses larger headers too."""


class SafetensorsError(ValueError):
    """The bytes are not a well-formed safetensors header."""

    def __init__(self, message: str, code: str = "header") -> None:
        super().__init__(message)
        self.code = code
        """``short``, ``length`` (out of range), ``truncated``, ``json`` (not JSON, a duplicate
        key, not an object) or ``header`` (a tensor entry that cannot be located)."""


@dataclass(frozen=True, slots=True)
class TensorSpan:
    """Where one tensor's bytes are, as absolute file offsets."""

    name: str
    start: int
    end: int
    dtype: str = ""
    """As the header says (unchecked: :attr:`Header.mismatches` says when it is unknown)."""
    shape: tuple[int, ...] = ()
    """As the header says; empty when the header's shape is not a list of counts."""


DTYPE_BYTES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "F4": 1, "F6_E2M3": 1,
    "F6_E3M2": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4,
    "I64": 8, "U64": 8, "F64": 8, "C64": 8,
}  # fmt: skip
_PACKED = frozenset({"F4", "F6_E2M3", "F6_E3M2"})  # sub-byte types: no whole-byte size check


@dataclass(slots=True)
class Header:
    """A parsed header: where each tensor is, what does not add up, and the metadata."""

    length: int
    spans: list[TensorSpan]
    problems: list[str]
    """Entries that cannot be located: bad or out-of-file offsets, overlapping tensors."""
    mismatches: list[str]
    """Entries that can be located but lie: unknown dtype, bad shape, size not shape x dtype."""
    metadata: object


def header_length(prefix: bytes, file_size: int) -> int:
    """The JSON header length from the first 8 bytes; checked against the file size."""
    if len(prefix) < 8:
        raise SafetensorsError("shorter than the 8-byte header length", "short")
    (length,) = struct.unpack("<Q", prefix[:8])
    if length == 0 or length > MAX_HEADER:
        raise SafetensorsError(f"header length {length} out of range", "length")
    if 8 + length > file_size:
        raise SafetensorsError(f"header length {length} runs past the end of the file", "truncated")
    return int(length)


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    seen: dict[str, object] = {}
    for key, value in pairs:
        if key in seen:
            raise SafetensorsError(f"header has the key {key!r} twice", "json")
        seen[key] = value
    return seen


def read_header(data: bytes, file_size: int) -> Header:
    """The header of a file of ``file_size`` bytes from ``data`` (at least its first ``8 + N``
    bytes). Raises :class:`SafetensorsError` when there is no header to read: a bad length, bad
    JSON, a duplicate key (parsers keep different copies) or not an object."""
    length = header_length(data, file_size)
    if len(data) < 8 + length:
        raise SafetensorsError("truncated header", "truncated")
    try:
        header = safejson.loads(
            data[8 : 8 + length].decode("utf-8"), object_pairs_hook=_no_duplicates
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise SafetensorsError(f"header is not JSON: {exc}", "json") from None
    if not isinstance(header, dict):
        raise SafetensorsError("header is not a JSON object", "json")
    result = Header(length, [], [], [], header.get("__metadata__"))
    base = 8 + length
    for name, spec in header.items():
        if name != "__metadata__":
            _entry(result, name, spec, base, file_size)
    result.spans.sort(key=lambda s: (s.start, s.end, s.name))
    for before, after in itertools.pairwise(result.spans):
        if after.start < before.end:
            result.problems.append(f"tensors {before.name!r} and {after.name!r} overlap")
            break
    return result


def _entry(result: Header, name: str, spec: object, base: int, file_size: int) -> None:
    if not isinstance(spec, dict):
        result.problems.append(f"tensor {name!r}: not an object")
        return
    offsets = spec.get("data_offsets")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(type(o) is int for o in offsets)
    ):
        result.problems.append(f"tensor {name!r}: data_offsets must be two integers")
        return
    begin, end = offsets
    if begin < 0 or end < begin or base + end > file_size:
        result.problems.append(
            f"tensor {name!r}: data_offsets {offsets} outside the file (they run past the "
            f"{file_size - base} data bytes)"
        )
        return
    dtype, shape = spec.get("dtype"), spec.get("shape")
    counts = shape if isinstance(shape, list) and all(type(d) is int for d in shape) else []
    result.spans.append(TensorSpan(name, base + begin, base + end, str(dtype), tuple(counts)))
    if dtype not in DTYPE_BYTES:
        result.mismatches.append(f"tensor {name!r}: unknown dtype {dtype!r}")
    elif not (isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)):
        result.mismatches.append(f"tensor {name!r}: bad shape {shape!r}")
    elif dtype not in _PACKED and math.prod(shape) * DTYPE_BYTES[dtype] != end - begin:
        expected = math.prod(shape) * DTYPE_BYTES[dtype]
        result.mismatches.append(
            f"tensor {name!r}: {end - begin} bytes for shape {shape} of {dtype} "
            f"({expected} expected)"
        )


def parse_header(data: bytes, file_size: int) -> list[TensorSpan]:
    """Tensor spans from ``data`` (at least the first ``8 + N`` bytes of a file of ``file_size``).

    Raises :class:`SafetensorsError` for anything that is not a valid header: bad JSON, a
    duplicate key, missing or non-integer offsets, offsets outside the file, overlapping tensors.
    """
    header = read_header(data, file_size)
    if header.problems:
        raise SafetensorsError(header.problems[0])
    return header.spans


def is_safetensors_name(path: str) -> bool:
    """Whether a file name says safetensors."""
    return path.lower().endswith(".safetensors")
