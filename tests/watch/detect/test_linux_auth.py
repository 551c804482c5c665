"""The classic host detections on auth.log and the journal: brute force, spraying, a logon after
a brute force (critical), logons from new sources and sudo to a shell."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from labwarden.engines.duckdb import connect, create_events_view
from labwarden.store.lake import Lake
from labwarden.watch.detect.run import Detection, run_rules
from labwarden.watch.detect.sigma.rules import bundled_rules_dir, load
from labwarden.watch.ingest import ingest
from labwarden.watch.parsers.authlog import SyslogClock
from labwarden.watch.resources import Resolver
from tests.conftest import corpora_path

START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
ATTACKER = "203.0.113.9"
SPRAYER = "198.18.7.20"


def _lines() -> list[tuple[datetime, str, int, str]]:
    """``(time, program, pid, message)`` of ten days on a GPU node."""
    out: list[tuple[datetime, str, int, str]] = []
    for day in range(10):  # akumar logs on from the office every day, mistyping now and then
        when = START + timedelta(days=day)
        if day % 3 == 0:
            out.append(
                (
                    when,
                    "sshd",
                    100 + day,
                    "Failed password for akumar from 10.20.1.5 port 50000 ssh2",
                )
            )
        out.append(
            (
                when + timedelta(minutes=1),
                "sshd",
                100 + day,
                "Accepted publickey for akumar from 10.20.1.5 port 50001 ssh2: ED25519 SHA256:x",
            )
        )
        out.append(
            (
                when + timedelta(minutes=5),
                "sudo",
                300 + day,
                "  akumar : TTY=pts/0 ; PWD=/home/akumar ; USER=root ; COMMAND=/usr/bin/nvidia-smi",
            )
        )
    attack = START + timedelta(days=9, hours=14)
    for i in range(30):  # a password brute force on root, PAM echoing every attempt
        when = attack + timedelta(seconds=20 * i)
        out.append(
            (
                when,
                "sshd",
                2000 + i,
                "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                f"ruser= rhost={ATTACKER}  user=root",
            )
        )
        out.append(
            (
                when,
                "sshd",
                2000 + i,
                f"Failed password for root from {ATTACKER} port {40000 + i} ssh2",
            )
        )
    done = attack + timedelta(minutes=11)
    out.append((done, "sshd", 2100, f"Accepted password for root from {ATTACKER} port 41000 ssh2"))
    out.append(
        (
            done + timedelta(minutes=1),
            "sudo",
            2101,
            "  root : TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/bin/bash",
        )
    )
    spray = START + timedelta(days=9, hours=3)
    for i, user in enumerate(
        [
            "admin",
            "oracle",
            "test",
            "ubuntu",
            "git",
            "postgres",
            "deploy",
            "ftp",
            "guest",
            "pi",
            "user",
        ]
    ):
        when = spray + timedelta(minutes=2 * i)
        out.append((when, "sshd", 3000 + i, f"Invalid user {user} from {SPRAYER} port 5{i:04d}"))
        out.append(
            (
                when,
                "sshd",
                3000 + i,
                f"Failed password for invalid user {user} from {SPRAYER} port 5{i:04d} ssh2",
            )
        )
    # akumar from a hotel on the last day: a new source
    out.append(
        (
            START + timedelta(days=9, hours=20),
            "sshd",
            4000,
            "Accepted publickey for akumar from 192.0.2.44 port 50002 ssh2",
        )
    )
    return sorted(out)


def _auth_log(path: Path) -> Path:
    text = "".join(f"{t:%b %d %H:%M:%S} gpu-node-3 {p}[{pid}]: {m}\n" for t, p, pid, m in _lines())
    path.write_text(text)
    return path


def _journal(path: Path) -> Path:
    records = [
        {
            "__CURSOR": f"s=1;i={i}",
            "__REALTIME_TIMESTAMP": str(int(t.timestamp() * 1_000_000)),
            "_HOSTNAME": "gpu-node-3",
            "SYSLOG_IDENTIFIER": "sshd-session" if p == "sshd" else p,
            "_PID": str(pid),
            "MESSAGE": m,
        }
        for i, (t, p, pid, m) in enumerate(_lines())
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _detections(tmp_path: Path, log: Path) -> list[Detection]:
    lake = Lake(tmp_path / "lake")
    result = ingest([log], lake, Resolver.empty(), clock=SyslogClock(2026))
    assert result.issues == [] and result.notes == []
    con = connect()
    create_events_view(con, lake.root)
    run = run_rules(con, load([bundled_rules_dir()]).rules)
    assert run.problems == []
    return [d for d in run.detections if d.rule.path.endswith("lw_linux_auth.yml")]


@pytest.mark.parametrize("form", ["auth.log", "journal"])
def test_classic_host_detections(tmp_path: Path, form: str) -> None:
    log = _auth_log(tmp_path / "auth.log") if form == "auth.log" else _journal(tmp_path / "j.json")
    found: dict[str, set[str]] = {}
    for d in _detections(tmp_path, log):
        key = d.group.get("src_ip") or d.group.get("actor_user")
        found.setdefault(d.rule.title, set()).add(str(key))
    assert found == {
        "SSH Brute Force": {ATTACKER},
        "SSH Password Spraying": {SPRAYER},
        "SSH Logon After Brute Force": {"root"},
        "Logon from a New Source": {"akumar"},
        "Sudo to a Root Shell": {"root"},
    }


def test_logon_after_brute_force_is_critical_and_counts_attempts(tmp_path: Path) -> None:
    (after,) = [
        d
        for d in _detections(tmp_path, _auth_log(tmp_path / "auth.log"))
        if d.rule.title == "SSH Logon After Brute Force"
    ]
    assert after.rule.level == "critical"
    assert after.evidence[0]["src_ip"] == ATTACKER


def test_loghub_openssh_brute_forcers(tmp_path: Path) -> None:
    """Real attack traffic: the addresses with 20+ attempts in an hour, and no logon after."""
    found = _detections_loghub(tmp_path)
    brute = {d.group["src_ip"] for d in found if d.rule.title == "SSH Brute Force"}
    assert {"183.62.140.253", "187.141.143.180", "103.99.0.122"} <= brute
    assert not any(d.rule.title == "SSH Logon After Brute Force" for d in found)


def _detections_loghub(tmp_path: Path) -> list[Detection]:
    lake = Lake(tmp_path / "lake")
    ingest([corpora_path("logs", "linux", "OpenSSH_2k.log")], lake, Resolver.empty())
    con = connect()
    create_events_view(con, lake.root)
    return run_rules(con, load([bundled_rules_dir()]).rules).detections


def test_year_and_zone_of_classic_stamps(tmp_path: Path) -> None:
    from labwarden.watch.parsers.authlog import AuthLogParser
    from labwarden.watch.parsers.base import Issue, LogFile

    path = tmp_path / "auth.log"
    path.write_text(
        "Feb 29 23:30:00 h sshd[1]: Accepted password for a from 10.0.0.1 port 1 ssh2\n"
    )
    from zoneinfo import ZoneInfo

    issues: list[Issue] = []
    clock = SyslogClock(2024, ZoneInfo("Europe/Copenhagen"))
    (event,) = AuthLogParser(clock).parse(LogFile(path), issues.append)
    assert event["time"] == datetime(2024, 2, 29, 22, 30, tzinfo=UTC)
    assert issues == []
    guessed: list[Issue] = []
    path.write_text(
        "junk\nMar  1 00:00:01 h sshd[1]: Accepted password for a from 10.0.0.1 port 1 ssh2\n"
    )
    list(AuthLogParser().parse(LogFile(path), guessed.append))
    (note,) = [i for i in guessed if i.note]
    # The note names the file once and the first line whose year was guessed.
    assert str(note).startswith(f"{path}:2: syslog times carry no year")
    assert str(path) not in note.message


def _attempts(path: Path, count: int, lines: str) -> Path:
    """``count`` password guesses from ATTACKER 90 s apart, each logged as ``lines`` says
    (``pam``, ``sshd``, ``both`` in the order sshd writes them, ``both-reversed``)."""
    pam = (
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        f"rhost={ATTACKER}  user=root"
    )
    out = []
    for i in range(count):
        when = START + timedelta(seconds=90 * i)
        sshd = f"Failed password for root from {ATTACKER} port {40000 + i} ssh2"
        messages = {
            "pam": [pam],
            "sshd": [sshd],
            "both": [pam, sshd],
            "both-reversed": [sshd, pam],
        }[lines]
        out += [f"{when:%b %d %H:%M:%S} gpu-node-3 sshd[{500 + i}]: {m}\n" for m in messages]
    path.write_text("".join(out))
    return path


@pytest.mark.parametrize("lines", ["pam", "sshd", "both", "both-reversed"])
def test_an_attempt_counts_once_whichever_lines_log_it(tmp_path: Path, lines: str) -> None:
    """20 guesses are a brute force and 19 are not, whether a host logs them through PAM
    alone, sshd alone, or both (which must not count 19 guesses as 38)."""
    for count, expected in ((20, {ATTACKER}), (19, set())):
        folder = tmp_path / f"{lines}-{count}"
        folder.mkdir()
        found = _detections(folder, _attempts(folder / "auth.log", count, lines))
        brute = {str(d.group["src_ip"]) for d in found if d.rule.title == "SSH Brute Force"}
        assert brute == expected, (lines, count)


def test_loghub_linux_brute_force_logged_by_pam_alone(tmp_path: Path) -> None:
    """The loghub Linux host logs sshd's failures only through pam_unix (2005): the address
    behind 80 of its 489 failures is a brute force."""
    lake = Lake(tmp_path / "lake")
    ingest(
        [corpora_path("logs", "linux", "Linux_2k.log")],
        lake,
        Resolver.empty(),
        clock=SyslogClock(2005),
    )
    con = connect()
    create_events_view(con, lake.root)
    found = run_rules(con, load([bundled_rules_dir()]).rules).detections
    brute = {d.group["src_ip"] for d in found if d.rule.title == "SSH Brute Force"}
    assert "150.183.249.110" in brute
    # Counted once each: no address with fewer than 20 PAM failures in an hour is flagged.
    assert brute <= {
        "150.183.249.110",
        "207.243.167.114",
        "n219076184117.netvigator.com",
        "60.30.224.116",
    }
