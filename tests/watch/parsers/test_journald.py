"""journalctl -o json: the same events auth.log gives, binary messages, bad entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labwarden.watch.parsers.authlog import AuthLogParser
from labwarden.watch.parsers.base import LogFile
from labwarden.watch.parsers.journald import JournaldParser
from labwarden.watch.parsers.registry import detect
from tests.watch.parsers.conftest import parse

ENTRY = {
    "__CURSOR": "s=abc;i=1",
    "__REALTIME_TIMESTAMP": "1790000000123456",
    "_HOSTNAME": "gpu-node-3",
    "SYSLOG_IDENTIFIER": "sshd-session",
    "_PID": "812",
    "MESSAGE": "Failed password for root from 203.0.113.9 port 40000 ssh2",
}


def test_entry_is_the_auth_log_event(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    binary = {
        **ENTRY,
        "__CURSOR": "s=abc;i=2",
        "MESSAGE": list(b"Accepted publickey for a from 10.0.0.1 port 1 ssh2"),
    }
    other = {**ENTRY, "__CURSOR": "s=abc;i=3", "SYSLOG_IDENTIFIER": "kernel", "MESSAGE": "oops"}
    path.write_text("\n".join(json.dumps(r) for r in (ENTRY, binary, other)) + "\n")
    assert detect(LogFile(path)).name == "journald"
    events, issues = parse(JournaldParser(), path)
    assert issues == []
    failed, accepted, kernel = events
    when = datetime.fromtimestamp(1790000000, UTC).replace(microsecond=123456)
    assert failed["time"] == when and failed["event_uid"] == "journald:s=abc;i=1"
    line = tmp_path / "auth.log"
    line.write_text(f"{when.isoformat()} gpu-node-3 sshd[812]: {ENTRY['MESSAGE']}\n")
    (same,), _ = parse(AuthLogParser(), line)
    for column in (
        "class_uid",
        "activity",
        "status",
        "actor_user",
        "src_ip",
        "api_operation",
        "process",
    ):
        assert failed[column] == same[column], column
    assert (accepted["status"], accepted["actor_user"]) == ("success", "a")
    assert kernel["class_uid"] == 0 and kernel["process"] == "kernel"


def test_entries_without_a_time_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    path.write_text(
        json.dumps(ENTRY) + "\n" + json.dumps({**ENTRY, "__REALTIME_TIMESTAMP": "x"}) + "\n"
    )
    events, issues = parse(JournaldParser(), path)
    assert len(events) == 1 and [i.line for i in issues] == [2]
    assert "__REALTIME_TIMESTAMP" in issues[0].message


_VALUES: Any = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=40),
    st.lists(st.integers(0, 300), max_size=8),
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(sorted(ENTRY)), _VALUES, max_size=6))
def test_any_entry_is_an_event_or_a_reported_record(
    tmp_path: Path, changes: dict[str, Any]
) -> None:
    path = tmp_path / "journal.json"
    path.write_text(json.dumps({**ENTRY, **changes}) + "\n")
    events, issues = parse(JournaldParser(), path)
    assert len(events) + len(issues) == 1
