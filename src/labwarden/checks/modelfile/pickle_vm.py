"""A symbolic pickle machine: the interpreter's state in one object and a table of small opcode
handlers, one per opcode family, so that adding an opcode rule is one function.

The machine never imports or calls anything. Stack values are small tokens: ``None`` (a value
that cannot matter), ``bytes`` (a text string, kept as UTF-8, or raw bytes kept for nested
pickles), ``bool``/``int``, ``tuple`` (a small tuple of tokens), ``dict`` (the small state of an
object), :class:`Ref` (an imported object) and :class:`Call` (the result of calling something).
What it sees (imports, calls, strings) goes to a :class:`Sink`, which judges and reports.

The stack, the mark stack and the memo have limits; past them the machine keeps going in a
degraded, bounded mode and tells the sink.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from labwarden.checks.modelfile.lists import Verdict
from labwarden.checks.modelfile.pickle_ops import MAX_LINE

MAX_STACK = 2_000_000
CHECK_EVERY = 1 << 16
MAX_MARKS = 500_000
MAX_MEMO = 4_000_000
MAX_TOKEN = 1 << 20
"""Largest string or bytes argument kept as a token (larger ones are skipped, not copied)."""
MAX_IMPORT_LINE = 1 << 16


class Malformed(Exception):
    """The stream stops being a valid pickle here (``pickle.load`` fails at this opcode)."""


class Truncated(Exception):
    """The stream runs past the end of the data."""


@dataclass(slots=True)
class Ref:
    """An object a GLOBAL/STACK_GLOBAL/INST imported."""

    module: str
    name: str
    offset: int
    verdict: Verdict
    hit: Any = None
    """The sink's record of the import, when it reported one."""

    @property
    def qualname(self) -> str:
        """``module.name``."""
        return f"{self.module}.{self.name}"


@dataclass(slots=True)
class Call:
    """The result of calling (REDUCE, NEWOBJ, INST, OBJ) a token."""

    func: object
    offset: int
    args: object = None


class Sink(Protocol):
    """What the machine reports to (the analyzer)."""

    def imported(self, module: str, name: str, at: int, opcode: str) -> Ref:
        """An import by literal name."""
        ...

    def dynamic(self, module: object, name: object, at: int) -> Ref:
        """A STACK_GLOBAL whose module or name is computed at load time."""
        ...

    def called(self, func: object, args: object, at: int, opcode: str) -> object | None:
        """``func`` is called with ``args``; returns the token that stands for the result when
        the call is an import in disguise (a resolver), else None."""
        ...

    def built(self, target: object, state: object, at: int) -> None:
        """BUILD applies ``state`` to ``target``."""
        ...

    def text(self, text: bytes, at: int) -> None:
        """A string argument (UTF-8 bytes)."""
        ...

    def binary(self, data: bytes, at: int) -> object:
        """A bytes argument small enough to look into; the token to push for it."""
        ...

    def extension(self, code: int, width: int, at: int) -> None:
        """EXT1/EXT2/EXT4 fetches an object from the copyreg registry."""
        ...

    def flood(self, what: str, at: int) -> None:
        """A limit was passed; the machine continues in degraded mode."""
        ...


@dataclass(slots=True)
class Machine:
    """The state of one stream's interpretation."""

    data: Any
    pos: int
    size: int
    sink: Sink
    stack: list[Any] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)
    memo: dict[int, Any] = field(default_factory=dict)
    mlen: int = 0
    """Number of memo keys (the next MEMOIZE index while keys are contiguous)."""
    keys: set[int] | None = None
    """All memo keys, once PUT made them non-contiguous."""
    memo_full: bool = False
    degraded: bool = False
    at: int = 0
    """Offset of the opcode being run."""
    start: int = 0
    check_at: int = 0
    trace: list[tuple[int, int]] | None = None
    """(offset, opcode) of every opcode run, when tracing (for tests)."""

    def __post_init__(self) -> None:
        self.start = self.at = self.pos
        self.check_at = self.pos + CHECK_EVERY

    # -- reading arguments ---------------------------------------------------------------------

    def uint(self, width: int, *, signed: bool = False) -> int:
        """A little-endian integer argument."""
        pos = self.pos
        end = pos + width
        if end > self.size:
            raise Truncated("an argument runs past the end")
        self.pos = end
        return int.from_bytes(self.data[pos:end], "little", signed=signed)

    def counted(self, width: int, limit: int = MAX_TOKEN, *, signed: bool = False) -> Any:
        """A length-prefixed argument: its bytes, or ``None`` when longer than ``limit``."""
        n = self.uint(width, signed=signed)
        if n < 0:
            raise Malformed("a negative length")
        pos = self.pos
        if pos + n > self.size:
            raise Truncated("a string runs past the end")
        self.pos = pos + n
        return self.data[pos : pos + n] if n <= limit else None

    def line(self, limit: int = MAX_LINE) -> bytes:
        """A newline-terminated text argument, without the newline."""
        pos = self.pos
        end = self.data.find(b"\n", pos, min(self.size, pos + limit))
        if end < 0:
            raise Truncated("a text argument has no end of line")
        self.pos = end + 1
        return bytes(self.data[pos:end])

    # -- the stack -------------------------------------------------------------------------------

    def need(self, n: int, what: str) -> None:
        """Fail unless the stack holds ``n`` items."""
        if len(self.stack) < n:
            raise Malformed(f"{what} with too few items")

    def pop_mark(self) -> int:
        """Pop the topmost MARK; its stack position."""
        if not self.marks:
            raise Malformed("no MARK to pop")
        mark = self.marks.pop()
        if mark > len(self.stack):
            raise Malformed("MARK above the stack")
        return mark

    def take_marked(self, keep: int = 8) -> tuple[Any, ...] | None:
        """Pop everything above the topmost MARK; a tuple of it when at most ``keep`` items."""
        mark = self.pop_mark()
        items = tuple(self.stack[mark:]) if len(self.stack) - mark <= keep else None
        del self.stack[mark:]
        return items

    # -- the memo --------------------------------------------------------------------------------

    def get(self, index: int) -> Any:
        """GET/BINGET/LONG_BINGET."""
        found = self.memo.get(index)
        if found is not None:
            return found
        known = index < self.mlen if self.keys is None else index in self.keys
        if not known and not self.memo_full:
            raise Malformed(f"memo index {index} was never set")
        return None

    def put(self, index: int) -> None:
        """PUT/BINPUT/LONG_BINPUT (and MEMOIZE, at the next index)."""
        if not self.stack:
            raise Malformed("PUT on an empty stack")
        keys = self.keys
        if keys is None:
            if index == self.mlen:
                self.mlen += 1
            elif index > self.mlen:
                # Sparse indices: from now on MEMOIZE numbering is len(keys), as pickle does.
                keys = self.keys = set(range(self.mlen))
        if keys is not None:
            keys.add(index)
            self.mlen = len(keys)
        value = self.stack[-1]
        if value is not None and not self.memo_full:
            self.memo[index] = value
        elif index in self.memo:
            del self.memo[index]

    def check_limits(self) -> None:
        """Keep the stack, marks and memo bounded (checked every CHECK_EVERY bytes: one opcode
        pushes at most one item per byte, so the overshoot is bounded)."""
        self.check_at = self.pos + CHECK_EVERY
        stack, marks = self.stack, self.marks
        if len(stack) > MAX_STACK:
            cut = len(stack) - 1000
            del stack[:cut]
            self.marks = [m - cut for m in marks if m >= cut]
            self._degrade("stack")
        if len(self.marks) > MAX_MARKS:
            del self.marks[: len(self.marks) - 1000]
            self._degrade("mark")
        if self.mlen > MAX_MEMO and not self.memo_full:
            self.memo_full = True
            self.memo.clear()
            self.sink.flood("memo", self.at)

    def _degrade(self, what: str) -> None:
        if not self.degraded:
            self.degraded = True
            self.sink.flood(what, self.at)
