"""Event fields written once: the Python and the SQL reading of a record always agree."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.engines.duckdb import connect
from labwarden.watch.parsers import cloudtrail
from labwarden.watch.parsers.fields import (
    AfterLast,
    AfterSlash,
    Coalesce,
    Concat,
    Const,
    Equals,
    Expr,
    If,
    Matches,
    NonZeroOr,
    Present,
    Text,
    Whole,
    as_text,
    as_whole,
    to_python,
    to_sql,
)

ENGINE = connect(threads=1)

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from(
        ["", "-", "/", "a/", "a/b/c", "AssumedRole", "Root", "0", "12", "-3", "007", "+4", "-0"]
    ),
    st.integers().map(str),
    st.text(max_size=8),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: round(f, 3)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)


def _nest(path: str, value: Any) -> dict[str, Any]:
    """A record holding ``value`` at ``path`` (``a.b[0].c``)."""
    steps = path.replace("[0]", ".0").split(".")
    out: Any = value
    for step in reversed(steps):
        out = [out] if step == "0" else {step: out}
    assert isinstance(out, dict)
    return out


def _merge(into: dict[str, Any], more: dict[str, Any]) -> None:
    for key, value in more.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _sql_rows(fields: dict[str, Expr], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sql = to_sql(fields)
    columns = ", ".join(f"{expr} AS {name}" for name, expr in sql.columns.items())
    table = pa.table({"raw": [json.dumps(r) for r in records]})
    with ENGINE.registered("records_in", table):
        query = f"SELECT {columns} FROM (SELECT *, {sql.extract} FROM records_in) AS x"
        rows: list[dict[str, Any]] = ENGINE.table(query).to_pylist()
    return rows


PATHS = sorted(to_sql(cloudtrail.FIELDS).paths)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.dictionaries(st.sampled_from(PATHS), _VALUES, max_size=8), min_size=1, max_size=6)
)
def test_cloudtrail_fields_agree_in_python_and_sql(layouts: list[dict[str, Any]]) -> None:
    records = []
    for layout in layouts:
        record: dict[str, Any] = {}
        for path, value in layout.items():
            _merge(record, _nest(path, value))
        records.append(record)
    python = to_python(cloudtrail.FIELDS)
    assert [python(r) for r in records] == _sql_rows(cloudtrail.FIELDS, records)


def test_every_expression_type_in_both_readings() -> None:
    fields: dict[str, Expr] = {
        "text": Text("a"),
        "whole": Whole("n"),
        "first": Coalesce((Text("missing"), Text("b[0].c"), Const("default"))),
        "is_x": Equals(Text("a"), "x"),
        "has_b": Present(Text("b[0].c")),
        "when": If(Present(Text("a")), Const("yes"), Const("no")),
        "tail": AfterSlash(Text("arn")),
        "last": AfterLast(Text("arn")),
        "machine": Matches(Text("arn"), r"[a-z]+/(ci|[0-9]{3,})"),
        "joined": Concat((Const("s3://"), Text("a"), Const("/"))),
        "bytes": NonZeroOr(Whole("zero"), Whole("n")),
    }
    records: list[dict[str, Any]] = [
        {"a": "x", "n": "42", "b": [{"c": True}], "arn": "role/ci", "zero": 0},
        {"a": "", "n": 4.5, "b": {"c": 1}, "arn": "no-slash"},
        {"arn": "a/b/"},
        {"arn": "role/1234/x"},
        {},
    ]
    python = to_python(fields)
    got = [python(r) for r in records]
    assert got == _sql_rows(fields, records)
    assert got[0] == {
        "text": "x",
        "whole": 42,
        "first": "true",
        "is_x": True,
        "has_b": True,
        "when": "yes",
        "tail": "ci",
        "last": "ci",
        "machine": True,
        "joined": "s3://x/",
        "bytes": 42,
    }
    assert got[4]["first"] == "default" and got[4]["joined"] is None and got[4]["when"] == "no"
    assert got[2]["last"] is None and got[3]["last"] == "x" and not got[3]["machine"]


def test_leaves_read_json_as_duckdb_does() -> None:
    assert as_text({"b": [1, 2.5, "é"]}) == '{"b":[1,2.5,"é"]}'
    assert as_text(1000.0) == "1000.0" and as_text(False) == "false" and as_text("") is None
    assert as_whole("7") == 7 and as_whole(-3) == -3 and as_whole(4.0) is None
    assert as_whole("007") is None and as_whole("+7") is None and as_whole(" 7") is None
    assert as_whole(2**63) is None and as_whole(True) is None and as_whole("²") is None


def test_values_nested_as_deep_as_json_allows_are_read_alike() -> None:
    deep: Any = "x"
    for _ in range(900):
        deep = [deep, {"k": 1.5e-7}]
    records = [{"awsRegion": deep, "userIdentity": {"arn": deep}}]
    python = to_python(cloudtrail.FIELDS)
    got = [python(r) for r in records]
    assert got == _sql_rows(cloudtrail.FIELDS, records)
    assert str(got[0]["cloud_region"]).startswith("[[[[") and got[0]["actor_user"] is None
