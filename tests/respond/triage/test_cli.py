"""``labwarden triage`` as a user runs it: a real process, JSON on stdout, exit codes, and
``labwarden verify`` on the sealed archive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.test_app import run
from tests.respond.triage.trees import compromised, stock


def test_json_report_and_exit_codes(tmp_path: Path) -> None:
    compromised(tmp_path / "bad")
    done = run("triage", "--root", str(tmp_path / "bad"), "-o", str(tmp_path / "a.tar.gz"),
               "--case", "IR-9", "--examiner", "kim", "--format", "json")  # fmt: skip
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["case"] == "IR-9" and report["examiner"] == "kim" and report["mode"] == "root"
    assert report["archive"] == str(tmp_path / "a.tar.gz") and len(report["archive_sha256"]) == 64
    severities = {f["severity"] for f in report["findings"]}
    assert "critical" in severities
    assert "findings:" in done.stderr and "evidence:" in done.stderr
    stock(tmp_path / "ok")
    clean = run("triage", "--root", str(tmp_path / "ok"), "-o", str(tmp_path / "b.tar.gz"))
    assert clean.returncode == 0, clean.stderr
    assert "0 triage findings" in clean.stdout
    never = run("triage", "--root", str(tmp_path / "bad"), "-o", str(tmp_path / "c.tar.gz"),
                "--fail-on", "never")  # fmt: skip
    assert never.returncode == 0


def test_usage_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    for args in (
        ["--since", "someday"],
        ["--root", str(tmp_path / "missing")],
        ["--root", str(tmp_path), "-o", str(tmp_path / "x.zip")],
        ["--fail-on", "urgent"],
    ):
        done = run("triage", *args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_sealed_archive_verifies_with_labwarden_verify(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    keys = subprocess.run(
        [sys.executable, "-m", "labwarden", "-w", str(ws), "keys", "generate",
         "--insecure-plaintext"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert keys.returncode == 0, keys.stderr
    compromised(tmp_path / "bad")
    archive = tmp_path / "case.tar.gz"
    done = run("-w", str(ws), "triage", "--root", str(tmp_path / "bad"), "-o", str(archive),
               "--fail-on", "never")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sealed with key default" in done.stderr
    verify = run("-w", str(ws), "verify", str(archive), "--seal", f"{archive}.sigstore.json")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.startswith("VERIFIED")
    archive.write_bytes(archive.read_bytes() + b"\0")
    tampered = run("-w", str(ws), "verify", str(archive), "--seal", f"{archive}.sigstore.json")
    assert tampered.returncode == 1 and tampered.stdout.startswith("MISMATCH")
    events = run("-w", str(ws), "events", "--source", "triage", "--format", "json", "-n", "1000")
    assert events.returncode == 0, events.stderr
    rows = json.loads(events.stdout)
    assert any(r.get("command") == "history -c" for r in rows)
    assert any(r.get("src_ip") == "203.0.113.50" and r.get("status") == "success" for r in rows)
