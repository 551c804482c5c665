"""``labwarden findings``: list with filters and formats, triage kept across rescans."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.lab import run, small_lab


@pytest.fixture
def scanned(tmp_path: Path) -> tuple[Path, str]:
    lab = small_lab(tmp_path / "lab")
    ws = str(tmp_path / "ws")
    result = run("-w", ws, "scan", str(lab), "--fail-on", "critical")
    assert result.returncode == 1, result.stderr
    return lab, ws


def listed(ws: str, *args: str) -> list[dict[str, Any]]:
    result = run("-w", ws, "findings", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return found


def test_lists_every_finding_with_filters(scanned: tuple[Path, str]) -> None:
    _, ws = scanned
    every = listed(ws)
    checks = {f["check"] for f in every}
    assert {"modelfile", "secrets"} <= checks
    assert all(f["status"] == "open" and f["present"] for f in every)
    severities = [f["severity"] for f in every]
    assert severities[0] == "critical"
    critical = listed(ws, "--severity", "critical")
    assert critical and all(f["severity"] == "critical" for f in critical)
    secrets = listed(ws, "--check", "secrets")
    assert secrets and {f["check"] for f in secrets} == {"secrets"}
    one_rule = listed(ws, "--check", "secrets/aws-access-key-id")
    assert [f["rule"] for f in one_rule] == ["aws-access-key-id"]
    by_asset = listed(ws, "--asset", "train.py")
    assert by_asset and {f["asset"]["name"] for f in by_asset} == {"train.py"}
    code = listed(ws, "--kind", "code")
    assert code and {f["asset"]["kind"] for f in code} == {"code"}
    assert listed(ws, "--new-since", "1h") == every
    assert listed(ws, "--new-since", "scan:1") == []


def test_formats_csv_sarif_table_and_paging(scanned: tuple[Path, str]) -> None:
    _, ws = scanned
    total = len(listed(ws))
    rows = list(csv.DictReader(io.StringIO(run("-w", ws, "findings", "-f", "csv").stdout)))
    assert len(rows) == total and rows[0]["status"] == "open"
    sarif = json.loads(run("-w", ws, "findings", "-f", "sarif").stdout)
    assert len(sarif["runs"][0]["results"]) == total
    page = run("-w", ws, "findings", "--limit", "1")
    assert page.returncode == 0
    assert f"1 of {total} findings" in page.stdout
    assert "use --offset 1" in page.stderr
    assert len(listed(ws, "--limit", "2", "--offset", "1")) == min(2, total - 1)
    failing = run("-w", ws, "findings", "--fail-on", "critical", "-f", "json")
    assert failing.returncode == 1
    json.loads(failing.stdout)


def test_accept_fix_reopen_kept_across_rescans(scanned: tuple[Path, str]) -> None:
    lab, ws = scanned
    key = listed(ws, "--check", "secrets/aws-access-key-id")[0]
    model = listed(ws, "--check", "modelfile")[0]
    accepted = run(
        "-w", ws, "findings", "accept", key["fingerprint"][:10], "--reason", "revoked test key",
        "--by", "alice",
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr
    assert "accepted" in accepted.stdout
    fixed = run("-w", ws, "findings", "fix", str(model["id"]), "--by", "bob")
    assert fixed.returncode == 0, fixed.stderr
    open_now = {f["fingerprint"] for f in listed(ws)}
    assert key["fingerprint"] not in open_now and model["fingerprint"] not in open_now
    (shown,) = listed(ws, "--status", "accepted")
    assert shown["triage"]["reason"] == "revoked test key" and shown["triage"]["by"] == "alice"

    # a rescan that checks everything again: the acceptance stays, the false "fixed" reopens
    rescan = run("-w", ws, "scan", str(lab), "--recheck", "--fail-on", "critical")
    assert rescan.returncode == 1, rescan.stderr
    assert listed(ws, "--status", "accepted")[0]["fingerprint"] == key["fingerprint"]
    reopened = {f["fingerprint"]: f for f in listed(ws)}[model["fingerprint"]]
    assert reopened["triage"]["by"].startswith("scan ")

    # really fixing the file makes the rescan mark it fixed, no longer present
    (lab / "models" / "m" / "model.pkl").write_bytes(b"\x80\x04K\x01.")
    run("-w", ws, "scan", str(lab), "--fail-on", "critical")
    gone = {f["fingerprint"]: f for f in listed(ws, "--status", "fixed")}
    assert gone[model["fingerprint"]]["present"] is False

    back = run("-w", ws, "findings", "reopen", key["fingerprint"], "--reason", "key reused")
    assert back.returncode == 0
    assert key["fingerprint"] in {f["fingerprint"] for f in listed(ws)}
    detail = json.loads(run("-w", ws, "findings", "show", key["fingerprint"], "-f", "json").stdout)
    assert [h["state"] for h in detail["history"]] == ["accepted", "open"]


def test_bad_triage_input_is_a_usage_error(scanned: tuple[Path, str]) -> None:
    _, ws = scanned
    some = listed(ws)[0]
    no_reason = run("-w", ws, "findings", "accept", str(some["id"]), "--reason", " ")
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    unknown = run("-w", ws, "findings", "fix", "ffffffffff")
    assert unknown.returncode == 2 and "no finding 'ffffffffff'" in unknown.stderr
    bad_since = run("-w", ws, "findings", "--new-since", "yesterday-ish")
    assert bad_since.returncode == 2 and "--new-since" in bad_since.stderr
    bad_until = run("-w", ws, "findings", "accept", "1", "--reason", "r", "--until", "soon")
    assert bad_until.returncode == 2 and "--until" in bad_until.stderr
    assert "Traceback" not in no_reason.stderr + unknown.stderr + bad_since.stderr
