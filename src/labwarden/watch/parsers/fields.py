"""Event fields of a JSON log record, written once and run two ways.

A format whose records are JSON objects declares each event column as an expression over the
record (:class:`Text` at a path, :class:`Coalesce`, :class:`If`...). :func:`to_python` turns the
expressions into a function of one parsed record (the streaming parser, which reports bad
records one by one), and :func:`to_sql` into DuckDB SQL over the record's text (the fast path,
which normalizes whole files in one query). Both give the same values by construction, and a
property test holds them to it.

Leaves read the record the way ``json_extract_string`` does: a string is itself (the empty
string is no value), ``true``/``false`` are text, numbers their shortest text, objects and
arrays their compact JSON; :class:`Whole` is a 64-bit integer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Record = dict[str, Any]
Getter = Callable[[Record], Any]

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_INT64 = (-(2**63), 2**63 - 1)
_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*\\u)([0-9a-f]{4})")
"""A ``\\uXXXX`` escape (not an escaped backslash before ``u``): DuckDB writes its hex digits
in capitals."""


def _steps(path: str) -> tuple[str | int, ...]:
    """``a.b[0].c`` as ``("a", "b", 0, "c")``."""
    return tuple(key if key else int(index) for key, index in _STEP.findall(path))


def _dig(record: Any, steps: tuple[str | int, ...]) -> Any:
    value = record
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or len(value) <= step:
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value


def as_text(value: Any) -> str | None:
    """A JSON value as ``json_extract_string`` gives it; the empty string is no value."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return _json(value)


def _json(value: Any) -> str:
    """Compact JSON as DuckDB writes it (numbers as :func:`_float_text`), without recursion:
    a value nested as deep as the JSON reader allows is written, not a ``RecursionError``."""
    out: list[str] = []
    todo: list[Any] = [value]  # values still to write, and 1-tuples of text to write as is
    while todo:
        item = todo.pop()
        if isinstance(item, tuple):
            out.append(item[0])
        elif isinstance(item, dict | list):
            todo.extend(reversed(_members(item)))
        else:
            out.append(_scalar(item))
    return "".join(out)


def _members(item: dict[Any, Any] | list[Any]) -> list[Any]:
    """An object or array as the text around its members and the members, in writing order."""
    if isinstance(item, dict):
        parts: list[Any] = [("{",)]
        for index, (key, member) in enumerate(item.items()):
            parts += [(("," if index else "") + _scalar(str(key)) + ":",), member]
        return [*parts, ("}",)]
    parts = [("[",)]
    for index, member in enumerate(item):
        parts += [(",",), member] if index else [member]
    return [*parts, ("]",)]


def _scalar(value: Any) -> str:
    if isinstance(value, float):
        return _float_text(value)
    text = json.dumps(value, ensure_ascii=False)
    return _ESCAPE.sub(lambda m: m.group(1) + m.group(2).upper(), text) if "\\u" in text else text


def _float_text(value: float) -> str:
    """A float as DuckDB writes JSON numbers: the shortest digits, positional from 1e-6 up to
    1e21 (with ``.0`` when whole), else ``1.5e300``."""
    text = repr(value)
    if value == 0 or 1e-6 <= abs(value) < 1e21:
        if "e" in text:
            text = format(Decimal(text), "f")
        return text if "." in text else f"{text}.0"
    mantissa, _, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}"


def as_whole(value: Any) -> int | None:
    """A 64-bit integer written as a JSON integer or as its canonical text (``"42"``, not
    ``"042"``, ``"+42"`` or ``"42.0"``)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = value if isinstance(value, str) else str(value)
    try:
        number = int(text)
    except ValueError:
        return None
    return number if str(number) == text and _INT64[0] <= number <= _INT64[1] else None


class Expr:
    """An event field as an expression over the record."""


@dataclass(frozen=True, slots=True)
class Text(Expr):
    """The text at a JSON path (``userIdentity.arn``, ``resources[0].ARN``)."""

    path: str


@dataclass(frozen=True, slots=True)
class Whole(Expr):
    """The whole number at a JSON path."""

    path: str


@dataclass(frozen=True, slots=True)
class Const(Expr):
    """A fixed text."""

    value: str


@dataclass(frozen=True, slots=True)
class Coalesce(Expr):
    """The first of ``options`` that has a value."""

    options: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Equals(Expr):
    """Whether ``left`` is the text ``value`` (a condition)."""

    left: Expr
    value: str


@dataclass(frozen=True, slots=True)
class Present(Expr):
    """Whether ``expr`` has a value (a condition)."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class If(Expr):
    """``then`` where ``condition`` holds, else ``otherwise`` (no value when omitted)."""

    condition: Expr
    then: Expr
    otherwise: Expr | None = None


@dataclass(frozen=True, slots=True)
class AfterSlash(Expr):
    """What follows the first ``/`` of a text (no value without one)."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class AfterLast(Expr):
    """What follows the last ``/`` of a text (no value without one, or when nothing follows)."""

    expr: Expr


@dataclass(frozen=True, slots=True)
class Matches(Expr):
    """Whether ``expr`` matches ``pattern`` as a whole (a condition).

    Write patterns that mean the same in Python's ``re`` and DuckDB's RE2: literals, classes,
    ``|``, groups and counted repeats, no look-around or back-references.
    """

    expr: Expr
    pattern: str


@dataclass(frozen=True, slots=True)
class Concat(Expr):
    """The parts joined (no value when one has none)."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class NonZeroOr(Expr):
    """``first`` unless it is zero or has no value, else ``second``."""

    first: Expr
    second: Expr


# -- Python ---------------------------------------------------------------------------------


def _after_slash(text: str | None) -> str | None:
    return text.split("/", 1)[1] if text and "/" in text else None


def _after_last(text: str | None) -> str | None:
    return (text.rsplit("/", 1)[1] or None) if text and "/" in text else None


def _concat(values: Sequence[Any]) -> str | None:
    return None if any(v is None for v in values) else "".join(values)


def _py_path(expr: Text | Whole) -> Getter:
    steps, convert = _steps(expr.path), as_text if isinstance(expr, Text) else as_whole
    return lambda r: convert(_dig(r, steps))


def _py_const(expr: Const) -> Getter:
    value = expr.value
    return lambda _r: value


def _py_coalesce(expr: Coalesce) -> Getter:
    options = [_python(o) for o in expr.options]
    return lambda r: next((v for o in options if (v := o(r)) is not None), None)


def _py_equals(expr: Equals) -> Getter:
    left, value = _python(expr.left), expr.value
    return lambda r: left(r) == value


def _py_present(expr: Present) -> Getter:
    inner = _python(expr.expr)
    return lambda r: inner(r) is not None


def _py_if(expr: If) -> Getter:
    cond, then = _python(expr.condition), _python(expr.then)
    if expr.otherwise is None:
        return lambda r: then(r) if cond(r) else None
    otherwise = _python(expr.otherwise)
    return lambda r: then(r) if cond(r) else otherwise(r)


def _py_after_slash(expr: AfterSlash) -> Getter:
    inner = _python(expr.expr)
    return lambda r: _after_slash(inner(r))


def _py_after_last(expr: AfterLast) -> Getter:
    inner = _python(expr.expr)
    return lambda r: _after_last(inner(r))


def _py_matches(expr: Matches) -> Getter:
    inner, pattern = _python(expr.expr), re.compile(expr.pattern)
    return lambda r: (v := inner(r)) is not None and pattern.fullmatch(v) is not None


def _py_concat(expr: Concat) -> Getter:
    parts = [_python(p) for p in expr.parts]
    return lambda r: _concat([p(r) for p in parts])


def _py_non_zero_or(expr: NonZeroOr) -> Getter:
    first, second = _python(expr.first), _python(expr.second)
    return lambda r: v if (v := first(r)) else second(r)


_PYTHON: dict[type[Expr], Callable[[Any], Getter]] = {
    Text: _py_path,
    Whole: _py_path,
    Const: _py_const,
    Coalesce: _py_coalesce,
    Equals: _py_equals,
    Present: _py_present,
    If: _py_if,
    AfterSlash: _py_after_slash,
    AfterLast: _py_after_last,
    Matches: _py_matches,
    Concat: _py_concat,
    NonZeroOr: _py_non_zero_or,
}


def _python(expr: Expr) -> Getter:
    return _PYTHON[type(expr)](expr)


def to_python(fields: dict[str, Expr]) -> Callable[[Record], dict[str, Any]]:
    """A function from a parsed record to the values of ``fields``."""
    getters = [(name, _python(expr)) for name, expr in fields.items()]
    return lambda record: {name: get(record) for name, get in getters}


# -- SQL --------------------------------------------------------------------------------------


@dataclass(slots=True)
class SqlFields:
    """``fields`` as SQL over a relation with the record's JSON text in ``raw``.

    Every path is read by one ``json_extract_string`` (:attr:`extract`, a list ``v``), so a
    record is parsed once whatever the number of fields.
    """

    columns: dict[str, str]
    """Column name -> SQL expression over ``v``."""
    paths: list[str]

    @property
    def extract(self) -> str:
        """The one extraction: ``json_extract_string(raw, [...]) AS v``."""
        listed = ", ".join("'$." + p.replace("'", "''") + "'" for p in self.paths)
        return f"json_extract_string(raw, [{listed}]) AS v"


def to_sql(fields: dict[str, Expr]) -> SqlFields:
    """``fields`` as DuckDB SQL (see :class:`SqlFields`)."""
    paths: list[str] = []
    return SqlFields({name: _sql(expr, paths) for name, expr in fields.items()}, paths)


def _value(path: str, paths: list[str]) -> str:
    if path not in paths:
        paths.append(path)
    return f"v[{paths.index(path) + 1}]"


def _sql_text(expr: Text, paths: list[str]) -> str:
    return f"nullif({_value(expr.path, paths)}, '')"


def _sql_whole(expr: Whole, paths: list[str]) -> str:
    text = _value(expr.path, paths)
    number = f"TRY_CAST({text} AS BIGINT)"
    # Canonical text only: cheaper than a regular expression, and what as_whole accepts.
    return f"CASE WHEN CAST({number} AS VARCHAR) = {text} THEN {number} END"


def _sql_const(expr: Const, _paths: list[str]) -> str:
    return "'" + expr.value.replace("'", "''") + "'"


def _sql_coalesce(expr: Coalesce, paths: list[str]) -> str:
    return f"coalesce({', '.join(_sql(o, paths) for o in expr.options)})"


def _sql_equals(expr: Equals, paths: list[str]) -> str:
    return f"coalesce({_sql(expr.left, paths)} = {_sql_const(Const(expr.value), paths)}, false)"


def _sql_present(expr: Present, paths: list[str]) -> str:
    return f"({_sql(expr.expr, paths)} IS NOT NULL)"


def _sql_if(expr: If, paths: list[str]) -> str:
    otherwise = f" ELSE {_sql(expr.otherwise, paths)}" if expr.otherwise is not None else ""
    return f"CASE WHEN {_sql(expr.condition, paths)} THEN {_sql(expr.then, paths)}{otherwise} END"


def _sql_after_slash(expr: AfterSlash, paths: list[str]) -> str:
    inner = _sql(expr.expr, paths)
    return f"CASE WHEN strpos({inner}, '/') > 0 THEN substr({inner}, strpos({inner}, '/') + 1) END"


def _sql_after_last(expr: AfterLast, paths: list[str]) -> str:
    inner = _sql(expr.expr, paths)
    return f"nullif(CASE WHEN strpos({inner}, '/') > 0 THEN split_part({inner}, '/', -1) END, '')"


def _sql_matches(expr: Matches, paths: list[str]) -> str:
    pattern = _sql_const(Const(expr.pattern), paths)
    return f"coalesce(regexp_full_match({_sql(expr.expr, paths)}, {pattern}), false)"


def _sql_concat(expr: Concat, paths: list[str]) -> str:
    return "(" + " || ".join(_sql(p, paths) for p in expr.parts) + ")"


def _sql_non_zero_or(expr: NonZeroOr, paths: list[str]) -> str:
    first = _sql(expr.first, paths)
    return f"CASE WHEN coalesce({first}, 0) <> 0 THEN {first} ELSE {_sql(expr.second, paths)} END"


_SQL: dict[type[Expr], Callable[[Any, list[str]], str]] = {
    Text: _sql_text,
    Whole: _sql_whole,
    Const: _sql_const,
    Coalesce: _sql_coalesce,
    Equals: _sql_equals,
    Present: _sql_present,
    If: _sql_if,
    AfterSlash: _sql_after_slash,
    AfterLast: _sql_after_last,
    Matches: _sql_matches,
    Concat: _sql_concat,
    NonZeroOr: _sql_non_zero_or,
}


def _sql(expr: Expr, paths: list[str]) -> str:
    return _SQL[type(expr)](expr, paths)
