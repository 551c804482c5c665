"""HTTP combined/common log format, as written in front of the demo's model registry."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.watch.parsers.base import RecordError
from labwarden.watch.parsers.http import HttpAccessParser
from tests.watch.parsers.conftest import parse


def test_combined_and_common(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(
        '10.20.1.5 - akumar [01/Oct/2026:09:00:00 +0200] "GET /api/models/protein-lm-v3?x=1 '
        'HTTP/1.1" 200 5120 "-" "python-requests/2.32.3" 0.012\n'
        '10.20.1.6 - - [01/Oct/2026:09:00:01 +0000] "DELETE /api/models/x HTTP/1.1" 403 -\n'
        "garbage line\n"
    )
    events, issues = parse(HttpAccessParser(), path)
    assert [i.line for i in issues] == [3]
    first, second = events
    assert first["resource_uri"] == "/api/models/protein-lm-v3"
    assert first["actor_user"] == "akumar"
    assert first["time"].isoformat() == "2026-10-01T07:00:00+00:00"
    assert first["bytes"] == 5120 and first["user_agent"] == "python-requests/2.32.3"
    assert second["status"] == "failure" and second["activity"] == "delete"
    assert second["bytes"] is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_line_parses_or_is_rejected(line: str) -> None:
    with contextlib.suppress(RecordError):
        HttpAccessParser().parse_line(line, None)
