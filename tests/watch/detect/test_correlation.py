"""Correlations honour their timespan: event_count, value_count, value_sum and temporal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labwarden.watch.detect.run import run_rules
from labwarden.watch.detect.sigma.rules import load
from tests.watch.detect.helpers import lake_of, record, write_rule

BASE = """
title: Object read
id: 22222222-2222-4222-8222-000000000001
name: object_read
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    sel:
        eventName: GetObject
    condition: sel
level: low
---
title: Listing
id: 22222222-2222-4222-8222-000000000002
name: listing
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    sel:
        eventName: ListObjects
    condition: sel
level: low
"""

CORRELATION = """
title: {title}
id: 22222222-2222-4222-8222-{n:012d}
status: test
correlation:
    type: {type}
    rules:
{rules}
    group-by:
        - userIdentity.userName
    timespan: {span}
{condition}
level: high
"""


def _reads(user: str, minutes: list[float], key: str = "k") -> list[dict[str, object]]:
    return [
        record(
            m,
            user,
            "GetObject",
            requestParameters={"bucketName": "b", "key": f"{key}{i}"},
            additionalEventData={"bytesTransferredOut": 1000},
        )
        for i, m in enumerate(minutes)
    ]


def _detect(
    tmp_path: Path, records: list[dict[str, object]], **fields: object
) -> list[tuple[str | None, int]]:
    _, con = lake_of(tmp_path, records)
    folder = tmp_path / "rules"
    write_rule(folder, "base.yml", BASE)
    write_rule(folder, "corr.yml", CORRELATION.format(**fields))
    rules = load([folder])
    assert rules.problems == []
    correlations = [r for r in rules.rules if r.kind == "correlation"]
    result = run_rules(con, correlations)
    assert result.problems == []
    return sorted((d.group.get("userIdentity.userName"), d.count) for d in result.detections)


def test_event_count_within_timespan_only(tmp_path: Path) -> None:
    # alice: 5 reads within 10 minutes; bob: 5 reads spread over 5 hours.
    records = _reads("alice", [0, 2, 4, 6, 8]) + _reads("bob", [0, 60, 120, 180, 240])
    found = _detect(
        tmp_path,
        records,
        title="burst",
        n=10,
        type="event_count",
        rules="        - object_read",
        span="15m",
        condition="    condition:\n        gte: 5",
    )
    assert found == [("alice", 5)]
    # With a timespan of 5 hours bob qualifies as well: the timespan is what decides.
    found = _detect(
        tmp_path / "again",
        records,
        title="slow",
        n=11,
        type="event_count",
        rules="        - object_read",
        span="5h",
        condition="    condition:\n        gte: 5",
    )
    assert found == [("alice", 5), ("bob", 5)]


def test_value_count_distinct_values(tmp_path: Path) -> None:
    same_key = [
        record(m, "carol", "GetObject", requestParameters={"bucketName": "b", "key": "same"})
        for m in range(6)
    ]
    records = _reads("alice", [0, 1, 2, 3]) + same_key
    found = _detect(
        tmp_path,
        records,
        title="distinct",
        n=12,
        type="value_count",
        rules="        - object_read",
        span="1h",
        condition="    condition:\n        gte: 4\n        field: requestParameters.key",
    )
    assert found == [("alice", 4)]


def test_value_sum_of_bytes(tmp_path: Path) -> None:
    records = _reads("alice", [0, 1, 2]) + _reads("bob", [0, 90, 180])
    found = _detect(
        tmp_path,
        records,
        title="volume",
        n=13,
        type="value_sum",
        rules="        - object_read",
        span="1h",
        condition=(
            "    condition:\n        gte: 3000\n"
            "        field: additionalEventData.bytesTransferredOut"
        ),
    )
    assert found == [("alice", 3)]


def test_temporal_needs_all_rules_inside_the_window(tmp_path: Path) -> None:
    records = [
        record(0, "alice", "ListObjects"),
        *_reads("alice", [30]),
        record(0, "bob", "ListObjects"),
        *_reads("bob", [300]),
        *_reads("carol", [0, 1]),
    ]
    found = _detect(
        tmp_path,
        records,
        title="recon then read",
        n=14,
        type="temporal",
        rules="        - listing\n        - object_read",
        span="1h",
        condition="",
    )
    assert found == [("alice", 2)]


def test_unsupported_correlation_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    write_rule(folder, "base.yml", BASE)
    write_rule(
        folder,
        "corr.yml",
        CORRELATION.format(
            title="ordered",
            n=15,
            type="temporal_ordered",
            rules="        - listing\n        - object_read",
            span="1h",
            condition="",
        ),
    )
    rules = load([folder])
    assert [p.reason for p in rules.problems] == [
        "correlation type temporal_ordered is not supported"
    ]


_KINDS = [
    ("event_count", "gte: {n}", "        - object_read"),
    ("event_count", "gt: {n}", "        - object_read"),
    ("event_count", "eq: {n}", "        - object_read"),
    ("value_count", "gte: {n}\n        field: requestParameters.key", "        - object_read"),
    (
        "value_sum",
        "gte: {bytes}\n        field: additionalEventData.bytesTransferredOut",
        "        - object_read",
    ),
    ("temporal", "gte: 2", "        - object_read\n        - listing"),
]


# A window reaching back exactly one timespan into the oldest bucket it can touch.
_EDGE = [("alice", t, "GetObject", t % 5, 100) for t in (0, 3597, 3598, 3599, 3600)]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(events=_EDGE, kind=_KINDS[0], n=5, span="1h")
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(["alice", "bob"]),
            st.integers(0, 9000),
            st.sampled_from(["GetObject", "GetObject", "ListObjects"]),
            st.integers(0, 5),
            st.integers(1, 400),
        ),
        max_size=60,
    ),
    kind=st.sampled_from(_KINDS),
    n=st.integers(1, 8),
    span=st.sampled_from(["7m", "30m", "1h", "90s"]),
)
def test_pruning_never_changes_the_episodes(
    tmp_path_factory: pytest.TempPathFactory,
    events: list[tuple[str, int, str, int, int]],
    kind: tuple[str, str, str],
    n: int,
    span: str,
) -> None:
    from labwarden.watch.detect.sigma import correlation

    records = [
        record(
            second / 60,
            user,
            name,
            requestParameters={"bucketName": "b", "key": f"k{key}"},
            additionalEventData={"bytesTransferredOut": size},
        )
        for user, second, name, key, size in events
    ] or [record(0, "alice", "ListObjects")]
    tmp = tmp_path_factory.mktemp("prune")
    _, con = lake_of(tmp, records)
    folder = tmp / "rules"
    write_rule(folder, "base.yml", BASE)
    type_, condition, rules = kind
    text = CORRELATION.format(
        title="prop",
        n=99,
        type=type_,
        rules=rules,
        span=span,
        condition="    condition:\n        " + condition.format(n=n, bytes=n * 150),
    )
    write_rule(folder, "corr.yml", text)
    pruned = next(r for r in load([folder]).rules if r.kind == "correlation")
    original = correlation._bound
    correlation._bound = lambda *_: None
    try:
        plain = next(r for r in load([folder]).rules if r.kind == "correlation")
    finally:
        correlation._bound = original
    assert pruned.correlation is not None and plain.correlation is not None
    assert "mk AS" in pruned.correlation.episodes and "mk AS" not in plain.correlation.episodes

    def episodes(sql: str) -> list[tuple[object, ...]]:
        query = f"SELECT gkey, CAST(start_time AS VARCHAR), value, events FROM ({sql})"
        return sorted(con.rows(query))

    assert episodes(pruned.correlation.episodes) == episodes(plain.correlation.episodes)


def test_rules_run_on_an_empty_lake(tmp_path: Path) -> None:
    from labwarden.engines.duckdb import connect, create_events_view
    from labwarden.watch.detect.sigma.rules import bundled_rules_dir

    con = connect()
    create_events_view(con, tmp_path / "no-lake-yet")
    rules = load([bundled_rules_dir()])
    result = run_rules(con, rules.rules)
    assert result.problems == [] and result.detections == []
    assert result.rules_run == len(rules.rules)
