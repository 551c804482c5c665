"""DuckDB SQL as Spark SQL: the statements labwarden writes once, made to run on Spark.

Detections, correlations and analytics are written in DuckDB's dialect. sqlglot transpiles most
of it; what it gets wrong or cannot know is rewritten here on its syntax tree, each for a reason
that changes results, not style:

* ``list(x ORDER BY t)[a:b]``: Spark's ``collect_list`` has no order; the list is sorted as
  structs of the keys and the value (ties broken by the value, so the result is deterministic);
* ``count(DISTINCT v) OVER ...``: Spark has no distinct window aggregates: ``size(collect_set)``;
* ``time_bucket(INTERVAL n, t, origin)``: microsecond arithmetic (Spark has no ``date_bin``);
* ``range(a, b) AS r(i)``: Spark's own table function (sqlglot would emit a broken explode);
* ``quantile_cont(x, q)``: ``percentile(x, q)`` (the same linear interpolation);
* regular expressions: DuckDB's are RE2, Spark's are Java's; see :func:`java_regex`;
* ``$name`` and ``?`` parameters: bound as typed literals (times in UTC);
* ``read_parquet(...)``: handed to the engine, which reads the files and names the relation.

Statements come back as :class:`Statement` values saying what the engine has to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from labwarden.engines.interface import EngineError, Params

ParquetSource = Callable[[list[str], bool], str]
"""``(paths, union_by_name) -> relation name``: how the engine serves a ``read_parquet``."""

_UNITS = {"SECOND": 1, "MINUTE": 60, "HOUR": 3600, "DAY": 86400}


@dataclass(frozen=True, slots=True)
class Statement:
    """One translated statement.

    ``kind`` is ``query`` (``sql`` is a Spark query), ``table`` (materialize ``sql`` as temp
    relation ``name``), ``view`` (a temp view ``name`` over ``sql``), ``drop`` (forget relation
    ``name``) or ``noop`` (a DuckDB setting with no meaning on Spark).
    """

    kind: str
    sql: str = ""
    name: str = ""


def translate(sql: str, params: Params | None, parquet: ParquetSource) -> Statement:
    """``sql`` (DuckDB dialect, one statement) as a Spark :class:`Statement`."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except SqlglotError as exc:
        raise EngineError(f"cannot translate to Spark SQL: {exc}") from exc
    tree = _bind(tree, params)
    tree = tree.transform(lambda node: _rewrite(node, parquet))
    if isinstance(tree, exp.Set | exp.Command | exp.Pragma):
        return Statement("noop")
    if isinstance(tree, exp.Drop):
        tables = tree.args.get("tables") or [tree.this]
        return Statement("drop", name=tables[0].name)
    if isinstance(tree, exp.Create):
        name = tree.this.name
        body = tree.expression
        if body is None or not name:
            raise EngineError(f"unsupported statement on Spark: {sql[:80]}")
        kind = "table" if str(tree.args.get("kind", "")).upper() == "TABLE" else "view"
        return Statement(kind, _spark(body), name)
    return Statement("query", _spark(tree))


def _spark(tree: exp.Expr) -> str:
    try:
        return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise EngineError(f"cannot translate to Spark SQL: {exc}") from exc


def literal(value: Any) -> exp.Expr:
    """A Python value as a typed SQL literal (aware times in UTC; naive times are UTC)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        text = utc.replace(tzinfo=None).isoformat(sep=" ")
        return exp.cast(exp.Literal.string(text), exp.DataType.build("TIMESTAMP"))
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise EngineError(f"cannot bind a {type(value).__name__} parameter on Spark")


def _bind(tree: exp.Expr, params: Params | None) -> exp.Expr:
    """Replace ``$name`` and ``?`` placeholders by literals."""
    positional: Iterator[Any] = iter(params if isinstance(params, Sequence) else ())
    named = params if isinstance(params, dict) else {}

    def bind(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder | exp.Parameter):
            key = str(node.this.name if isinstance(node.this, exp.Expr) else node.this or "")
            if key and key != "?" and not key.isdigit():
                if key not in named:
                    raise EngineError(f"no value for parameter ${key}")
                return literal(named[key])
            try:
                return literal(next(positional))
            except StopIteration:
                raise EngineError("fewer parameters than placeholders") from None
        return node

    return tree.transform(bind) if params is not None else tree


def _rewrite(node: exp.Expr, parquet: ParquetSource) -> exp.Expr:
    if isinstance(node, exp.Table):
        return _table(node, parquet)
    if isinstance(node, exp.Bracket) and isinstance(node.this, exp.ArrayAgg):
        return _sliced_list(node)
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node)
    if isinstance(node, exp.Window) and _distinct_count(node.this):
        counted = node.this.this.expressions
        node.set("this", exp.func("collect_set", *counted))
        return exp.func("size", node)
    if isinstance(node, exp.DateBin):
        return _bucket(node)
    if isinstance(node, exp.PercentileCont):
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.RegexpLike | exp.RegexpExtract | exp.RegexpReplace):
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise EngineError("regular expressions must be literals on Spark (RE2 is translated)")
        node.set("expression", exp.Literal.string(java_regex(pattern.this)))
    return node


def _table(node: exp.Table, parquet: ParquetSource) -> exp.Expr:
    """``range(a, b) AS r(i)`` as Spark's ``range``; ``read_parquet`` as a named relation."""
    inner = node.this
    if isinstance(inner, exp.GenerateSeries):
        bounds = [inner.args["start"], inner.args["end"]]
        node.set("this", exp.Anonymous(this="range", expressions=bounds))
    elif isinstance(inner, exp.ReadParquet):
        alias = node.args.get("alias")
        table = exp.to_table(parquet(*_parquet_args(inner)))
        if alias is not None:
            table.set("alias", alias)
        return table
    return node


def _distinct_count(node: exp.Expr) -> bool:
    return isinstance(node, exp.Count) and isinstance(node.this, exp.Distinct)


def _ordered_list(node: exp.ArrayAgg) -> exp.Expr:
    """``list(x ORDER BY k...)`` as a sorted ``collect_list`` of ``(k..., x)`` structs."""
    order = node.this
    assert isinstance(order, exp.Order)
    value = order.this
    keys = order.expressions
    for key in keys:
        if key.args.get("desc"):
            raise EngineError("list(... ORDER BY ... DESC) is not translated to Spark")
    fields: list[exp.Expr] = []
    for index, key in enumerate(keys):
        fields += [exp.Literal.string(f"k{index}"), key.this]
    fields += [exp.Literal.string("v"), value]
    collected = exp.func("collect_list", exp.func("named_struct", *fields))
    return sqlglot.parse_one(f"transform(array_sort({_spark(collected)}), s -> s.v)", read="spark")


def _sliced_list(node: exp.Bracket) -> exp.Expr:
    """``list(...)[a:b]`` (1-based, inclusive) as ``slice(list, a, b - a + 1)``."""
    parts = node.expressions
    if len(parts) != 1 or not isinstance(parts[0], exp.Slice):
        return node
    lower, upper = parts[0].this, parts[0].expression
    if not (isinstance(lower, exp.Literal) and isinstance(upper, exp.Literal)):
        raise EngineError("list slices need literal bounds on Spark")
    start, end = int(lower.this), int(upper.this)
    listed = node.this
    assert isinstance(listed, exp.ArrayAgg)
    inner = _ordered_list(listed) if isinstance(listed.this, exp.Order) else listed
    return exp.func("slice", inner, exp.Literal.number(start), exp.Literal.number(end - start + 1))


def _seconds(interval: exp.Expr) -> int:
    if not isinstance(interval, exp.Interval):
        raise EngineError("time_bucket needs an INTERVAL width on Spark")
    unit = str(interval.args.get("unit") or "SECOND").upper().rstrip("S")
    return int(float(interval.this.name) * _UNITS[unit])


def _bucket(node: exp.DateBin) -> exp.Expr:
    """``time_bucket(width, t, origin)``: ``t`` minus its offset from the grid, in microseconds."""
    width = _seconds(node.this) * 1_000_000
    moment = _spark(node.expression)
    origin = node.args.get("unit")
    offset = f"unix_micros({moment})"
    if origin is not None:
        offset = f"(unix_micros({moment}) - unix_micros({_spark(origin)}))"
    return sqlglot.parse_one(
        f"timestamp_micros(unix_micros({moment}) - pmod({offset}, {width}))", read="spark"
    )


def _parquet_args(node: exp.ReadParquet) -> tuple[list[str], bool]:
    paths: list[str] = []
    union = False
    for arg in node.expressions:
        if isinstance(arg, exp.EQ):
            if arg.this.name.lower() == "union_by_name":
                union = str(arg.expression).lower() == "true"
            continue
        items = arg.expressions if isinstance(arg, exp.Array) else [arg]
        for item in items:
            if not (isinstance(item, exp.Literal) and item.is_string):
                raise EngineError("read_parquet needs literal paths on Spark")
            paths.append(item.this)
    if not paths:
        raise EngineError("read_parquet without a path")
    return paths, union


_POSIX = {
    "alnum": r"\p{Alnum}",
    "alpha": r"\p{Alpha}",
    "ascii": r"\p{ASCII}",
    "blank": r"\p{Blank}",
    "cntrl": r"\p{Cntrl}",
    "digit": r"\p{Digit}",
    "graph": r"\p{Graph}",
    "lower": r"\p{Lower}",
    "print": r"\p{Print}",
    "punct": r"\p{Punct}",
    "space": r"\p{Space}",
    "upper": r"\p{Upper}",
    "word": r"\w",
    "xdigit": r"\p{XDigit}",
}
_POSIX_CLASS = re.compile(r"\[:(\^?)([a-z]+):\]")
_FLAGS = re.compile(r"^\(\?([imsU]+)\)")


def java_regex(pattern: str) -> str:
    """An RE2 pattern (DuckDB) as a Java pattern (Spark) that matches the same strings.

    * ``.`` and ``$`` treat only ``\\n`` as a line end, as in RE2 (``(?d)``; Java also stops at
      ``\\r`` and Unicode line separators);
    * without the ``m`` flag, ``$`` is the end of the text (``\\z``), as in RE2 (Java's also
      matches before a final line end);
    * ``(?i)`` folds case beyond ASCII, as in RE2 (``(?iu)``);
    * ``[[:alpha:]]`` and the other POSIX classes become ``\\p{Alpha}`` etc.;
    * ``(?P<name>...)`` becomes ``(?<name>...)``.
    """
    flags = ""
    match = _FLAGS.match(pattern)
    if match:
        flags = match.group(1)
        pattern = pattern[match.end() :]
    body = _translate_body(pattern, multiline="m" in flags)
    java_flags = "d" + flags.replace("i", "iu").replace("U", "")
    return f"(?{java_flags}){body}"


def _translate_body(pattern: str, *, multiline: bool) -> str:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
        elif char == "[":
            index = _class(pattern, index, out)
        elif char == "$" and not multiline:
            out.append("\\z")
            index += 1
        elif pattern.startswith("(?P<", index):
            out.append("(?<")
            index += 4
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _class(pattern: str, index: int, out: list[str]) -> int:
    """Copy the character class starting at ``pattern[index]`` (``[``) to ``out``, with POSIX
    classes translated; the index after it."""
    out.append("[")
    index += 1
    if pattern[index : index + 1] == "^":
        out.append("^")
        index += 1
    if pattern[index : index + 1] == "]":  # a literal ] first in a class
        out.append("\\]")
        index += 1
    while index < len(pattern):
        char = pattern[index]
        posix = _POSIX_CLASS.match(pattern, index)
        if char == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
        elif posix:
            out.append(_posix(posix.group(2), negated=posix.group(1) == "^"))
            index = posix.end()
        elif char == "[":  # a nested class (Java syntax) or a literal [
            out.append("\\[")
            index += 1
        else:
            out.append(char)
            index += 1
            if char == "]":
                break
    return index


def _posix(name: str, *, negated: bool) -> str:
    java = _POSIX.get(name)
    if java is None:
        raise EngineError(f"unknown POSIX class [:{name}:] in a regular expression")
    if negated:
        return "\\P" + java[2:] if java.startswith("\\p") else "\\W"
    return java
