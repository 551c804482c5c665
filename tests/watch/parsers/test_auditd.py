"""auditd records: SYSCALL, EXECVE with hex arguments, PATH, PROCTITLE, node prefixes."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.watch.parsers.auditd import AuditdParser
from labwarden.watch.parsers.base import RecordError
from tests.watch.parsers.conftest import parse

SAMPLE = (
    "type=SYSCALL msg=audit(1790874000.123:4000): arch=c000003e syscall=59 success=yes exit=0 "
    'a0=10 a1=ffffff9c items=2 ppid=1 pid=2000 auid=1001 uid=1001 comm="python" '
    'exe="/usr/bin/python3.11" key="model-read"\x1dAUID="akumar" UID="akumar"\n'
    'type=EXECVE msg=audit(1790874000.123:4000): argc=3 a0="curl" a1="-T" '
    "a2=2F646174612F6D6F64656C732F612062\n"
    'node=gpu-node-3 type=PATH msg=audit(1790874000.123:4000): item=0 name="/data/models/x.bin" '
    "nametype=NORMAL\n"
    "type=PROCTITLE msg=audit(1790874000.123:4000): proctitle=6375726C002D540078\n"
    "this is not audit\n"
)


def test_records(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    path.write_text(SAMPLE)
    events, issues = parse(AuditdParser(), path)
    assert [i.line for i in issues] == [5]
    syscall, execve, path_event, title = events
    assert syscall["api_operation"] == "SYSCALL"
    assert syscall["actor_user"] == "akumar"
    assert syscall["process"] == "/usr/bin/python3.11"
    assert '"a0":"10"' in syscall["raw"]  # register values are not hex-decoded
    assert execve["command"] == "curl -T /data/models/a b"
    assert path_event["resource_uri"] == "/data/models/x.bin"
    assert path_event["host"] == "gpu-node-3"
    assert title["command"] == "curl -T x"
    assert syscall["time"].isoformat() == "2026-10-01T17:00:00.123000+00:00"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_line_parses_or_is_rejected(line: str) -> None:
    with contextlib.suppress(RecordError):
        AuditdParser().parse_line(line, None)
