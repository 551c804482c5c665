"""The safetensors header reader: real files, and arbitrary bytes that must never crash it."""

from __future__ import annotations

import itertools
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.modelfile.samples import safetensors
from labwarden.seal.safetensors import SafetensorsError, parse_header


def test_spans_of_a_real_file() -> None:
    data = safetensors({"a": (2, 2), "b": (3,)}, b"\x00\x01\x02\x03")
    spans = parse_header(data, len(data))
    assert [s.name for s in spans] == ["a", "b"]
    assert spans[0].end - spans[0].start == 16
    assert spans[1].end == len(data)


def _file(header: object, body: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01", "shorter than"),
        (struct.pack("<Q", 1000) + b"{}", "past the end"),
        (_file([1, 2]), "not a JSON object"),
        (_file({"t": {"data_offsets": [0, 8]}}), "outside the file"),
        (_file({"t": {"data_offsets": ["0", 8]}}, b"x" * 8), "two integers"),
        (
            _file({"a": {"data_offsets": [0, 6]}, "b": {"data_offsets": [4, 8]}}, b"x" * 8),
            "overlap",
        ),
        (struct.pack("<Q", 2) + b"\xff\xfe", "not JSON"),
    ],
)
def test_bad_headers_are_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(SafetensorsError, match=message):
        parse_header(data, len(data))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=512))
def test_arbitrary_bytes_raise_only_safetensors_errors(data: bytes) -> None:
    try:
        spans = parse_header(data, len(data))
    except SafetensorsError:
        return
    for span in spans:
        assert 0 <= span.start <= span.end <= len(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5), st.binary(max_size=64))
def test_arbitrary_json_headers_raise_only_safetensors_errors(
    header: dict[str, object], body: bytes
) -> None:
    data = _file(header, body)
    try:
        spans = parse_header(data, len(data))
    except SafetensorsError:
        return
    ordered = sorted(spans, key=lambda s: s.start)
    for before, after in itertools.pairwise(ordered):
        assert before.end <= after.start
