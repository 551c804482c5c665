"""The opcode handlers of :class:`.pickle_vm.Machine`, one short function per opcode family,
and :func:`run`, the loop that dispatches through their table.

A handler reads its argument from ``m.data`` at ``m.pos`` (already past the opcode byte),
updates the stack and memo, tells the sink what matters, and returns True only for STOP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labwarden.checks.modelfile.pickle_ops import NAMES
from labwarden.checks.modelfile.pickle_vm import (
    MAX_IMPORT_LINE,
    Call,
    Machine,
    Malformed,
    Ref,
    Truncated,
)

TEXT_CHECK_MIN = 16
"""Strings shorter than this are only checked for dangerous dunder names."""

Handler = Callable[[Machine, int], bool | None]
"""Runs one opcode; True at STOP."""

_TABLE: dict[int, Handler] = {}
_CODES = {name: code for code, name in NAMES.items()}


def handles(*names: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the opcodes ``names``."""

    def register(func: Handler) -> Handler:
        for name in names:
            _TABLE[_CODES[name]] = func
        return func

    return register


def run(m: Machine) -> int:
    """Run opcodes from ``m.pos`` up to STOP; the offset after it. Raises :class:`Malformed`,
    :class:`Truncated` or ``IndexError`` (a read past the end or from an empty stack)."""
    data, table, trace = m.data, HANDLERS, m.trace
    check_at = m.check_at
    while True:
        pos = m.pos
        op = data[pos]
        m.at = pos
        m.pos = pos + 1
        if pos >= check_at:
            m.check_limits()
            check_at = m.check_at
        handler = table[op]
        if handler is None:
            raise Malformed(f"unknown opcode 0x{op:02x}")
        if trace is not None:
            trace.append((pos, op))
        if handler(m, op):
            return m.pos


# -- constants and simple values -------------------------------------------------------------


@handles("NONE", "EMPTY_LIST", "EMPTY_DICT", "EMPTY_SET", "NEXT_BUFFER")
def _push_none(m: Machine, op: int) -> None:
    m.stack.append(None)


@handles("NEWTRUE", "NEWFALSE")
def _push_bool(m: Machine, op: int) -> None:
    m.stack.append(op == 0x88)


@handles("EMPTY_TUPLE")
def _empty_tuple(m: Machine, op: int) -> None:
    m.stack.append(())


@handles("BININT1")
def _binint1(m: Machine, op: int) -> None:
    m.stack.append(m.uint(1))


@handles("BININT2")
def _binint2(m: Machine, op: int) -> None:
    m.stack.append(m.uint(2))


@handles("BININT")
def _binint(m: Machine, op: int) -> None:
    m.stack.append(m.uint(4, signed=True))


@handles("BINFLOAT")
def _binfloat(m: Machine, op: int) -> None:
    m.uint(8)
    m.stack.append(None)


@handles("LONG1", "LONG4")
def _long(m: Machine, op: int) -> None:
    raw = m.counted(1 if op == 0x8A else 4, 8, signed=op == 0x8B)
    m.stack.append(None if raw is None else int.from_bytes(raw, "little", signed=True))


@handles("INT", "LONG", "FLOAT", "PERSID")
def _text_number(m: Machine, op: int) -> None:
    m.line()
    m.stack.append(None)


# -- strings and bytes -----------------------------------------------------------------------


@handles("SHORT_BINUNICODE")
def _short_binunicode(m: Machine, op: int) -> None:
    # The most frequent opcode of real pickles: reads its argument inline.
    data, pos = m.data, m.pos
    n = data[pos]
    end = pos + 1 + n
    if end > m.size:
        raise Truncated("a string runs past the end")
    text = data[pos + 1 : end]
    m.pos = end
    if n >= TEXT_CHECK_MIN or (n > 4 and text[0] == 0x5F):
        m.sink.text(text, m.at)
    m.stack.append(text)
    if end < m.size and data[end] == 0x94 and m.trace is None and m.keys is None:
        # The MEMOIZE that almost always follows, run here (the same as its handler does).
        m.pos = end + 1
        if not m.memo_full:
            m.memo[m.mlen] = text
        m.mlen += 1


@handles("BINUNICODE", "BINUNICODE8", "SHORT_BINSTRING", "BINSTRING")
def _counted_text(m: Machine, op: int) -> None:
    width = {0x58: 4, 0x8D: 8, 0x55: 1, 0x54: 4}[op]
    start = m.pos + width
    text = m.counted(width, signed=op == 0x54)
    if text is None:
        m.sink.text(m.data[start : start + 4096], m.at)
    elif len(text) >= TEXT_CHECK_MIN or text[:1] == b"_":
        m.sink.text(text, m.at)
    m.stack.append(text)


@handles("STRING")
def _string(m: Machine, op: int) -> None:
    text = unquote(m.line())
    m.sink.text(text, m.at)
    m.stack.append(text)


@handles("UNICODE")
def _unicode(m: Machine, op: int) -> None:
    raw = m.line()
    text = raw.decode("raw_unicode_escape", "replace").encode("utf-8", "surrogateescape")
    m.sink.text(text, m.at)
    m.stack.append(text)


@handles("SHORT_BINBYTES", "BINBYTES", "BINBYTES8", "BYTEARRAY8")
def _binbytes(m: Machine, op: int) -> None:
    width = 1 if op == 0x43 else 4 if op == 0x42 else 8
    raw = m.counted(width)
    m.stack.append(None if raw is None else m.sink.binary(raw, m.at))


# -- the memo ----------------------------------------------------------------------------------


@handles("MEMOIZE")
def _memoize(m: Machine, op: int) -> None:
    if m.keys is None and m.stack and not m.memo_full:
        # Contiguous memo (the usual case): index mlen was never used, nothing to overwrite.
        value = m.stack[-1]
        if value is not None:
            m.memo[m.mlen] = value
        m.mlen += 1
    else:
        m.put(m.mlen)


@handles("BINPUT", "LONG_BINPUT")
def _binput(m: Machine, op: int) -> None:
    m.put(m.uint(1 if op == 0x71 else 4))


@handles("PUT")
def _put(m: Machine, op: int) -> None:
    m.put(_int(m.line()))


@handles("BINGET", "LONG_BINGET")
def _binget(m: Machine, op: int) -> None:
    m.stack.append(m.get(m.uint(1 if op == 0x68 else 4)))


@handles("GET")
def _get(m: Machine, op: int) -> None:
    m.stack.append(m.get(_int(m.line())))


# -- marks, containers, stack manipulation -----------------------------------------------------


@handles("MARK")
def _mark(m: Machine, op: int) -> None:
    m.marks.append(len(m.stack))


@handles("APPENDS", "SETITEMS", "ADDITEMS")
def _extend(m: Machine, op: int) -> None:
    if not m.marks:
        raise Malformed("APPENDS/SETITEMS without MARK")
    stack = m.stack
    mark = m.marks.pop()
    if mark > len(stack) or mark < 1:
        raise Malformed("MARK below the container")
    if op == 0x75 and mark >= 2 and type(stack[mark - 2]) is Call:
        # The state dict of an object: kept (small) for joblib array wrappers.
        items = stack[mark : mark + 32]
        pairs = zip(items[::2], items[1::2], strict=False)
        stack[mark - 1] = {k: v for k, v in pairs if type(k) is bytes}
    del stack[mark:]


@handles("APPEND")
def _append(m: Machine, op: int) -> None:
    m.need(2, "APPEND")
    m.stack.pop()


@handles("SETITEM")
def _setitem(m: Machine, op: int) -> None:
    m.need(3, "SETITEM")
    del m.stack[-2:]


@handles("TUPLE1", "TUPLE2", "TUPLE3")
def _tuple_n(m: Machine, op: int) -> None:
    n = op - 0x84
    m.need(n, "TUPLE")
    items = tuple(m.stack[-n:])
    del m.stack[-n:]
    m.stack.append(items)


@handles("TUPLE")
def _tuple(m: Machine, op: int) -> None:
    m.stack.append(m.take_marked())


@handles("LIST", "DICT", "FROZENSET")
def _marked_container(m: Machine, op: int) -> None:
    del m.stack[m.pop_mark() :]
    m.stack.append(None)


@handles("POP")
def _pop(m: Machine, op: int) -> None:
    if m.stack:
        m.stack.pop()
    elif m.marks:
        m.marks.pop()
    else:
        raise Malformed("POP on an empty stack")


@handles("POP_MARK")
def _pop_mark(m: Machine, op: int) -> None:
    del m.stack[m.pop_mark() :]


@handles("DUP")
def _dup(m: Machine, op: int) -> None:
    m.need(1, "DUP")
    m.stack.append(m.stack[-1])


@handles("BINPERSID")
def _binpersid(m: Machine, op: int) -> None:
    m.need(1, "BINPERSID")
    m.stack[-1] = None


@handles("READONLY_BUFFER")
def _readonly_buffer(m: Machine, op: int) -> None:
    m.need(1, "READONLY_BUFFER")


# -- framing -------------------------------------------------------------------------------------


@handles("PROTO")
def _proto(m: Machine, op: int) -> None:
    if m.uint(1) > 5:
        raise Malformed(f"unsupported protocol {m.data[m.pos - 1]}")


@handles("FRAME")
def _frame(m: Machine, op: int) -> None:
    m.uint(8)


@handles("STOP")
def _stop(m: Machine, op: int) -> bool:
    if not m.stack:
        raise Malformed("STOP on an empty stack")
    return True


# -- imports and calls -------------------------------------------------------------------------


def _import_line(m: Machine) -> str:
    # The unpickler decodes GLOBAL/INST names as strict UTF-8 and stops before importing when
    # it cannot, so such bytes (raw weights that start with b"c") are no pickle.
    try:
        return m.line(MAX_IMPORT_LINE).decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("an import name that is not UTF-8") from None


@handles("GLOBAL")
def _global(m: Machine, op: int) -> None:
    module = _import_line(m)
    name = _import_line(m)
    m.stack.append(m.sink.imported(module, name, m.at, "GLOBAL"))


@handles("STACK_GLOBAL")
def _stack_global(m: Machine, op: int) -> None:
    m.need(2, "STACK_GLOBAL")
    name = m.stack.pop()
    module = m.stack.pop()
    if type(module) is bytes and type(name) is bytes:
        ref = m.sink.imported(
            module.decode("utf-8", "surrogateescape"),
            name.decode("utf-8", "surrogateescape"),
            m.at,
            "STACK_GLOBAL",
        )
    else:
        ref = m.sink.dynamic(module, name, m.at)
    m.stack.append(ref)


@handles("INST")
def _inst(m: Machine, op: int) -> None:
    module = _import_line(m)
    name = _import_line(m)
    args = m.take_marked()
    ref = m.sink.imported(module, name, m.at, "INST")
    m.stack.append(m.sink.called(ref, args, m.at, "INST") or Call(ref, m.at, args))


@handles("OBJ")
def _obj(m: Machine, op: int) -> None:
    mark = m.pop_mark()
    stack = m.stack
    if len(stack) <= mark:
        raise Malformed("OBJ without a class")
    cls = stack[mark]
    args = tuple(stack[mark + 1 :]) if len(stack) - mark <= 9 else None
    del stack[mark:]
    stack.append(m.sink.called(cls, args, m.at, "OBJ") or Call(cls, m.at, args))


@handles("REDUCE", "NEWOBJ")
def _reduce(m: Machine, op: int) -> None:
    m.need(2, NAMES[op])
    args = m.stack.pop()
    func = m.stack.pop()
    m.stack.append(m.sink.called(func, args, m.at, NAMES[op]) or Call(func, m.at, args))


@handles("NEWOBJ_EX")
def _newobj_ex(m: Machine, op: int) -> None:
    m.need(3, "NEWOBJ_EX")
    m.stack.pop()
    args = m.stack.pop()
    cls = m.stack.pop()
    m.stack.append(m.sink.called(cls, args, m.at, "NEWOBJ_EX") or Call(cls, m.at, args))


@handles("BUILD")
def _build(m: Machine, op: int) -> None:
    m.need(2, "BUILD")
    state = m.stack.pop()
    target = m.stack[-1]
    m.sink.built(target, state, m.at)
    if type(target) is Call and type(state) is dict:
        _joblib_array(m, target, state)


@handles("EXT1", "EXT2", "EXT4")
def _ext(m: Machine, op: int) -> None:
    width = {0x82: 1, 0x83: 2, 0x84: 4}[op]
    m.sink.extension(m.uint(width, signed=op == 0x84), width, m.at)
    m.stack.append(None)


HANDLERS: tuple[Handler | None, ...] = tuple(_TABLE.get(op) for op in range(256))
"""The dispatch table, indexed by opcode byte (``None``: not an opcode)."""


# -- joblib's raw arrays -------------------------------------------------------------------------


def _joblib_array(m: Machine, wrapper: Call, state: dict[Any, Any]) -> None:
    """Skip the raw array bytes joblib writes right after a NumpyArrayWrapper's BUILD."""
    func = wrapper.func
    if not (isinstance(func, Ref) and func.name == "NumpyArrayWrapper"):
        return
    if not func.module.startswith("joblib"):
        return
    dtype = state.get(b"dtype")
    shape = state.get(b"shape")
    code = dtype.args[0] if isinstance(dtype, Call) and type(dtype.args) is tuple else None
    parsed = itemsize(code) if type(code) is bytes else None
    if parsed is None or type(shape) is not tuple or not all(type(d) is int for d in shape):
        raise Malformed("a joblib array wrapper whose dtype or shape cannot be read")
    kind, size = parsed
    if kind == "O":
        # Object arrays are a complete pickle stream inline; joblib unpickles it too.
        inner = Machine(m.data, m.pos, m.size, m.sink, trace=m.trace)
        m.pos = run(inner)
        return
    if state.get(b"allow_mmap") is True:
        m.pos += 1 + m.uint(1)  # padding length, then padding to align the array
    count = 1
    for dim in shape:
        count *= dim
    m.pos += count * size
    if m.pos > m.size:
        raise Truncated("a joblib array runs past the end")


def itemsize(code: bytes) -> tuple[str, int] | None:
    """Kind and item size of a NumPy dtype string such as ``<f8``, ``U10`` or ``O8``."""
    text = code.decode("ascii", "replace").lstrip("<>|=")
    if not text:
        return None
    kind, digits = text[0], text[1:]
    if kind == "O":
        return "O", 8
    if kind == "?" and not digits:
        return "b", 1
    if not digits.isdigit():
        return None
    return kind, int(digits) * (4 if kind == "U" else 1)


def unquote(raw: bytes) -> bytes:
    """The value of a protocol 0 STRING argument (quoted, with escapes)."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[:1] == raw[-1:] and raw[:1] in (b"'", b'"'):
        raw = raw[1:-1]
    try:
        return raw.decode("unicode_escape").encode("utf-8", "surrogateescape")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return raw


def _int(raw: bytes) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise Malformed(f"bad memo index {raw[:20]!r}") from None
