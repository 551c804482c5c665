"""The DuckDB backend: Sigma modifiers, case rules, raw fields and keywords, run for real."""

from __future__ import annotations

from pathlib import Path

from labwarden.watch.detect.sigma.rules import load
from tests.watch.detect.helpers import lake_of, record, write_rule

RULE = """
title: {title}
id: 11111111-1111-4111-8111-{n:012d}
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
{detection}
level: high
"""


def _matches(tmp_path: Path, detection: str) -> set[str]:
    records = [
        record(
            1, "alice", "GetObject", requestParameters={"bucketName": "b", "key": "models/x_1.bin"}
        ),
        record(
            2,
            "bob",
            "PutBucketPolicy",
            requestParameters={"bucketName": "b", "policy": "Principal *"},
        ),
        record(
            3, "carol", "ConsoleLogin", errorCode="Failed", additionalEventData={"MFAUsed": "No"}
        ),
        record(4, "dave", "getobject", sourceIPAddress="10.1.2.3"),
    ]
    _, con = lake_of(tmp_path, records)
    folder = tmp_path / "rules"
    write_rule(folder, "r.yml", RULE.format(title="t", n=1, detection=detection))
    rules = load([folder])
    assert rules.problems == []
    (rule,) = rules.rules
    rows = con.rows(f"SELECT actor_user FROM events WHERE {rule.where}")
    return {r[0] for r in rows}


def test_case_insensitive_equality_and_lists(tmp_path: Path) -> None:
    detection = (
        "    sel:\n        eventName:\n            - GetObject\n            - ConsoleLogin\n"
        "    condition: sel"
    )
    assert _matches(tmp_path, detection) == {"alice", "carol", "dave"}


def test_modifiers_and_raw_fields(tmp_path: Path) -> None:
    detection = (
        "    sel:\n        requestParameters.key|startswith: 'models/'\n"
        "        requestParameters.key|contains: '_1'\n    condition: sel"
    )
    assert _matches(tmp_path, detection) == {"alice"}


def test_cased_re_cidr_and_not(tmp_path: Path) -> None:
    assert _matches(
        tmp_path, "    sel:\n        eventName|cased: getobject\n    condition: sel"
    ) == {"dave"}
    assert _matches(
        tmp_path, "    sel:\n        eventName|re: '^Put.*Policy$'\n    condition: sel"
    ) == {"bob"}
    assert _matches(
        tmp_path, "    sel:\n        sourceIPAddress|cidr: 10.0.0.0/8\n    condition: sel"
    ) == {"dave"}
    detection = (
        "    sel:\n        eventSource: s3.amazonaws.com\n    f:\n        errorCode|exists: true\n"
        "    condition: sel and not f"
    )
    assert _matches(tmp_path, detection) == {"alice", "bob", "dave"}


def test_keywords_and_nested_fields(tmp_path: Path) -> None:
    assert (
        _matches(tmp_path, "    keywords:\n        - 'principal \\\\*'\n    condition: keywords")
        == set()
    )
    assert _matches(tmp_path, "    keywords:\n        - 'Principal'\n    condition: keywords") == {
        "bob"
    }
    detection = "    sel:\n        additionalEventData.MFAUsed: 'No'\n    condition: sel"
    assert _matches(tmp_path, detection) == {"carol"}


def test_wildcards_escape_sql_specials(tmp_path: Path) -> None:
    # '_' is a literal underscore in Sigma, not SQL's any-character.
    detection = "    sel:\n        requestParameters.key|endswith: 'x_1.bin'\n    condition: sel"
    assert _matches(tmp_path, detection) == {"alice"}
    detection = "    sel:\n        requestParameters.key|endswith: 'xa1.bin'\n    condition: sel"
    assert _matches(tmp_path, detection) == set()


def test_unsupported_logsource_is_reported(tmp_path: Path) -> None:
    text = RULE.format(
        title="win", n=2, detection="    sel:\n        EventID: 1\n    condition: sel"
    )
    path = write_rule(
        tmp_path,
        "win.yml",
        text.replace(
            "product: aws\n    service: cloudtrail", "product: windows\n    service: sysmon"
        ),
    )
    rules = load([path])
    assert rules.rules == []
    (problem,) = rules.problems
    assert "windows/sysmon has no lake source" in problem.reason and problem.path == str(path)


def test_broken_yaml_is_reported(tmp_path: Path) -> None:
    path = write_rule(tmp_path, "bad.yml", "title: [unclosed\n")
    rules = load([path])
    assert rules.rules == [] and "cannot load" in rules.problems[0].reason
