"""auth.log / secure: the loghub OpenSSH and Linux corpora, sudo and su lines."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.watch.parsers.authlog import AuthLogParser
from labwarden.watch.parsers.base import LogFile, RecordError
from tests.conftest import corpora_path
from tests.watch.parsers.conftest import parse


def test_openssh_corpus() -> None:
    events, issues = parse(AuthLogParser(), corpora_path("logs", "linux", "OpenSSH_2k.log"))
    (note,) = issues  # the year is guessed, and said so once
    assert note.note and note.line == 1 and "--year" in note.message
    assert len(events) == 2000
    failures = [e for e in events if e["activity"] == "logon" and e["status"] == "failure"]
    accepted = [e for e in events if e["activity"] == "logon" and e["status"] == "success"]
    assert len(failures) > 300
    assert accepted and all(e["src_ip"] for e in accepted)
    assert any(e["actor_user"] == "webmaster" for e in failures)


def test_linux_corpus_reports_odd_lines() -> None:
    events, found = parse(AuthLogParser(), corpora_path("logs", "linux", "Linux_2k.log"))
    issues = [i for i in found if not i.note]
    assert len(events) + len(issues) == 2000
    assert len(issues) < 10 and all(i.line > 0 for i in issues)
    assert any(e["process"] == "syslogd" for e in events)


def test_sudo_su_and_year(tmp_path: Path) -> None:
    path = tmp_path / "auth.log"
    path.write_text(
        "Dec 31 23:59:00 gpu-node-3 sudo:   akumar : TTY=pts/0 ; PWD=/home/akumar ; USER=root ; "
        "COMMAND=/usr/bin/nvidia-smi\n"
        "Jan  1 00:01:00 gpu-node-3 su: (to root) akumar on pts/1\n"
        "2026-10-01T08:00:00.5+02:00 host sshd[1]: "
        "Accepted publickey for bob from 10.0.0.1 port 22 ssh2\n"
    )
    stamp = datetime(2027, 1, 1, 12, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    events, issues = parse(AuthLogParser(), path)
    assert [(i.line, i.note) for i in issues] == [(1, True)]
    sudo, su, ssh = events
    assert sudo["time"].year == 2026 and su["time"].year == 2027
    assert sudo["command"] == "/usr/bin/nvidia-smi" and sudo["actor_user"] == "akumar"
    assert su["resource_uri"] == "root"
    assert ssh["time"].isoformat() == "2026-10-01T06:00:00.500000+00:00"
    assert ssh["actor_user"] == "bob"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_line_parses_or_is_rejected(line: str) -> None:
    parser = AuthLogParser()
    context = parser.context(LogFile(Path("/nonexistent")))
    with contextlib.suppress(RecordError):
        parser.parse_line(line, context)
