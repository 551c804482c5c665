"""S3 server access logs: every field-count variant of the elastic fixture."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.watch.parsers.base import RecordError
from labwarden.watch.parsers.s3access import S3AccessParser, api_name
from tests.conftest import corpora_path
from tests.watch.parsers.conftest import parse


def test_fixture_all_variants() -> None:
    events, issues = parse(
        S3AccessParser(), corpora_path("logs", "s3-server-access", "elastic-fixture.log")
    )
    assert issues == []
    assert len(events) == 10
    first = events[0]
    assert first["api_operation"] == "GetBucketLocation"
    assert first["resource_uri"] == "s3://test-s3-ks/"
    assert first["src_ip"] == "89.160.20.156"
    delete = events[4]
    assert delete["api_operation"] == "DeleteObject"
    assert delete["activity"] == "delete"
    assert delete["resource_key"] == "jolokia-war-1.5.0.war"
    assert events[-1]["api_operation"] == "ExpireObject"
    assert events[-1]["actor_user"] == "AmazonS3"
    # The access-point variant keeps its extra fields.
    assert "access_point_arn" in events[7]["raw"]


def test_short_line_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "log"
    good = (
        corpora_path("logs", "s3-server-access", "elastic-fixture.log").read_text().splitlines()[0]
    )
    path.write_text(good + "\nowner bucket [01/Aug/2019:00:24:41 +0000] 1.2.3.4\n" + good + "\n")
    events, issues = parse(S3AccessParser(), path)
    assert len(events) == 2
    assert [i.line for i in issues] == [2]


def test_api_names() -> None:
    assert api_name("REST.GET.OBJECT") == "GetObject"
    assert api_name("REST.PUT.BUCKETPOLICY") == "PutBucketPolicy"
    assert api_name("REST.GET.OBJECT_TAGGING") == "GetObjectTagging"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_line_parses_or_is_rejected(line: str) -> None:
    with contextlib.suppress(RecordError):
        S3AccessParser().parse_line(line, None)
