"""Real auth logs (../shared/corpora/logs/linux, a lab machine's sshd under attack) read from a
--root tree: guessing and spraying without a success stay low; the same log with a success
from the busiest attacker appended is critical. Rotations, gzip and binary garbage included."""

from __future__ import annotations

import gzip
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from labwarden.core.values import Severity
from labwarden.respond.triage import TriageOptions, TriageResult, run_triage
from tests.conftest import corpora_path
from tests.respond.triage.trees import stock

ATTACKER = "183.62.140.253"


def _tree(tmp_path: Path, log: Path, extra: str = "") -> Path:
    root = tmp_path / "root"
    stock(root)
    target = root / "var/log/auth.log"
    target.write_bytes(log.read_bytes() + extra.encode())
    when = datetime(2026, 12, 31, tzinfo=UTC).timestamp()  # the log's year: December 2026
    os.utime(target, (when, when))
    return root


def _triage(root: Path, tmp_path: Path) -> TriageResult:
    since = datetime(2026, 12, 1, tzinfo=UTC)
    return run_triage(TriageOptions(root=root, output=tmp_path / "t.tar.gz", since=since))


def test_openssh_attack_without_success_is_not_critical(tmp_path: Path) -> None:
    log = corpora_path("logs", "linux", "OpenSSH_2k.log")
    result = _triage(_tree(tmp_path, log), tmp_path)
    guessing = {
        f.evidence["source"]: f for f in result.findings if f.rule.startswith("triage.auth.")
    }
    assert ATTACKER in guessing
    assert all(f.severity <= Severity.MEDIUM for f in result.findings)
    text = log.read_text()
    failed = len(re.findall(rf"Failed \S+ for .*from {re.escape(ATTACKER)} ", text))
    lines = len(
        re.findall(rf"(?:Failed|Invalid user|authentication failure).*{re.escape(ATTACKER)}", text)
    )
    assert failed <= guessing[ATTACKER].evidence["attempts"] <= lines
    spraying = [f for f in result.findings if f.rule == "triage.auth.spraying"]
    assert spraying and all(len(f.evidence["accounts_tried"]) >= 5 for f in spraying)
    accepted = [e for e in result.collected.auth if e.outcome == "success"]
    assert {(e.user, e.ip) for e in accepted} == {("fztu", "119.137.62.142")}


def test_a_success_after_the_attack_is_critical(tmp_path: Path) -> None:
    log = corpora_path("logs", "linux", "OpenSSH_2k.log")
    extra = (
        f"\nDec 10 11:05:02 LabSZ sshd[25600]: Accepted password for root from {ATTACKER} "
        "port 40404 ssh2\n"
    )
    result = _triage(_tree(tmp_path, log, extra), tmp_path)
    critical = [f for f in result.findings if f.severity is Severity.CRITICAL]
    assert [f.rule for f in critical] == ["triage.auth.guessing-then-login"]
    assert critical[0].location.line == 2001 and critical[0].evidence["login_user"] == "root"


def test_old_style_pam_lines_and_rotations(tmp_path: Path) -> None:
    log = corpora_path("logs", "linux", "Linux_2k.log")
    root = _tree(tmp_path, log)
    logs = root / "var/log"
    (logs / "auth.log.1").write_text(
        "Nov 30 23:59:01 gpu-01 sshd[77]: Failed password for root from 192.0.2.1 port 1 ssh2\n"
    )
    with gzip.open(logs / "auth.log.2.gz", "wb") as packed:
        packed.write(corpora_path("logs", "linux", "OpenSSH_2k.log").read_bytes())
    (logs / "auth.log.3.gz").write_bytes(gzip.compress(b"Dec 10 06:55:46 LabSZ sshd[1]: x\n")[:-12])
    (logs / "secure").write_bytes(b"\x00\x01binary\xff\xfe garbage\n" * 50)
    result = _triage(root, tmp_path)
    sources = {f.evidence.get("source") for f in result.findings}
    assert "150.183.249.110" in sources  # pam_unix lines of the 2005 lab log
    assert ATTACKER in sources  # from the gzip rotation
    files = {e.origin.path for e in result.collected.auth}
    assert {"/var/log/auth.log", "/var/log/auth.log.1", "/var/log/auth.log.2.gz"} <= files
    notes = {(n.where, n.kind) for n in result.log.notes}
    assert (
        "/var/log/auth.log.3.gz",
        "unreadable",
    ) in notes  # truncated gzip: read up to the damage
    assert ("/var/log/secure", "corrupt") in notes
