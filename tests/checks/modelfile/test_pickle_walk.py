"""The opcode walk of the analyzer against the standard library's ``pickletools.genops``: for any
bytes on which genops succeeds, both walks see the same opcodes at the same offsets."""

from __future__ import annotations

import pickletools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.checks.modelfile.lists import load_policy
from labwarden.checks.modelfile.pickle_handlers import HANDLERS
from labwarden.checks.modelfile.pickle_ops import NAMES, WalkError, is_pickle, walk
from labwarden.checks.modelfile.pickle_scan import PickleAnalyzer

POLICY = load_policy()

# One valid encoding of every opcode, with small arguments.
CHUNKS = [
    *(bytes([c]) for c in b"N(\x93Rt\x85\x86\x87\x94021eusaldbo\x81\x92\x88\x89]})"),
    *(bytes([c]) for c in b"\x8f\x90\x91Q\x97\x98"),
    b"K\x05", b"M\x01\x02", b"J\x00\x00\x00\x81", b"\x8c\x03abc", b"\x8c\x10" + b"x" * 16,
    b"X\x02\x00\x00\x00hi", b"\x8d\x01" + b"\x00" * 7 + b"z", b"C\x02ab",
    b"B\x01\x00\x00\x00a", b"\x8e\x01" + b"\x00" * 7 + b"q", b"\x96" + b"\x00" * 8,
    b"U\x01s", b"T\x01\x00\x00\x00t", b"I1\n", b"I01\n", b"L5L\n", b"F1.5\n",
    b"G" + b"\x00" * 8, b"S'a'\n", b"Vabc\n", b"cos\nsystem\n", b"ccollections\nOrderedDict\n",
    b"h\x00", b"j\x00\x00\x00\x00", b"q\x00", b"r\x01\x00\x00\x00", b"g0\n", b"p0\n",
    b"\x80\x04", b"\x80\x02", b"\x95\x05" + b"\x00" * 7, b"Pid\n", b"\x82\x01",
    b"\x83\x01\x00", b"\x84\x01\x00\x00\x00", b"\x8a\x01\x05", b"\x8b\x01\x00\x00\x00\x05",
    b"i__main__\nX\n",
]  # fmt: skip

streams = st.builds(
    lambda head, chunks, tail: head + b"".join(chunks) + b"." + tail,
    st.sampled_from([b"", b"\x80\x04", b"\x80\x02", b"("]),
    st.lists(st.sampled_from(CHUNKS), max_size=40),
    st.binary(max_size=8),
)
anything = st.one_of(streams, st.binary(max_size=300))


def genops_offsets(data: bytes) -> list[tuple[int, int]] | None:
    """(offset, opcode) of every opcode genops yields, or None when genops fails."""
    try:
        return [(pos or 0, ord(op.code)) for op, _, pos in pickletools.genops(data)]
    except Exception:  # genops raises ValueError, UnicodeDecodeError, struct.error...
        return None


def analyzer_trace(data: bytes) -> tuple[bool, list[tuple[int, int]]]:
    trace: list[Any] = []
    ok, _ = PickleAnalyzer(POLICY).stream(data, 0, len(data), trace)
    return ok, trace


def test_every_opcode_has_a_handler() -> None:
    assert {op for op, handler in enumerate(HANDLERS) if handler is not None} == set(NAMES)


@settings(max_examples=400, deadline=None)
@given(anything)
def test_analyzer_walk_agrees_with_genops(data: bytes) -> None:
    expected = genops_offsets(data)
    ok, trace = analyzer_trace(data)
    if expected is None:
        return
    # The analyzer may stop earlier (a stack underflow genops does not model), never elsewhere.
    assert trace == expected[: len(trace)]
    if ok:
        assert trace == expected


@settings(max_examples=400, deadline=None)
@given(anything)
def test_lexical_walk_agrees_with_genops(data: bytes) -> None:
    expected = genops_offsets(data)
    if expected is None:
        return
    assert [(step.offset, step.op) for step in walk(data)] == expected
    assert is_pickle(data)


def test_walk_stops_where_the_bytes_stop_being_a_pickle() -> None:
    try:
        list(walk(b"\x8c\x05ab"))
    except WalkError as exc:
        assert exc.truncated and exc.offset == 1
    else:
        raise AssertionError("a truncated stream walked to the end")
    assert not is_pickle(b"\xff\x00garbage")
    assert is_pickle(b"\x8c\x02os\x94\x8c\x06system\x94\x93h\x00\x85R.", strict=True)
