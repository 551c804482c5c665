"""The Spark engine against DuckDB on the cases where SQL engines differ: nulls, case, regular
expressions, time zones, quoting, ordering; and what the engine itself promises."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from labwarden.engines.duckdb import connect as duckdb
from labwarden.engines.interface import EngineError
from labwarden.engines.spark import SparkEngine
from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import load
from tests.watch.detect.helpers import lake_of, record, write_rule

pytestmark = pytest.mark.xdist_group("spark")


def _both(spark: SparkEngine, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` on DuckDB, checked to be the same on Spark."""
    con = duckdb()
    try:
        expected = con.rows(sql, params)
    finally:
        con.close()
    assert spark.rows(sql, params) == expected, sql
    return expected


VALUES = "(VALUES (1, 'Alice', true), (2, NULL, NULL), (3, 'bob', false)) t(n, name, flag)"


def test_nulls_behave_alike(spark: SparkEngine) -> None:
    rows = _both(
        spark,
        "SELECT n, lower(name) = 'alice', name ILIKE '%b%', flag IS NOT FALSE, "
        f"coalesce(name, '-'), greatest(n, NULL), CAST(name AS VARCHAR) FROM {VALUES} ORDER BY n",
    )
    assert rows == [
        (1, True, False, True, "Alice", 1, "Alice"),
        (2, None, None, True, "-", 2, None),
        (3, False, True, False, "bob", 3, "bob"),
    ]
    assert _both(spark, f"SELECT count_if(flag), count(name), count(*) FROM {VALUES}") == [
        (1, 2, 3)
    ]


def test_case_insensitive_matching_beyond_ascii(spark: SparkEngine) -> None:
    rows = _both(
        spark,
        "SELECT 'ÉLAN' ILIKE 'élan', lower('ÉLAN') = lower('élan'), "
        "lower('İSTANBUL') = lower('İstanbul'), lower('ΣΑΣ') = lower('ΣΑΣ'), 'ß' ILIKE 'SS'",
    )
    assert rows == [(True, True, True, True, False)]


def test_known_difference_final_sigma(spark: SparkEngine) -> None:
    # Java lowers a word-final capital sigma to the final form (Unicode's context rule), DuckDB
    # always to the medial form: 'σας' matches 'ΣΑΣ' on Spark only. Documented in the README.
    sql = "SELECT lower('σας') = lower('ΣΑΣ')"
    assert duckdb().rows(sql) == [(False,)]
    assert spark.rows(sql) == [(True,)]


def test_regular_expressions_match_as_in_re2(spark: SparkEngine) -> None:
    rows = _both(
        spark,
        "SELECT regexp_matches('abc' || chr(10), 'abc$'), regexp_matches('a' || chr(13) || 'b', "
        "'a.b'), regexp_matches('ÉLAN', '(?i)élan'), "
        "regexp_matches('x1', '[[:alpha:]][[:digit:]]'), "
        "regexp_matches('a[b', '[[]'), regexp_matches('line1' || chr(10) || 'x', '(?m)^x$'), "
        "regexp_extract('models/team01/run', '^([^/]+(?:/[^/]+)?)/', 1), "
        "regexp_extract('rclone/v1', '^[A-Za-z][A-Za-z0-9_.-]*', 0), regexp_extract('', 'x', 0)",
    )
    assert rows == [(False, True, True, True, True, True, "models/team01", "rclone", "")]


def test_times_are_utc_whatever_the_offset(spark: SparkEngine) -> None:
    plus_two = timezone(timedelta(hours=2))
    rows = _both(
        spark,
        "SELECT CAST(TIMESTAMPTZ '2026-10-01 23:30:00-02:00' AS DATE), "
        "hour(TIMESTAMPTZ '2026-10-01 23:30:00-02:00'), CAST($t AS DATE), $t, "
        "time_bucket(INTERVAL 900 SECOND, TIMESTAMPTZ '2026-10-01 10:07:00+00', "
        "TIMESTAMPTZ '1970-01-01 00:00:00+00'), CAST($day AS TIMESTAMPTZ)",
        {"t": datetime(2026, 10, 2, 1, 30, tzinfo=plus_two), "day": date(2026, 10, 1)},
    )
    (day, hour, bound_day, moment, bucket, midnight) = rows[0]
    assert (day, hour, bound_day) == (date(2026, 10, 2), 1, date(2026, 10, 1))
    assert moment == datetime(2026, 10, 1, 23, 30, tzinfo=UTC)
    assert bucket == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert midnight == datetime(2026, 10, 1, tzinfo=UTC)


def test_literals_json_paths_and_arithmetic(spark: SparkEngine) -> None:
    rows = _both(
        spark,
        'SELECT \'it\'\'s \\ ok\', json_extract_string(\'{"a b": {"c": 1, "d": "x"}}\', '
        "'$.\"a b\".d'), json_extract_string('{\"a\": null}', '$.a'), 7 / 2, "
        "CAST(true AS VARCHAR), CAST(12 AS VARCHAR), TRY_CAST('x' AS DOUBLE)",
    )
    assert rows == [("it's \\ ok", "x", None, 3.5, "true", "12", None)]


def test_ordered_lists_windows_and_quantiles(spark: SparkEngine) -> None:
    data = "(VALUES ('g', 2, 'b'), ('g', 1, 'z'), ('g', 1, 'a'), ('g', 3, 'a')) t(g, t, u)"
    assert _both(spark, f"SELECT list(u ORDER BY t, u)[1:3] FROM {data} GROUP BY g") == [
        (["a", "z", "b"],)
    ]
    assert _both(
        spark,
        f"SELECT t, count(DISTINCT u) OVER (PARTITION BY g ORDER BY t RANGE BETWEEN 1 PRECEDING "
        f"AND CURRENT ROW) FROM {data} ORDER BY t, u",
    ) == [(1, 2), (1, 2), (2, 3), (3, 2)]
    assert _both(spark, f"SELECT quantile_cont(t, 0.9), median(t) FROM {data}") == [(2.7, 1.5)]


def test_temp_tables_registered_tables_and_errors(spark: SparkEngine) -> None:
    when = datetime(2026, 10, 1, 12, tzinfo=UTC)
    table = pa.table({"uid": ["a", "b"], "time": pa.array([when, when], pa.timestamp("us", "UTC"))})
    with spark.registered("wanted", table):
        spark.execute("CREATE OR REPLACE TEMP TABLE kept AS SELECT * FROM wanted WHERE uid = 'b'")
    assert spark.rows("SELECT uid, time FROM kept") == [("b", when)]
    assert spark.columns("kept") == ["uid", "time"]
    spark.execute("DROP TABLE IF EXISTS kept")
    with pytest.raises(EngineError, match="kept"):
        spark.rows("SELECT * FROM kept")
    with pytest.raises(EngineError, match="wanted"):
        spark.rows("SELECT * FROM wanted")


def test_columns_of_names_queries_and_files(spark: SparkEngine, tmp_path: Path) -> None:
    # Analytics list a day's columns as "(SELECT * FROM read_parquet([...]) LIMIT 0)".
    path = tmp_path / "part.parquet"
    pq.write_table(pa.table({"uid": ["a"], "bytes": [3], "extra": [None]}), path)
    files = f"read_parquet(['{path}'], union_by_name = true, hive_partitioning = false)"
    con = duckdb()
    con.execute("CREATE TEMP TABLE named AS SELECT 1 AS a, 'x' AS b")
    spark.execute("CREATE TEMP TABLE named AS SELECT 1 AS a, 'x' AS b")
    for relation, expected in [
        ("named", ["a", "b"]),
        ("(SELECT b, a + 1 AS c FROM named LIMIT 0)", ["b", "c"]),
        (files, ["uid", "bytes", "extra"]),
        (f"(SELECT * FROM {files} LIMIT 0)", ["uid", "bytes", "extra"]),
    ]:
        assert con.columns(relation) == expected, relation
        assert spark.columns(relation) == expected, relation
    with pytest.raises(EngineError):
        spark.columns("(SELECT * FROM no_such_relation)")


def test_empty_lake_view_matches_duckdb(spark: SparkEngine, tmp_path: Path) -> None:
    con = duckdb()
    con.events_view(tmp_path / "none")
    assert spark.events_view(tmp_path / "none") == 0
    assert spark.columns("events") == con.columns("events")
    assert spark.rows("SELECT count(*) FROM events") == [(0,)]


def test_s3a_without_hadoop_aws_is_explained(spark: SparkEngine) -> None:
    with pytest.raises(EngineError, match="hadoop-aws"):
        spark.events_view("s3a://lab-lake/lake")
    with pytest.raises(EngineError, match="local lakes only"):
        duckdb().events_view("s3a://lab-lake/lake")


EDGE_RULES = """
title: Case beyond ASCII
id: 22222222-2222-4222-8222-000000000001
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        userIdentity.userName:
            - 'İSTANBUL-OPS'
            - 'ΣΑΣ'
    condition: sel
level: high
---
title: Regex anchored at the end
id: 22222222-2222-4222-8222-000000000002
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        requestParameters.key|re: '^models/[[:alnum:]_]+\\.bin$'
    condition: sel
level: high
---
title: Null and missing fields
id: 22222222-2222-4222-8222-000000000003
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventName: GetObject
    missing:
        errorCode: null
    condition: sel and not missing
level: high
---
title: Wildcards and contains
id: 22222222-2222-4222-8222-000000000004
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        userAgent|contains: 'RCLONE'
        eventName|startswith: 'get'
    condition: sel
level: high
"""


KEY = "models/w_1.bin"


def test_edge_case_rules_detect_the_same(spark: SparkEngine, tmp_path: Path) -> None:
    # Events either side of midnight UTC (their day is the UTC day), names beyond ASCII, a key
    # with a line end after the match, null and present error codes.
    records = [
        record(1439.5, "İSTANBUL-OPS", "ListBuckets"),
        record(1439.6, "ΣΑΣ", "ListBuckets"),
        record(1440.5, "İstanbul-ops", "ListBuckets"),
        record(2, "alice", "GetObject", requestParameters={"bucketName": "b", "key": KEY}),
        record(3, "alice", "GetObject", requestParameters={"bucketName": "b", "key": KEY + "\nx"}),
        record(4, "bob", "GetObject", errorCode="AccessDenied"),
        record(5, "carol", "GetObject", userAgent="rclone/v1.68"),
    ]
    lake, con = lake_of(tmp_path, records)
    rules = load([write_rule(tmp_path / "rules", "edge.yml", EDGE_RULES)])
    assert rules.problems == []
    expected = run_rules(con, rules.rules)
    spark.events_view(lake)
    found = run_rules(spark, rules.rules)
    assert found.problems == []
    assert _summary(found) == _summary(expected)
    assert _summary(found) == sorted(
        [
            ("Case beyond ASCII", "ΣΑΣ", "2026-10-01", 1),
            ("Case beyond ASCII", "İstanbul-ops", "2026-10-02", 1),
            ("Case beyond ASCII", "İSTANBUL-OPS", "2026-10-01", 1),
            ("Null and missing fields", "bob", "2026-10-01", 1),
            ("Regex anchored at the end", "alice", "2026-10-01", 1),
            ("Wildcards and contains", "carol", "2026-10-01", 1),
        ]
    )


def _summary(result: Any) -> list[tuple[str, str, str, int]]:
    return sorted(
        (d.rule.title, str(d.group["actor_user"]), d.first_seen.date().isoformat(), d.count)
        for d in result.detections
    )
