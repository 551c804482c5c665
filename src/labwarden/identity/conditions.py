"""Condition blocks evaluated against a request context, in three values.

A key the context does not know makes its clause ``MAYBE`` (reported, never assumed); a key the
context knows to be absent follows AWS: positive operators fail, negated ones and ``...IfExists``
hold, ``Null: true`` holds.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from labwarden.identity.matching import UnknownVariable, glob, substitute
from labwarden.identity.policy import ConditionClause
from labwarden.identity.tri import Tri


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What is known about a request: key values (keys in lower case) and keys known absent."""

    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()
    complete: bool = False
    """Every key not in ``values`` is absent (nothing is unknown)."""

    def lookup(self, key: str) -> tuple[str, ...] | None:
        """The key's values, ``()`` if absent, ``None`` if unknown."""
        lowered = key.lower()
        if lowered in self.values:
            return self.values[lowered]
        if self.complete or lowered in self.absent:
            return ()
        return None

    def with_values(self, extra: Mapping[str, Sequence[str]]) -> RequestContext:
        """A copy with more known keys (keys lower-cased)."""
        merged = dict(self.values)
        merged.update({k.lower(): tuple(v) for k, v in extra.items()})
        return RequestContext(merged, self.absent, self.complete)


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()


def _ip(request: str, policy: str) -> bool:
    return ipaddress.ip_address(request) in ipaddress.ip_network(policy, strict=False)


def _ordered(
    convert: Callable[[str], float], test: Callable[[float, float], bool]
) -> Callable[[str, str], bool]:
    return lambda request, policy: test(convert(request), convert(policy))


_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "stringequals": lambda r, p: r == p,
    "stringequalsignorecase": lambda r, p: r.lower() == p.lower(),
    "stringlike": lambda r, p: glob(p, r),
    "numericequals": _ordered(_number, lambda a, b: a == b),
    "numericlessthan": _ordered(_number, lambda a, b: a < b),
    "numericlessthanequals": _ordered(_number, lambda a, b: a <= b),
    "numericgreaterthan": _ordered(_number, lambda a, b: a > b),
    "numericgreaterthanequals": _ordered(_number, lambda a, b: a >= b),
    "dateequals": _ordered(_date, lambda a, b: a == b),
    "datelessthan": _ordered(_date, lambda a, b: a < b),
    "datelessthanequals": _ordered(_date, lambda a, b: a <= b),
    "dategreaterthan": _ordered(_date, lambda a, b: a > b),
    "dategreaterthanequals": _ordered(_date, lambda a, b: a >= b),
    "bool": lambda r, p: r.lower() == p.lower(),
    "binaryequals": lambda r, p: r == p,
    "ipaddress": _ip,
    "arnequals": lambda r, p: glob(p, r),
    "arnlike": lambda r, p: glob(p, r),
}
_NEGATED = {
    "stringnotequals": "stringequals",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "stringnotlike": "stringlike",
    "numericnotequals": "numericequals",
    "datenotequals": "dateequals",
    "notipaddress": "ipaddress",
    "arnnotequals": "arnequals",
    "arnnotlike": "arnlike",
}


@dataclass(frozen=True, slots=True)
class _Operator:
    base: str
    negated: bool
    if_exists: bool
    quantifier: str
    """``""``, ``forallvalues`` or ``foranyvalue``."""


def _operator(name: str) -> _Operator | None:
    text = name.lower()
    quantifier = ""
    for prefix in ("forallvalues:", "foranyvalue:"):
        if text.startswith(prefix):
            quantifier, text = prefix[:-1], text[len(prefix) :]
    if_exists = text.endswith("ifexists")
    text = text.removesuffix("ifexists")
    if text in _NEGATED:
        return _Operator(_NEGATED[text], True, if_exists, quantifier)
    if text in _COMPARE or text == "null":
        return _Operator(text, False, if_exists, quantifier)
    return None


def evaluate_clause(clause: ConditionClause, context: RequestContext) -> Tri:
    """Whether one clause holds for the request."""
    op = _operator(clause.operator)
    if op is None:
        return Tri.MAYBE
    request = context.lookup(clause.key)
    if op.base == "null":
        if request is None:
            return Tri.MAYBE
        wanted = clause.values[0].lower() == "true" if clause.values else True
        return Tri.of((len(request) == 0) == wanted)
    if request is None:
        return Tri.MAYBE
    if not request:
        if op.if_exists or op.quantifier == "forallvalues":
            return Tri.YES
        if op.quantifier == "foranyvalue":
            return Tri.NO  # no value at all: none matches, negated operator or not
        return Tri.of(op.negated)
    try:
        policy = [substitute(v, context.values) for v in clause.values]
    except UnknownVariable:
        return Tri.MAYBE
    return Tri.of(_holds(op, request, policy))


def _matches(op: _Operator, request_value: str, policy: Sequence[str]) -> bool:
    compare = _COMPARE[op.base]
    for value in policy:
        try:
            if compare(request_value, value):
                return True
        except ValueError:
            continue  # a value that is not a number, date or address matches nothing
    return False


def _holds(op: _Operator, request: Sequence[str], policy: Sequence[str]) -> bool:
    hits = [_matches(op, value, policy) for value in request]
    if op.quantifier == "forallvalues":
        return all(not h for h in hits) if op.negated else all(hits)
    if op.negated:
        return not any(hits)
    return any(hits)


def evaluate_conditions(
    clauses: Sequence[ConditionClause], context: RequestContext
) -> tuple[Tri, tuple[ConditionClause, ...]]:
    """All clauses together, and the clauses left undecided."""
    result = Tri.YES
    undecided = []
    for clause in clauses:
        outcome = evaluate_clause(clause, context)
        if outcome is Tri.NO:
            return Tri.NO, ()
        if outcome is Tri.MAYBE:
            undecided.append(clause)
            result = Tri.MAYBE
    return result, tuple(undecided)
