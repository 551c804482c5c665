"""Triage archives in the timeline: shell histories, logins, file times and findings, once each
even when triage fed the lake too; tampered and hostile archives."""

from __future__ import annotations

import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.respond.incident import IncidentRequest, open_incident
from labwarden.respond.incident.timeline import build_timeline
from labwarden.respond.incident.triage_feed import parse_bodyfile_line, read_archive
from labwarden.respond.incident.unpack import unpack
from labwarden.respond.triage import TriageOptions, run_triage
from labwarden.store.catalog import Catalog
from tests.respond.incident.hosts import COMMANDS, HOSTNAME, INTRUDER_IP, build_host


def _triage(tmp: Path, workspace: Workspace | None) -> tuple[Path, datetime]:
    root = tmp / "host"
    login = build_host(root, datetime.now(UTC))
    archive = tmp / "host.tar.gz"
    run_triage(TriageOptions(root=root, output=archive), workspace=workspace,
               lake=workspace is not None)  # fmt: skip
    return archive, login


def test_archive_records_become_timeline_lines(tmp_path: Path, workspace: Workspace) -> None:
    archive, login = _triage(tmp_path, None)
    with Catalog.open(workspace) as catalog:
        incident = open_incident(catalog, "host", IncidentRequest(triage=[archive]), "t")
        timeline = build_timeline(catalog, workspace, incident)
    records = [line.to_dict() for line in timeline.lines()]
    history = [r for r in records if r["kind"] == "history"]
    assert [r["command"] for r in history] == list(COMMANDS)
    assert all(r["source"] == "triage" and r["host"] == HOSTNAME for r in history)
    assert history[0]["timestamp_desc"] == "Shell Command"
    logins = [r for r in records if r["timestamp_desc"] == "Login"]
    assert [(r["principal"], r["src_ip"]) for r in logins] == [("root", INTRUDER_IP)]
    assert logins[0]["datetime"] == login.isoformat(timespec="microseconds")
    assert any(r["kind"] == "auth" and r["src_ip"] == INTRUDER_IP for r in records)
    findings = {r["message"].split(":")[0] for r in records if r["kind"] == "finding"}
    assert "[high] triage.exfil.history" in findings or "[critical] triage.exfil.history" in (
        findings
    )
    assert any(r["kind"] == "file" and r["resource"] == "/root/.bash_history" for r in records)
    assert timeline.feeds[0].intact and timeline.feeds[0].sealed is False


def test_records_triage_put_in_the_lake_appear_once(tmp_path: Path, workspace: Workspace) -> None:
    archive, _ = _triage(tmp_path, workspace)
    with Catalog.open(workspace) as catalog:
        request = IncidentRequest(hosts=[HOSTNAME], triage=[archive])
        incident = open_incident(catalog, "host", request, "t")
        timeline = build_timeline(catalog, workspace, incident)
    records = [line.to_dict() for line in timeline.lines()]
    history = [r for r in records if r["kind"] == "history"]
    assert [r["command"] for r in history] == list(COMMANDS)
    assert {r["source"] for r in history} == {"lake"}
    uids = [r["event_uid"] for r in records if r.get("event_uid")]
    assert len(uids) == len(set(uids))
    assert any(r["kind"] == "finding" for r in records)  # only the archive has those


def _rewrite(source: Path, target: Path, change: str) -> None:
    """Copy an archive, replacing the member whose name ends with ``change``."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if data is not None and member.name.endswith(change):
                data = data.replace(b"id\n", b"ls\n")
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)


def test_tampered_archive_is_reported(tmp_path: Path) -> None:
    archive, _ = _triage(tmp_path, None)
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(archive, tampered, "root/.bash_history")
    feed = read_archive(tampered)
    assert not feed.intact
    assert any("bash_history: its SHA-256 is not the manifest's" in p for p in feed.problems)


def test_not_an_archive(tmp_path: Path) -> None:
    plain = tmp_path / "x.tar.gz"
    with tarfile.open(plain, "w:gz") as tar:
        info = tarfile.TarInfo("x/readme.txt")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(InputError, match="not a labwarden triage archive"):
        unpack(plain, tmp_path / "out")


def test_unsafe_members_are_not_written_outside(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        for name in ("x/evidence/../../escape.txt", "/abs/evidence/a", "x/evidence/ok/../../e"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"bad"))
        link = tarfile.TarInfo("x/evidence/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        tar.addfile(link)
    out = tmp_path / "out"
    with pytest.raises(InputError):
        unpack(bad, out)
    assert not (tmp_path / "escape.txt").exists()
    written = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert written == []


@given(st.text(max_size=200))
def test_bodyfile_lines_never_crash(text: str) -> None:
    parsed = parse_bodyfile_line(text, 1)
    if parsed is not None:
        fields = text.split("|")
        assert parsed.path == "|".join(fields[1:-9])
        assert parsed.size == int(fields[-5])


def test_bodyfile_name_with_pipes() -> None:
    line = "0|/tmp/a|b|12|-rw-r--r--|0|0|5|1700000000|1700000001|1700000002|0"
    parsed = parse_bodyfile_line(line, 3)
    assert parsed is not None
    assert parsed.path == "/tmp/a|b"
    assert parsed.mtime == datetime.fromtimestamp(1700000001, UTC)
    assert parsed.crtime is None


@given(st.binary(max_size=512))
def test_random_bytes_are_an_input_error(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "a.tar.gz"
        path.write_bytes(data)
        with pytest.raises(InputError):
            unpack(path, Path(scratch) / "out")
