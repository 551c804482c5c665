"""The pickle opcode set as data, and a lexical walk over it.

The table is derived from :mod:`pickletools` (the standard library's description of every
opcode and its argument), so the walk decodes exactly the argument layouts ``pickle.load`` reads.
The walk never evaluates anything: it only finds where each opcode and its argument end. It
decides whether bytes are a pickle (a valid opcode stream that reaches STOP), whatever their first
byte, and it is what :mod:`.pickle_vm` and the property tests check against ``pickletools.genops``.
"""

from __future__ import annotations

import pickletools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_LINE = 1 << 20
"""Longest text argument (protocol 0 lines) the walk accepts."""

_LINE = pickletools.UP_TO_NEWLINE
_PREFIX_WIDTH = {
    pickletools.TAKEN_FROM_ARGUMENT1: (1, False),
    pickletools.TAKEN_FROM_ARGUMENT4: (4, True),
    pickletools.TAKEN_FROM_ARGUMENT4U: (4, False),
    pickletools.TAKEN_FROM_ARGUMENT8U: (8, False),
}

NAMES: dict[int, str] = {ord(op.code): op.name for op in pickletools.opcodes}
"""Opcode byte to name (``0x93`` -> ``STACK_GLOBAL``)."""
IMPORTS = frozenset(ord(c) for c in "ci\x93")
"""GLOBAL, INST and STACK_GLOBAL: the opcodes that import."""
CALLS = frozenset(ord(c) for c in "Ro\x81\x92b")
"""REDUCE, OBJ, NEWOBJ, NEWOBJ_EX and BUILD: the opcodes that call into an object."""
STOP = ord(".")


class WalkError(Exception):
    """The bytes stop being a valid opcode stream (``truncated`` when they ran out)."""

    def __init__(self, message: str, offset: int, *, truncated: bool = False) -> None:
        super().__init__(message)
        self.offset = offset
        self.truncated = truncated


@dataclass(frozen=True, slots=True)
class _Arg:
    fixed: int = 0
    prefix: int = 0
    signed: bool = False
    lines: int = 0


def _arg(op: pickletools.OpcodeInfo) -> _Arg:
    arg = op.arg
    if arg is None:
        return _Arg()
    if arg.n >= 0:
        return _Arg(fixed=arg.n)
    if arg.n == _LINE:
        return _Arg(lines=2 if arg.name == "stringnl_noescape_pair" else 1)
    width, signed = _PREFIX_WIDTH[arg.n]
    return _Arg(prefix=width, signed=signed)


ARGS: dict[int, _Arg] = {ord(op.code): _arg(op) for op in pickletools.opcodes}


def arg_end(data: Any, pos: int, size: int, op: int) -> int:
    """The offset after the argument of ``op``, whose argument starts at ``pos``."""
    spec = ARGS.get(op)
    if spec is None:
        raise WalkError(f"unknown opcode 0x{op:02x}", pos - 1)
    if spec.fixed:
        end = pos + spec.fixed
    elif spec.prefix:
        end = pos + spec.prefix
        if end > size:
            raise WalkError("a length runs past the end", pos, truncated=True)
        n = int.from_bytes(data[pos:end], "little", signed=spec.signed)
        if n < 0:
            raise WalkError("a negative length", pos)
        end += n
    else:
        end = pos
        for _ in range(spec.lines):
            nl = data.find(b"\n", end, min(size, end + MAX_LINE))
            if nl < 0:
                raise WalkError("a text argument has no end of line", end, truncated=True)
            end = nl + 1
    if end > size:
        raise WalkError("an argument runs past the end", pos, truncated=True)
    return end


@dataclass(frozen=True, slots=True)
class Step:
    """One opcode of a stream."""

    op: int
    offset: int
    arg: int
    """Where its argument starts (``offset + 1``)."""
    end: int
    """Where the next opcode starts."""

    @property
    def name(self) -> str:
        """The opcode's name."""
        return NAMES[self.op]


def walk(data: Any, start: int = 0, size: int | None = None) -> Iterator[Step]:
    """Every opcode of the stream at ``start`` up to and including STOP; raises
    :class:`WalkError` where the bytes stop being a valid opcode stream."""
    size = len(data) if size is None else size
    pos = start
    while True:
        if pos >= size:
            raise WalkError("the stream ends without a STOP opcode", pos, truncated=True)
        op = data[pos]
        end = arg_end(data, pos + 1, size, op)
        yield Step(op, pos, pos + 1, end)
        if op == STOP:
            return
        pos = end


@dataclass(frozen=True, slots=True)
class Shape:
    """What a walk over a stream found."""

    end: int
    """Offset after STOP."""
    opcodes: int
    imports: int
    calls: int


def stream_shape(data: Any, start: int = 0, *, max_ops: int | None = None) -> Shape | None:
    """The shape of a complete stream at ``start``, or ``None`` when the bytes are not one
    (within ``max_ops`` opcodes when given)."""
    count = imports = calls = 0
    try:
        for step in walk(data, start):
            count += 1
            if step.op in IMPORTS:
                imports += 1
            elif step.op in CALLS:
                calls += 1
            if max_ops is not None and count > max_ops:
                return None
            if step.op == STOP:
                return Shape(step.end, count, imports, calls)
    except WalkError:
        return None
    return None


def is_pickle(data: Any, start: int = 0, *, strict: bool = False) -> bool:
    """Whether the bytes at ``start`` are a pickle stream that reaches STOP.

    ``strict`` (for bytes in no model position: any file, a string inside data) also wants the
    stream to import something, since a pickle that imports nothing cannot run code and random
    bytes sometimes form a short valid stream."""
    shape = stream_shape(data, start)
    if shape is None:
        return False
    return not strict or (shape.imports > 0 and shape.opcodes >= 3)
