"""Pickle analysis by opcode, never by loading.

One linear pass over every pickle stream in a buffer (several pickles may be concatenated) with a
simulated stack and memo, exact enough to resolve what every GLOBAL, STACK_GLOBAL, INST, OBJ,
REDUCE, BUILD, NEWOBJ and NEWOBJ_EX acts on, and bounded: the stack, the mark stack and the memo
have limits; past them the analysis keeps going in a degraded mode and says so.

Stack values are small tokens: ``None`` (a value that cannot matter), ``bytes`` (a text string,
kept as UTF-8), ``tuple`` (a small tuple of tokens), :class:`Ref` (an imported object) and
:class:`Call` (the result of calling something). Large binary arguments are skipped, not copied.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from labwarden.checks.modelfile.lists import DANGEROUS_DUNDERS, ImportPolicy, Verdict
from labwarden.checks.modelfile.payloads import Payload, looks_like_pickle, scan_text, snippet
from labwarden.core.values import Severity

log = logging.getLogger(__name__)

MAX_STACK = 2_000_000
CHECK_EVERY = 1 << 16
MAX_MARKS = 500_000
MAX_MEMO = 4_000_000
MAX_LINE = 1 << 16
MAX_TOKEN_TEXT = 1 << 20
MAX_NESTED_DEPTH = 3
MAX_HITS_PER_RULE = 50
TEXT_CHECK_MIN = 16
_DUNDER_TEXT = frozenset(d.encode() for d in DANGEROUS_DUNDERS)


@dataclass(slots=True)
class Ref:
    """An object a GLOBAL/STACK_GLOBAL/INST imported."""

    module: str
    name: str
    offset: int
    verdict: Verdict
    hit: Hit | None = None

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


@dataclass(slots=True)
class Hit:
    """One thing the analysis reports, before it becomes a finding."""

    rule: str
    severity: Severity
    offset: int
    message: str
    remediation: str
    callable: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    count: int = 1


@dataclass(slots=True)
class PickleReport:
    """What the analysis of one buffer found."""

    hits: list[Hit] = field(default_factory=list)
    streams: int = 0
    imports: dict[str, int] = field(default_factory=dict)
    """Every import seen (``module.name``) and how often."""
    end: int = 0
    """Offset after the last pickle stream that was analyzed."""

    @property
    def worst(self) -> Severity | None:
        """The highest severity among the hits."""
        return max((h.severity for h in self.hits), default=None)


_ESCALATE_HINT = (
    "The callable receives a string argument that looks like code, a command, a path or a URL."
)


class PickleAnalyzer:
    """Analyze pickle bytes with an :class:`ImportPolicy`; reusable, not thread-safe."""

    def __init__(self, policy: ImportPolicy, *, depth: int = 0) -> None:
        self.policy = policy
        self.depth = depth

    def analyze(
        self, data: bytes | Any, *, start: int = 0, max_streams: int | None = None
    ) -> PickleReport:
        """Analyze every pickle stream in ``data`` (bytes or an mmap) from ``start``."""
        report = PickleReport()
        self._report = report
        self._keys: dict[tuple[str, str], Hit] = {}
        size = len(data)
        pos = start
        while pos < size:
            if report.streams and not self._next_stream_plausible(data, pos, size):
                rest = size - pos
                if data[pos : pos + 64].strip(b"\x00\n\r\t ") != b"":
                    self._hit(
                        "trailing-data",
                        Severity.INFO,
                        pos,
                        f"{rest} bytes after the last pickle stream are not a pickle",
                        "Usually harmless padding or raw tensor data; check how the file is read.",
                    )
                break
            if report.streams == 1:
                self._hit(
                    "multiple-pickles",
                    Severity.LOW,
                    pos,
                    "the file holds more than one pickle stream; loaders that read in a loop "
                    "(legacy torch.load, joblib, custom code) run every stream",
                    "Every stream is analyzed; review the findings of the later streams.",
                )
            report.streams += 1
            ok, pos = self._stream(data, pos, size)
            report.end = pos
            if not ok or (max_streams is not None and report.streams >= max_streams):
                break
        return report

    @staticmethod
    def _next_stream_plausible(data: Any, pos: int, size: int) -> bool:
        if size - pos < 2:
            return False
        first = data[pos]
        if first == 0x80:
            return bool(1 <= data[pos + 1] <= 5)
        head = bytes(data[pos : pos + 256])
        return looks_like_pickle(head) or (head[:1] in (b"c", b"(") and b"\n" in head[:128])

    # -- reporting ---------------------------------------------------------------------------

    def _hit(
        self,
        rule: str,
        severity: Severity,
        offset: int,
        message: str,
        remediation: str,
        *,
        callable_: str = "",
        evidence: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Hit:
        dedupe = (rule, key if key is not None else message)
        existing = self._keys.get(dedupe)
        if existing is not None:
            existing.count += 1
            existing.severity = max(existing.severity, severity)
            return existing
        hit = Hit(rule, severity, offset, message, remediation, callable_, evidence or {})
        same_rule = sum(1 for h in self._report.hits if h.rule == rule)
        if same_rule < MAX_HITS_PER_RULE:
            self._report.hits.append(hit)
            self._keys[dedupe] = hit
        return hit

    def _import(self, module: str, name: str, offset: int, opcode: str) -> Ref:
        verdict = self.policy.judge(module, name)
        ref = Ref(module, name, offset, verdict)
        qual = ref.qualname
        imports = self._report.imports
        imports[qual] = imports.get(qual, 0) + 1
        if verdict.kind == "allow" or verdict.severity is None:
            return ref
        if verdict.kind in {"deny", "chain"}:
            rule = "dangerous-import"
            message = f"{opcode} imports {qual}, which {verdict.reason}"
        else:
            rule = "unknown-import"
            message = f"{opcode} imports {qual}, which {verdict.reason}"
        ref.hit = self._hit(
            rule,
            verdict.severity,
            offset,
            message,
            verdict.remediation,
            callable_=qual,
            evidence={"category": verdict.category, "opcode": opcode, "list_entry": verdict.entry},
            key=qual,
        )
        return ref

    def _called(self, func: object, args: object, offset: int, opcode: str) -> None:
        """A callable is invoked: record its arguments; escalate suspicious unknown calls."""
        if not isinstance(func, Ref) or func.hit is None:
            # Calling the result of a call (getattr(...)(...)) is reported through its import.
            return
        hit = func.hit
        hit.evidence.setdefault("called_by", f"{opcode} at offset {offset}")
        texts = _texts(args)
        if not texts or "arguments" in hit.evidence:
            return
        hit.evidence["arguments"] = [snippet(t, 200) for t in texts[:3]]
        shown = snippet(texts[0], 60)
        if func.verdict.kind != "unknown":
            hit.message += f"; it is called with {shown!r}"
            return
        for text in texts:
            if scan_text(text, urls=True) or text.startswith((b"/", b"~", b"\\")):
                if hit.severity < Severity.HIGH:
                    hit.severity = Severity.HIGH
                    hit.remediation = _ESCALATE_HINT + " " + hit.remediation
                hit.message += f"; it is called with {shown!r}"
                break

    def _text_payloads(self, text: bytes, offset: int) -> None:
        plain_reported = False  # one finding per string for code/shell/script/URL patterns
        for payload in scan_text(text):
            if payload.kind in ("code", "shell", "script", "url"):
                if plain_reported or not payload.notable:
                    continue
                plain_reported = True
            self._payload(payload, offset)

    def _payload(self, payload: Payload, offset: int) -> None:
        if payload.kind == "nested-pickle" and payload.decoded is not None:
            self._nested(payload, offset)
            return
        if not payload.notable:
            return
        self._hit(
            "encoded-payload" if payload.encoding else "suspicious-string",
            payload.severity,
            offset,
            f"a string holds {payload.detail}: {payload.snippet!r}",
            "Data inside a model should not carry commands or code; find out what reads it.",
            evidence={"kind": payload.kind, "encoding": payload.encoding},
            key=payload.kind + payload.detail[:40],
        )

    def _nested(self, payload: Payload, offset: int) -> None:
        assert payload.decoded is not None
        inner: PickleReport | None = None
        if self.depth < MAX_NESTED_DEPTH:
            inner = PickleAnalyzer(self.policy, depth=self.depth + 1).analyze(payload.decoded)
        worst = inner.worst if inner else None
        imports = sorted(inner.imports) if inner else []
        detail = f"; it imports {', '.join(imports[:5])}" if imports else ""
        self._hit(
            "nested-pickle",
            Severity.MEDIUM,
            offset,
            f"a string holds {payload.detail} ({len(payload.decoded)} bytes){detail}",
            "A pickle hidden inside data runs when something unpickles it; remove it or load "
            "the model only in a sandbox.",
            evidence={
                "encoding": payload.encoding or "raw",
                "nested_worst": worst.value if worst else None,
                "nested_findings": [
                    {"rule": h.rule, "severity": h.severity.value, "message": h.message}
                    for h in (inner.hits if inner else [])[:10]
                ],
            },
            key=f"nested@{offset}",
        )

    # -- the stream loop ---------------------------------------------------------------------

    def _stream(self, data: Any, pos: int, size: int) -> tuple[bool, int]:  # noqa: C901
        """Analyze one stream from ``pos``; returns (ended with STOP, offset after it)."""
        stack: list[Any] = []
        push = stack.append
        marks: list[int] = []
        memo: dict[int, Any] = {}
        mlen = 0
        keys: set[int] | None = None  # all memo keys, once PUT made them non-contiguous
        memo_full = False
        degraded = False
        start_op = at = pos
        # Limits are checked every CHECK_EVERY bytes: one opcode pushes at most one item per
        # byte, so the overshoot is bounded and the hot loop stays free of len() calls.
        check_at = pos + CHECK_EVERY
        try:
            while True:
                op = data[pos]  # IndexError past the end: truncated
                at = pos
                pos += 1
                if pos > check_at:
                    check_at = pos + CHECK_EVERY
                    if len(stack) > MAX_STACK:
                        cut = len(stack) - 1000
                        del stack[:cut]
                        marks = [m - cut for m in marks if m >= cut]
                        if not degraded:
                            degraded = True
                            self._flood("stack", at)
                    if len(marks) > MAX_MARKS:
                        del marks[: len(marks) - 1000]
                        if not degraded:
                            degraded = True
                            self._flood("mark", at)
                    if mlen > MAX_MEMO and not memo_full:
                        memo_full = True
                        self._flood("memo", at)
                # Most frequent opcodes first.
                if op == 0x94:  # MEMOIZE
                    value = stack[-1]
                    if keys is None:
                        # Contiguous memo: index mlen was never used, nothing to overwrite.
                        if value is not None and not memo_full:
                            memo[mlen] = value
                        mlen += 1
                    else:
                        index = len(keys)
                        keys.add(index)
                        mlen = len(keys)
                        if value is not None and not memo_full:
                            memo[index] = value
                        elif index in memo:
                            del memo[index]
                elif op == 0x8C:  # SHORT_BINUNICODE
                    n = data[pos]
                    text = data[pos + 1 : pos + 1 + n]
                    if n >= TEXT_CHECK_MIN:
                        self._text_payloads(text, at)
                    elif n > 4 and data[pos + 1] == 0x5F and text in _DUNDER_TEXT:
                        self._dunder(text, at)
                    pos += 1 + n
                    push(text)
                    if keys is None and data[pos] == 0x94:  # the usual MEMOIZE right after
                        pos += 1
                        if not memo_full:
                            memo[mlen] = text
                        mlen += 1
                elif op == 0x4B:  # BININT1
                    push(data[pos])
                    pos += 1
                elif op == 0x47:  # BINFLOAT
                    pos += 8
                    push(None)
                elif op == 0x68:  # BINGET
                    index = data[pos]
                    pos += 1
                    push(self._get(memo, index, mlen, keys, memo_full))
                elif op == 0x71:  # BINPUT
                    index = data[pos]
                    pos += 1
                    mlen, keys = self._put(memo, index, stack, mlen, keys, memo_full)
                elif op == 0x28:  # MARK
                    marks.append(len(stack))
                elif op in {0x65, 0x75, 0x90}:  # APPENDS SETITEMS ADDITEMS
                    if not marks:
                        raise _Malformed("APPENDS/SETITEMS without MARK")
                    mark = marks.pop()
                    if mark > len(stack) or mark < 1:
                        raise _Malformed("MARK below the container")
                    if op == 0x75 and mark >= 2 and type(stack[mark - 2]) is Call:
                        # The state dict of an object: kept (small) for joblib array wrappers.
                        items = stack[mark : mark + 32]
                        stack[mark - 1] = dict(zip(items[::2], items[1::2], strict=False))
                    del stack[mark:]
                elif op == 0x4D:  # BININT2
                    push(data[pos] | data[pos + 1] << 8)
                    pos += 2
                elif op == 0x4A:  # BININT
                    push(int.from_bytes(data[pos : pos + 4], "little", signed=True))
                    pos += 4
                elif op in {0x4E, 0x5D, 0x7D, 0x8F}:  # NONE EMPTY_LIST EMPTY_DICT EMPTY_SET
                    push(None)
                elif op in {0x88, 0x89}:  # NEWTRUE NEWFALSE
                    push(op == 0x88)
                elif op == 0x29:  # EMPTY_TUPLE
                    push(())
                elif op in {0x85, 0x86, 0x87}:  # TUPLE1 TUPLE2 TUPLE3
                    n = op - 0x84
                    if len(stack) < n:
                        raise _Malformed("TUPLE with too few items")
                    push(tuple(stack[-n:]))
                    del stack[-n - 1 : -1]
                elif op == 0x74:  # TUPLE
                    mark = self._pop_mark(marks, stack)
                    built = tuple(stack[mark:]) if len(stack) - mark <= 8 else None
                    del stack[mark:]
                    push(built)
                elif op == 0x61:  # APPEND
                    if len(stack) < 2:
                        raise _Malformed("APPEND with too few items")
                    stack.pop()
                elif op == 0x73:  # SETITEM
                    if len(stack) < 3:
                        raise _Malformed("SETITEM with too few items")
                    del stack[-2:]
                elif op == 0x72:  # LONG_BINPUT
                    index = int.from_bytes(data[pos : pos + 4], "little")
                    pos += 4
                    mlen, keys = self._put(memo, index, stack, mlen, keys, memo_full)
                elif op == 0x6A:  # LONG_BINGET
                    index = int.from_bytes(data[pos : pos + 4], "little")
                    pos += 4
                    push(self._get(memo, index, mlen, keys, memo_full))
                elif op in {0x58, 0x8D}:  # BINUNICODE BINUNICODE8
                    width = 4 if op == 0x58 else 8
                    n = int.from_bytes(data[pos : pos + width], "little")
                    pos += width
                    if pos + n > size:
                        raise _Truncated("string runs past the end")
                    if n <= MAX_TOKEN_TEXT:
                        text = data[pos : pos + n]
                        if n >= TEXT_CHECK_MIN:
                            self._text_payloads(text, at)
                        elif text in _DUNDER_TEXT:
                            self._dunder(text, at)
                        push(text)
                    else:
                        self._text_payloads(data[pos : pos + 4096], at)
                        push(None)
                    pos += n
                elif op in {0x43, 0x42, 0x8E, 0x96}:  # *BINBYTES*
                    width = 1 if op == 0x43 else 4 if op == 0x42 else 8
                    n = int.from_bytes(data[pos : pos + width], "little")
                    pos += width
                    if pos + n > size:
                        raise _Truncated("bytes run past the end")
                    if n >= 8:
                        head = data[pos : pos + min(n, 2)]
                        if head[:1] == b"\x80" or n <= 4096:
                            blob = data[pos : pos + n] if n <= MAX_TOKEN_TEXT else None
                            if blob is not None and looks_like_pickle(blob):
                                self._nested(
                                    Payload(
                                        "nested-pickle", Severity.MEDIUM, "a raw pickle", "", blob
                                    ),
                                    at,
                                )
                            elif blob is not None and n >= TEXT_CHECK_MIN and n <= 4096:
                                for payload in scan_text(blob):
                                    if payload.kind != "url":
                                        self._payload(payload, at)
                    pos += n
                    push(None)
                elif op == 0x93:  # STACK_GLOBAL
                    if len(stack) < 2:
                        raise _Malformed("STACK_GLOBAL with too few items")
                    name_tok = stack.pop()
                    module_tok = stack.pop()
                    if type(module_tok) is bytes and type(name_tok) is bytes:
                        push(
                            self._import(
                                module_tok.decode("utf-8", "surrogateescape"),
                                name_tok.decode("utf-8", "surrogateescape"),
                                at,
                                "STACK_GLOBAL",
                            )
                        )
                    else:
                        push(self._dynamic_import(module_tok, name_tok, at))
                elif op == 0x52:  # REDUCE
                    if len(stack) < 2:
                        raise _Malformed("REDUCE with too few items")
                    args = stack.pop()
                    func = stack.pop()
                    self._called(func, args, at, "REDUCE")
                    push(Call(func, at, args))
                elif op == 0x81:  # NEWOBJ
                    if len(stack) < 2:
                        raise _Malformed("NEWOBJ with too few items")
                    args = stack.pop()
                    cls = stack.pop()
                    self._called(cls, args, at, "NEWOBJ")
                    push(Call(cls, at))
                elif op == 0x92:  # NEWOBJ_EX
                    if len(stack) < 3:
                        raise _Malformed("NEWOBJ_EX with too few items")
                    stack.pop()
                    args = stack.pop()
                    cls = stack.pop()
                    self._called(cls, args, at, "NEWOBJ_EX")
                    push(Call(cls, at))
                elif op == 0x62:  # BUILD
                    if len(stack) < 2:
                        raise _Malformed("BUILD with too few items")
                    state = stack.pop()
                    target = stack[-1]
                    self._build(target, state, at)
                    if type(target) is Call and type(state) is dict:
                        pos = self._joblib_array(data, pos, size, target, state, at)
                elif op == 0x63:  # GLOBAL
                    module, pos = self._line(data, pos, size)
                    name, pos = self._line(data, pos, size)
                    push(self._import(module, name, at, "GLOBAL"))
                elif op == 0x69:  # INST
                    module, pos = self._line(data, pos, size)
                    name, pos = self._line(data, pos, size)
                    mark = self._pop_mark(marks, stack)
                    args = tuple(stack[mark:]) if len(stack) - mark <= 8 else None
                    del stack[mark:]
                    ref = self._import(module, name, at, "INST")
                    self._called(ref, args, at, "INST")
                    push(Call(ref, at))
                elif op == 0x6F:  # OBJ
                    mark = self._pop_mark(marks, stack)
                    if len(stack) <= mark:
                        raise _Malformed("OBJ without a class")
                    cls = stack[mark]
                    args = tuple(stack[mark + 1 :]) if len(stack) - mark <= 9 else None
                    del stack[mark:]
                    self._called(cls, args, at, "OBJ")
                    push(Call(cls, at))
                elif op == 0x95:  # FRAME
                    pos += 8
                elif op == 0x80:  # PROTO
                    if data[pos] > 5:
                        raise _Malformed(f"unsupported protocol {data[pos]}")
                    pos += 1
                elif op == 0x2E:  # STOP
                    if not stack:
                        raise _Malformed("STOP on an empty stack")
                    return True, pos
                elif op == 0x30:  # POP
                    if stack:
                        stack.pop()
                    elif marks:
                        marks.pop()
                    else:
                        raise _Malformed("POP on an empty stack")
                elif op == 0x31:  # POP_MARK
                    mark = self._pop_mark(marks, stack)
                    del stack[mark:]
                elif op == 0x32:  # DUP
                    if not stack:
                        raise _Malformed("DUP on an empty stack")
                    push(stack[-1])
                elif op == 0x51:  # BINPERSID
                    if not stack:
                        raise _Malformed("BINPERSID on an empty stack")
                    stack[-1] = None
                elif op == 0x50:  # PERSID
                    _, pos = self._line(data, pos, size)
                    push(None)
                elif op in {0x64, 0x6C, 0x91}:  # DICT LIST
                    mark = self._pop_mark(marks, stack)
                    del stack[mark:]
                    push(None)
                elif op in {0x8A, 0x8B}:  # LONG1 LONG4
                    width = 1 if op == 0x8A else 4
                    n = int.from_bytes(data[pos : pos + width], "little")
                    pos += width
                    push(
                        int.from_bytes(data[pos : pos + n], "little", signed=True)
                        if n <= 8
                        else None
                    )
                    pos += n
                elif op in {0x55, 0x54}:  # SHORT_BINSTRING BINSTRING
                    width = 1 if op == 0x55 else 4
                    n = int.from_bytes(data[pos : pos + width], "little")
                    pos += width
                    if pos + n > size:
                        raise _Truncated("string runs past the end")
                    text = data[pos : pos + n] if n <= MAX_TOKEN_TEXT else None
                    pos += n
                    if text is not None and n >= TEXT_CHECK_MIN:
                        self._text_payloads(text, at)
                    push(text)
                elif op == 0x53:  # STRING (quoted, protocol 0)
                    raw, pos = self._raw_line(data, pos, size)
                    text = _unquote(raw)
                    if len(text) >= TEXT_CHECK_MIN:
                        self._text_payloads(text, at)
                    push(text)
                elif op == 0x56:  # UNICODE (raw-unicode-escape, protocol 0)
                    raw, pos = self._raw_line(data, pos, size)
                    text = raw.decode("raw_unicode_escape", "replace").encode(
                        "utf-8", "surrogateescape"
                    )
                    if len(text) >= TEXT_CHECK_MIN:
                        self._text_payloads(text, at)
                    elif text in _DUNDER_TEXT:
                        self._dunder(text, at)
                    push(text)
                elif op in {0x49, 0x4C, 0x46}:  # INT LONG FLOAT
                    _, pos = self._raw_line(data, pos, size)
                    push(None)
                elif op == 0x67:  # GET
                    raw, pos = self._raw_line(data, pos, size)
                    push(self._get(memo, _int(raw), mlen, keys, memo_full))
                elif op == 0x70:  # PUT
                    raw, pos = self._raw_line(data, pos, size)
                    mlen, keys = self._put(memo, _int(raw), stack, mlen, keys, memo_full)
                elif op in {0x82, 0x83, 0x84}:  # EXT1 EXT2 EXT4
                    width = {0x82: 1, 0x83: 2, 0x84: 4}[op]
                    code = int.from_bytes(data[pos : pos + width], "little")
                    pos += width
                    self._hit(
                        "extension-import",
                        Severity.HIGH,
                        at,
                        f"EXT{width} imports extension code {code} from the copyreg registry; "
                        "what it resolves to depends on the loading process",
                        "Models never use the extension registry; do not load this file.",
                        key=f"ext{code}",
                    )
                    push(None)
                elif op in {0x97, 0x98}:  # NEXT_BUFFER READONLY_BUFFER
                    if op == 0x97:
                        push(None)
                    elif not stack:
                        raise _Malformed("READONLY_BUFFER on an empty stack")
                else:
                    raise _Malformed(f"unknown opcode 0x{op:02x}")
        except (_Truncated, IndexError) as exc:
            if isinstance(exc, IndexError) and pos < size:
                underflow = _Malformed("an opcode pops more than the stack holds")
                return self._malformed(underflow, at, start_op)
            reason = str(exc) if isinstance(exc, _Truncated) else "it ends without a STOP opcode"
            self._hit(
                "truncated-pickle",
                Severity.LOW,
                at,
                f"the pickle is truncated at offset {at}: {reason}",
                "A truncated pickle fails to load; opcodes before the cut still run.",
            )
            return False, size
        except (_Malformed, ValueError) as exc:
            return self._malformed(exc, at, start_op)

    def _malformed(self, exc: Exception, at: int, start_op: int) -> tuple[bool, int]:
        text = str(exc) if isinstance(exc, _Malformed) else "a bad argument"
        severity = Severity.LOW if at > start_op else Severity.INFO
        self._hit(
            "malformed-pickle",
            severity,
            at,
            f"the pickle stops being valid at offset {at}: {text}",
            "pickle.load fails here; everything before this offset is analyzed.",
        )
        return False, at

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _pop_mark(marks: list[int], stack: list[Any]) -> int:
        if not marks:
            raise _Malformed("no MARK to pop")
        mark = marks.pop()
        if mark > len(stack):
            raise _Malformed("MARK above the stack")
        return mark

    @staticmethod
    def _get(memo: dict[int, Any], index: int, mlen: int, keys: set[int] | None, full: bool) -> Any:
        found = memo.get(index)
        if found is not None:
            return found
        known = index < mlen if keys is None else index in keys
        if not known and not full:
            raise _Malformed(f"memo index {index} was never set")
        return None

    def _put(
        self,
        memo: dict[int, Any],
        index: int,
        stack: list[Any],
        mlen: int,
        keys: set[int] | None,
        full: bool,
    ) -> tuple[int, set[int] | None]:
        if not stack:
            raise _Malformed("PUT on an empty stack")
        if keys is None:
            if index == mlen:
                mlen += 1
            elif index > mlen:
                # Sparse indices: from now on MEMOIZE numbering is len(keys), as pickle does.
                if mlen > MAX_MEMO:
                    raise _Malformed("memo too large")
                keys = set(range(mlen))
                keys.add(index)
                mlen = len(keys)
        elif index not in keys:
            keys.add(index)
            mlen = len(keys)
        value = stack[-1]
        if value is not None and not full:
            memo[index] = value
        elif index in memo:
            del memo[index]
        if mlen > MAX_MEMO and not full:
            self._flood("memo", -1)
        return mlen, keys

    @staticmethod
    def _line(data: Any, pos: int, size: int) -> tuple[str, int]:
        end = data.find(b"\n", pos, min(size, pos + MAX_LINE))
        if end < 0:
            raise _Truncated("a text argument has no end of line")
        return bytes(data[pos:end]).decode("utf-8", "surrogateescape"), end + 1

    @staticmethod
    def _raw_line(data: Any, pos: int, size: int) -> tuple[bytes, int]:
        end = data.find(b"\n", pos, min(size, pos + MAX_TOKEN_TEXT))
        if end < 0:
            raise _Truncated("a text argument has no end of line")
        return bytes(data[pos:end]), end + 1

    def _dynamic_import(self, module: object, name: object, at: int) -> Ref:
        shown = f"{_describe(module)} / {_describe(name)}"
        verdict = Verdict(
            "chain",
            Severity.CRITICAL,
            "dynamic-import",
            "builds the module or name at load time, so no scanner can know what it imports",
            "Do not load this file: legitimate pickles always import by literal name.",
        )
        ref = Ref("<dynamic>", shown, at, verdict)
        ref.hit = self._hit(
            "dynamic-import",
            Severity.CRITICAL,
            at,
            f"STACK_GLOBAL imports a name computed at load time ({shown})",
            verdict.remediation,
            callable_=shown,
            key=f"dyn@{at}",
        )
        return ref

    def _build(self, target: object, state: object, at: int) -> None:
        if isinstance(target, Ref):
            self._hit(
                "build-on-import",
                Severity.CRITICAL,
                at,
                f"BUILD sets attributes on the imported object {target.qualname} itself "
                "(monkey-patching at load time), a known scanner bypass",
                "Do not load this file: BUILD on a class or function rewrites it for later use.",
                callable_=target.qualname,
                key=f"build:{target.qualname}",
            )
        elif target is None or isinstance(target, (bytes, tuple)):
            return

    def _joblib_array(
        self, data: Any, pos: int, size: int, wrapper: Call, state: dict[Any, Any], at: int
    ) -> int:
        """Skip the raw array bytes joblib writes right after a NumpyArrayWrapper's BUILD."""
        func = wrapper.func
        if not (isinstance(func, Ref) and func.name == "NumpyArrayWrapper"):
            return pos
        if not func.module.startswith("joblib"):
            return pos
        dtype = state.get(b"dtype")
        shape = state.get(b"shape")
        code = dtype.args[0] if isinstance(dtype, Call) and type(dtype.args) is tuple else None
        parsed = _itemsize(code) if type(code) is bytes else None
        if parsed is None or type(shape) is not tuple or not all(type(d) is int for d in shape):
            raise _Malformed("a joblib array wrapper whose dtype or shape cannot be read")
        kind, itemsize = parsed
        if kind == "O":
            # Object arrays are a complete pickle stream inline; joblib unpickles it too.
            ok, end = self._stream(data, pos, size)
            if not ok:
                raise _Malformed("the inline pickle of a joblib object array is broken")
            return end
        if state.get(b"allow_mmap") is True:
            pos += 1 + data[pos]  # padding length, then padding to align the array
        count = 1
        for dim in shape:
            count *= dim
        return pos + count * itemsize

    def _dunder(self, text: bytes, at: int) -> None:
        if text in (
            b"__setstate__",
            b"__reduce__",
            b"__reduce_ex__",
            b"__globals__",
            b"__builtins__",
            b"__subclasses__",
            b"__code__",
            b"__import__",
            b"__getattribute__",
            b"__class__",
            b"__dict__",
            b"__mro__",
            b"__bases__",
        ):
            self._hit(
                "dunder-string",
                Severity.MEDIUM,
                at,
                f"the pickle carries the attribute name {text.decode()!r}, used by BUILD and "
                "getattr tricks to reach the interpreter",
                "Model data never needs this name; review what sets or reads it.",
                key=text.decode(),
            )

    def _flood(self, what: str, at: int) -> None:
        self._hit(
            f"{what}-flood",
            Severity.MEDIUM,
            max(at, 0),
            f"the pickle exceeds the analysis limit for the {what} "
            "(an opcode flood or a deliberately huge structure); analysis continued in a "
            "bounded, degraded mode",
            "Treat the file as untrusted; legitimate model pickles stay far below this limit.",
        )


class _Malformed(Exception):
    pass


class _Truncated(Exception):
    pass


def _itemsize(code: bytes) -> tuple[str, int] | None:
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
    size = int(digits)
    return kind, size * 4 if kind == "U" else size


def _texts(args: object) -> list[bytes]:
    if type(args) is bytes:
        return [args]
    if type(args) is tuple:
        return [a for a in args if type(a) is bytes]
    return []


def _describe(token: object) -> str:
    if type(token) is bytes:
        return repr(token.decode("utf-8", "replace"))
    if isinstance(token, Ref):
        return f"value of {token.qualname}"
    if isinstance(token, Call):
        func = token.func
        return f"result of calling {func.qualname if isinstance(func, Ref) else 'an object'}"
    return "unknown value"


def _unquote(raw: bytes) -> bytes:
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
        raise _Malformed(f"bad memo index {raw[:20]!r}") from None
