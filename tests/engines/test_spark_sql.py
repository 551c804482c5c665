"""DuckDB SQL to Spark SQL: the rewrites that change results, checked on the translated text.

Running the translations on Spark is ``test_spark.py``'s job; these need no JVM.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.engines.interface import EngineError
from labwarden.engines.spark_sql import java_regex, translate


def _sql(text: str, params: object = None) -> str:
    statement = translate(text, params, lambda paths, union: "lw_parquet_1")  # type: ignore[arg-type]
    assert statement.kind == "query"
    return statement.sql


@pytest.mark.parametrize(
    ("re2", "java"),
    [
        ("abc$", r"(?d)abc\z"),
        ("(?i)élan", "(?diu)élan"),
        ("(?m)^a$", "(?dm)^a$"),
        ("[[:alpha:]]+", r"(?d)[\p{Alpha}]+"),
        ("[^[:digit:]]", r"(?d)[^\p{Digit}]"),
        ("[[:^space:]]", r"(?d)[\P{Space}]"),
        ("[]a]", r"(?d)[\]a]"),
        ("[a[b]", r"(?d)[a\[b]"),
        (r"\$x$", r"(?d)\$x\z"),
        ("[$]", "(?d)[$]"),
        ("(?P<user>[a-z]+)", "(?d)(?<user>[a-z]+)"),
    ],
)
def test_re2_patterns_become_java_patterns(re2: str, java: str) -> None:
    assert java_regex(re2) == java


def test_unknown_posix_class_is_an_error() -> None:
    with pytest.raises(EngineError, match="POSIX class"):
        java_regex("[[:nope:]]")


@given(st.text(alphabet="ab.$^[]\\(?:)*+|", max_size=12))
def test_translation_keeps_literal_text_and_never_crashes(pattern: str) -> None:
    try:
        out = java_regex(pattern)
    except EngineError:
        return
    assert out.startswith("(?d")
    assert out.count("a") >= pattern.count("a")


def test_ordered_lists_are_sorted_structs_and_slices_are_inclusive() -> None:
    sql = _sql("SELECT list(u ORDER BY t, u)[1:100] AS uids FROM e GROUP BY g")
    assert "ARRAY_SORT(COLLECT_LIST(STRUCT(t AS k0, u AS k1, u AS v)))" in sql
    assert re.search(r"SLICE\(.*, 1, 100\)", sql)


def test_distinct_window_count_becomes_set_size() -> None:
    sql = _sql("SELECT count(DISTINCT v) OVER (PARTITION BY g ORDER BY t) FROM m")
    assert sql.startswith("SELECT SIZE(COLLECT_SET(v) OVER (PARTITION BY g")


def test_time_bucket_is_microsecond_arithmetic() -> None:
    sql = _sql(
        "SELECT time_bucket(INTERVAL 15 MINUTE, time, TIMESTAMPTZ '1970-01-01 00:00:00+00') FROM e"
    )
    assert "PMOD((UNIX_MICROS(time) - UNIX_MICROS(" in sql
    assert "900000000" in sql


def test_parameters_are_bound_as_typed_literals_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    sql = _sql(
        "SELECT * FROM e WHERE time >= $since AND day = $day",
        {"since": datetime(2026, 10, 2, 1, 30, tzinfo=plus_two), "day": date(2026, 10, 1)},
    )
    assert "CAST('2026-10-01 23:30:00' AS TIMESTAMP)" in sql
    assert "CAST('2026-10-01' AS DATE)" in sql
    sql = _sql("SELECT * FROM e WHERE name = ? AND n = ?", ["it's a \\ test", 7])
    assert "name = 'it\\'s a \\\\ test' AND n = 7" in sql
    naive = _sql("SELECT ?", [datetime(2026, 1, 1, 12)])
    assert naive == _sql("SELECT ?", [datetime(2026, 1, 1, 12, tzinfo=UTC)])


def test_missing_parameter_is_an_error() -> None:
    with pytest.raises(EngineError, match=r"\$day"):
        _sql("SELECT * FROM e WHERE day = $day", {"other": 1})
    with pytest.raises(EngineError, match="fewer parameters"):
        _sql("SELECT ?, ?", [1])


def test_statements_say_what_the_engine_must_do() -> None:
    def table(paths: list[str], union: bool) -> str:
        assert paths == ["/lake/a.parquet", "/lake/b.parquet"] and union
        return "lw_parquet_7"

    temp = translate("CREATE OR REPLACE TEMP TABLE t AS SELECT 1 AS x", None, table)
    assert (temp.kind, temp.name, temp.sql) == ("table", "t", "SELECT 1 AS x")
    view = translate(
        "CREATE OR REPLACE VIEW v AS SELECT * FROM read_parquet(['/lake/a.parquet', "
        "'/lake/b.parquet'], union_by_name = true)",
        None,
        table,
    )
    assert (view.kind, view.name, view.sql) == ("view", "v", "SELECT * FROM lw_parquet_7")
    assert translate("DROP TABLE IF EXISTS t", None, table).name == "t"
    assert translate("SET TimeZone = 'UTC'", None, table).kind == "noop"


def test_regex_on_a_column_pattern_is_refused() -> None:
    with pytest.raises(EngineError, match="literals"):
        _sql("SELECT regexp_matches(a, b) FROM e")
