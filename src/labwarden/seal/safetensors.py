"""Read the header of a safetensors file (never its tensors as objects) to locate tensor bytes.

Layout: an 8-byte little-endian header length ``N``, ``N`` bytes of JSON mapping tensor names to
``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets relative to the byte after the
header) and an optional ``__metadata__`` map of strings, then the tensor data.
"""

from __future__ import annotations

import itertools
import json
import struct
from dataclasses import dataclass

from labwarden.core import safejson

MAX_HEADER = 100 * 1024 * 1024
"""The safetensors reference implementation refuses larger headers too."""


class SafetensorsError(ValueError):
    """The bytes are not a well-formed safetensors header."""


@dataclass(frozen=True, slots=True)
class TensorSpan:
    """Where one tensor's bytes are, as absolute file offsets."""

    name: str
    start: int
    end: int


def header_length(prefix: bytes, file_size: int) -> int:
    """The JSON header length from the first 8 bytes; checked against the file size."""
    if len(prefix) < 8:
        raise SafetensorsError("shorter than the 8-byte header length")
    (length,) = struct.unpack("<Q", prefix[:8])
    if length == 0 or length > MAX_HEADER:
        raise SafetensorsError(f"header length {length} out of range")
    if 8 + length > file_size:
        raise SafetensorsError(f"header length {length} runs past the end of the file")
    return int(length)


def parse_header(data: bytes, file_size: int) -> list[TensorSpan]:  # noqa: C901
    """Tensor spans from ``data`` (at least the first ``8 + N`` bytes of a file of ``file_size``).

    Raises :class:`SafetensorsError` for anything that is not a valid header: bad JSON, missing
    or non-integer offsets, offsets outside the file, overlapping tensors.
    """
    length = header_length(data, file_size)
    if len(data) < 8 + length:
        raise SafetensorsError("truncated header")
    try:
        header = safejson.loads(data[8 : 8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SafetensorsError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise SafetensorsError("header is not a JSON object")
    base = 8 + length
    spans: list[TensorSpan] = []
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(spec, dict):
            raise SafetensorsError(f"tensor {name!r}: not an object")
        offsets = spec.get("data_offsets")
        if (
            not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(type(o) is int for o in offsets)
        ):
            raise SafetensorsError(f"tensor {name!r}: data_offsets must be two integers")
        begin, end = offsets
        if begin < 0 or end < begin or base + end > file_size:
            raise SafetensorsError(f"tensor {name!r}: data_offsets {offsets} outside the file")
        spans.append(TensorSpan(name, base + begin, base + end))
    spans.sort(key=lambda s: (s.start, s.end, s.name))
    for before, after in itertools.pairwise(spans):
        if after.start < before.end:
            raise SafetensorsError(f"tensors {before.name!r} and {after.name!r} overlap")
    return spans


def is_safetensors_name(path: str) -> bool:
    """Whether a file name says safetensors."""
    return path.lower().endswith(".safetensors")
