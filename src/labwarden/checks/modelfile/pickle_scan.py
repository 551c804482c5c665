"""Pickle analysis by opcode, never by loading.

One linear pass over every pickle stream in a buffer (several pickles may be concatenated),
run by the symbolic machine of :mod:`.pickle_vm` and :mod:`.pickle_handlers`. This module is the
machine's sink: it judges every import against the :class:`ImportPolicy`, follows calls and
strings, and turns what it sees into :class:`Hit` records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from labwarden.checks.modelfile.lists import DANGEROUS_DUNDERS, ImportPolicy, Verdict
from labwarden.checks.modelfile.payloads import Payload, looks_like_pickle, scan_text, snippet
from labwarden.checks.modelfile.pickle_handlers import TEXT_CHECK_MIN, run
from labwarden.checks.modelfile.pickle_ops import NAMES, stream_shape
from labwarden.checks.modelfile.pickle_values import (
    LOADERS,
    RESOLVERS,
    Raw,
    bytes_of,
    qualname,
    value_of,
)
from labwarden.checks.modelfile.pickle_vm import Call, Machine, Malformed, Ref, Truncated
from labwarden.core.values import Severity

log = logging.getLogger(__name__)

MAX_NESTED_DEPTH = 3
MAX_HITS_PER_RULE = 50
_DUNDER_TEXT = frozenset(d.encode() for d in DANGEROUS_DUNDERS)
_CONSTRUCTORS = frozenset(
    {"copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "copyreg._newobj"}
)
_NOT_BYTES_LOADERS = frozenset({"copyreg._reconstructor", "shelve.open"})
"""Entries of LOADERS whose first argument is no serialized payload (a class, a path)."""
_INVOKED_HINT = (
    "The pickle imports a module outside the allowlist and runs code from it while loading."
)
_ESCALATE_HINT = (
    "The callable receives a string argument that looks like code, a command, a path or a URL."
)


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


@dataclass(frozen=True, slots=True)
class Embedded:
    """Bytes a loader call inside the pickle deserializes (``pickle.loads(b"...")``)."""

    offset: int
    loader: str
    data: bytes


@dataclass(slots=True)
class PickleReport:
    """What the analysis of one buffer found."""

    hits: list[Hit] = field(default_factory=list)
    streams: int = 0
    imports: dict[str, int] = field(default_factory=dict)
    """Every import seen (``module.name``) and how often."""
    end: int = 0
    """Offset after the last pickle stream that was analyzed."""
    embedded: list[Embedded] = field(default_factory=list)
    """Payloads a loader call inside the pickle deserializes."""
    complete: bool = False
    """Whether the first stream reached STOP."""
    failure: str = ""
    """Why the first stream did not (where the bytes stop being a pickle)."""

    @property
    def worst(self) -> Severity | None:
        """The highest severity among the hits."""
        return max((h.severity for h in self.hits), default=None)


_CONSTRUCTORS = frozenset(
    {"copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "copyreg._newobj"}
)
_INVOKED_HINT = (
    "The pickle imports a module outside the allowlist and runs code from it while loading."
)
_ESCALATE_HINT = (
    "The callable receives a string argument that looks like code, a command, a path or a URL."
)


class PickleAnalyzer:
    """Analyze pickle bytes with an :class:`ImportPolicy`; reusable, not thread-safe."""

    def __init__(self, policy: ImportPolicy, *, depth: int = 0) -> None:
        self.policy = policy
        self.depth = depth
        self._report = PickleReport()
        self._keys: dict[tuple[str, str], Hit] = {}

    def analyze(
        self, data: bytes | Any, *, start: int = 0, max_streams: int | None = None
    ) -> PickleReport:
        """Analyze every pickle stream in ``data`` (bytes or an mmap) from ``start``."""
        report = PickleReport()
        self._report = report
        self._keys = {}
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
            ok, pos = self.stream(data, pos, size)
            if report.streams == 1:
                report.complete = ok
            report.end = pos
            if not ok or (max_streams is not None and report.streams >= max_streams):
                break
        return report

    @staticmethod
    def _next_stream_plausible(data: Any, pos: int, size: int) -> bool:
        """Whether another pickle stream starts at ``pos``: a protocol header, or any valid
        opcode stream that reaches STOP (pickles need no header)."""
        if size - pos < 2:
            return False
        if data[pos] == 0x80:
            return bool(1 <= data[pos + 1] <= 5)
        shape = stream_shape(data, pos)
        return shape is not None and shape.opcodes >= 2

    def stream(
        self, data: Any, pos: int, size: int, trace: list[Any] | None = None
    ) -> tuple[bool, int]:
        """Analyze one stream from ``pos``; returns (ended with STOP, offset after it)."""
        machine = Machine(data, pos, size, self, trace=trace)
        try:
            return True, run(machine)
        except (Truncated, IndexError) as exc:
            at = machine.at
            if isinstance(exc, IndexError) and machine.pos < size:
                underflow = Malformed("an opcode pops more than the stack holds")
                return self._malformed(underflow, at, pos)
            reason = str(exc) if isinstance(exc, Truncated) else "it ends without a STOP opcode"
            message = f"the pickle is truncated at offset {at}: {reason}"
            self._report.failure = self._report.failure or message
            self._hit(
                "truncated-pickle",
                Severity.LOW,
                at,
                message,
                "A truncated pickle fails to load; opcodes before the cut still run.",
            )
            return False, size
        except (Malformed, ValueError) as exc:
            return self._malformed(exc, machine.at, pos)

    def _malformed(self, exc: Exception, at: int, start: int) -> tuple[bool, int]:
        text = str(exc) if isinstance(exc, Malformed) else "a bad argument"
        severity = Severity.LOW if at > start else Severity.INFO
        message = f"the pickle stops being valid at offset {at}: {text}"
        self._report.failure = self._report.failure or message
        self._hit(
            "malformed-pickle",
            severity,
            at,
            message,
            "pickle.load fails here; everything before this offset is analyzed.",
        )
        return False, at

    # -- reporting (the machine's sink) ----------------------------------------------------------

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

    def imported(self, module: str, name: str, offset: int, opcode: str) -> Ref:
        """Judge an import by literal name."""
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

    def called(self, func: object, args: object, offset: int, opcode: str) -> Ref | None:
        """A callable is invoked: record its arguments; escalate suspicious unknown calls. A
        resolver's result is judged as the import it is."""
        self._record_call(func, args, offset, opcode)
        return self._resolved(func, args, offset)

    def _resolved(self, func: object, args: object, offset: int) -> Ref | None:
        qual = qualname(func)
        arity = RESOLVERS.get(qual)
        if arity is None or type(args) is not tuple or len(args) < arity:
            return None
        values = [value_of(arg) for arg in args[:arity]]
        if arity == 1 and isinstance(values[0], str):
            module, colon, name = values[0].partition(":")
            if not colon:
                module, _, name = values[0].rpartition(".")
            values = [module, name]
        if all(isinstance(v, str) and v for v in values):
            return self.imported(str(values[0]), str(values[1]), offset, f"{qual}()")
        return self.dynamic(args[0], args[1] if arity == 2 else b"", offset, f"{qual}()")

    def _through(self, func: object, args: object, offset: int, opcode: str) -> None:
        """Calls that run something else: loaders run a second pickle; copyreg's constructors
        run the class they are given (``_reconstructor`` also runs its base's ``__init__``)."""
        qual = qualname(func)
        if qual in LOADERS:
            if type(args) is tuple and args:
                self._loader(func, args[0], offset)
            elif qual not in _NOT_BYTES_LOADERS:
                self._opaque(qual, offset)
        if qual in _CONSTRUCTORS and type(args) is tuple:
            for target in args[:2] if qual == "copyreg._reconstructor" else args[:1]:
                self._invoked(target, f"{opcode} of {qual}", offset)

    def _record_call(self, func: object, args: object, offset: int, opcode: str) -> None:
        self._through(func, args, offset, opcode)
        self._invoked(func, opcode, offset)
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

    def _invoked(self, func: object, how: str, offset: int) -> None:
        """An import outside the lists runs at load time: its module is imported (running its
        top-level code) and it is called or its state set, so it is graded by that, not by its
        name. Classes of ``__main__`` are the loading program's own code."""
        if not isinstance(func, Ref) or func.hit is None or func.verdict.kind != "unknown":
            return
        hit = func.hit
        if func.module == "__main__" or hit.evidence.get("invoked"):
            return
        hit.evidence["invoked"] = f"{how} at offset {offset}"
        if hit.severity < Severity.HIGH:
            hit.severity = Severity.HIGH
            hit.message += f"; {how} runs it at load time"
            hit.remediation = _INVOKED_HINT + " " + hit.remediation

    def text(self, text: bytes, at: int) -> None:
        """A string argument: payloads in long strings, dunder names in short ones."""
        if len(text) >= TEXT_CHECK_MIN:
            self._text_payloads(text, at)
        elif text in _DUNDER_TEXT:
            self._dunder(text, at)

    def binary(self, data: bytes, at: int) -> object:
        """A bytes argument: a raw pickle inside is analyzed; short ones are searched for code."""
        n = len(data)
        if n > 4096 and data[0] not in NAMES and data[:2] != b"PK":
            return None  # raw array bytes: never a pickle, a zip or text worth reading
        token = Raw(bytes(data))
        if n < 8:
            return token
        if looks_like_pickle(data):
            self._nested(Payload("nested-pickle", Severity.MEDIUM, "a raw pickle", "", data), at)
        elif TEXT_CHECK_MIN <= n <= 4096:
            for payload in scan_text(data):
                if payload.kind != "url":
                    self._payload(payload, at)
        return token

    def _loader(self, func: object, arg: object, offset: int) -> None:
        """A loader unpickles ``arg``: the hidden payload is handed back for a full scan."""
        payload = bytes_of(arg)
        qual = qualname(func)
        if not payload:
            if qual not in _NOT_BYTES_LOADERS:
                self._opaque(qual, offset)
            return
        self._report.embedded.append(Embedded(offset, qual, payload))
        self._hit(
            "embedded-payload",
            Severity.LOW,
            offset,
            f"{qual} deserializes {len(payload)} bytes built inside the pickle; they are "
            "scanned as a member of this file, whose verdict they share",
            "Review the member's findings; a loader call inside a pickle runs a second payload.",
            evidence={"loader": qual},
            key=f"embedded@{offset}",
        )

    def _opaque(self, qual: str, offset: int) -> None:
        """A loader fed bytes built at load time by code no scanner evaluates (``bytes`` of a
        list of ints, a call outside the pure transforms): the payload cannot be vouched for."""
        self._hit(
            "opaque-nested-pickle",
            Severity.HIGH,
            offset,
            f"{qual} deserializes data the pickle computes at load time in a way no scanner can "
            "evaluate, so the second payload it runs cannot be inspected",
            "Do not load this file: a model never builds a hidden pickle at load time.",
            callable_=qual,
            evidence={"loader": qual},
            key=f"opaque@{offset}",
        )

    def extension(self, code: int, width: int, at: int) -> None:
        """EXT1/EXT2/EXT4: an import through the copyreg extension registry."""
        self._hit(
            "extension-import",
            Severity.HIGH,
            at,
            f"EXT{width} imports extension code {code} from the copyreg registry; "
            "what it resolves to depends on the loading process",
            "Models never use the extension registry; do not load this file.",
            key=f"ext{code}",
        )

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
            max(Severity.MEDIUM, worst or Severity.MEDIUM),
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

    def dynamic(self, module: object, name: object, at: int, how: str = "STACK_GLOBAL") -> Ref:
        """A STACK_GLOBAL (or a resolver, ``how``) of a module or name computed at load time."""
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
            f"{how} imports a name computed at load time ({shown})",
            verdict.remediation,
            callable_=shown,
            key=f"dyn@{at}",
        )
        return ref

    def built(self, target: object, state: object, at: int) -> None:
        """BUILD: setting state on an imported object itself is monkey-patching; on an instance
        of a class outside the lists it runs that class's ``__setstate__``."""
        if type(target) is Call:
            func = target.func
            args = target.args
            if qualname(func) in _CONSTRUCTORS and type(args) is tuple and args:
                func = args[0]
            self._invoked(func, "BUILD (__setstate__)", at)
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

    def flood(self, what: str, at: int) -> None:
        """A limit of the machine was passed."""
        self._hit(
            f"{what}-flood",
            Severity.MEDIUM,
            max(at, 0),
            f"the pickle exceeds the analysis limit for the {what} "
            "(an opcode flood or a deliberately huge structure); analysis continued in a "
            "bounded, degraded mode",
            "Treat the file as untrusted; legitimate model pickles stay far below this limit.",
        )


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
