"""Readers fed directly: the journal's JSON (which rsyslog's auth.log repeats), and
journal lines that are not JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from labwarden.respond.triage.acquisition import new_log
from labwarden.respond.triage.collect import dedupe_auth
from labwarden.respond.triage.context import Context
from labwarden.respond.triage.evidence import Evidence
from labwarden.respond.triage.host import Host
from labwarden.respond.triage.options import TriageOptions
from labwarden.respond.triage.readers.logins import read_authlog, read_journal

NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)


def _context(tmp_path: Path) -> Context:
    evidence = Evidence(tmp_path / "evidence")
    evidence.folder.mkdir()
    since = NOW - timedelta(days=7)
    log = new_log(case=None, examiner=None, live=True, root="/", since=since)
    return Context(Host(tmp_path), evidence, log, TriageOptions(), NOW, since)


def _record(when: datetime, ident: str, pid: int, message: str | list[int]) -> str:
    return json.dumps(
        {
            "__REALTIME_TIMESTAMP": str(int(when.timestamp() * 1_000_000)),
            "_HOSTNAME": "gpu-01",
            "SYSLOG_IDENTIFIER": ident,
            "_PID": str(pid),
            "MESSAGE": message,
        }
    )


def test_journal_auth_lines_and_their_auth_log_twins(tmp_path: Path) -> None:
    ctx = _context(tmp_path)
    when = NOW - timedelta(hours=1)
    lines = [
        _record(when, "sshd-session", 4100, "Failed password for root from 192.0.2.9 port 1 ssh2"),
        _record(when, "sshd", 4101, list(b"Accepted publickey for alice from 192.0.2.10 port 2")),
        _record(when, "sudo", 4102, "alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id"),
        _record(when, "kernel", 0, "eth0: link up"),
        "not json at all",
        "[1, 2]",
    ]
    journal = ctx.evidence.add(
        "commands/journal.stdout", "\n".join(lines).encode(), "journal", "/usr/bin/journalctl"
    )
    read_journal(ctx, journal, None)
    stamp = when.strftime("%b %d %H:%M:%S")
    twin = f"{stamp} gpu-01 sshd[4100]: Failed password for root from 192.0.2.9 port 1 ssh2\n"
    authlog = ctx.evidence.add(
        "files/var/log/auth.log", twin.encode(), "auth-logs", "/var/log/auth.log"
    )
    read_authlog(ctx, authlog, None)
    dedupe_auth(ctx)
    auth = ctx.collected.auth
    assert [(e.outcome, e.user, e.ip, e.program) for e in auth] == [
        ("failure", "root", "192.0.2.9", "sshd"),
        ("success", "alice", "192.0.2.10", "sshd"),
    ]
    assert auth[0].origin.path == "/var/log/auth.log"  # the file's copy is kept
    assert auth[1].origin.line == 2
    assert any(e.get("command") == "/bin/id" for e in ctx.collected.auth_events)
    assert len(ctx.collected.auth_events) == 3
    assert [n.reason for n in ctx.log.notes] == ["2 lines are not JSON"]
