"""Reads of decoys in the lake: auditd (relative names resolved with the CWD record, the user
from the SYSCALL record), a model registry's HTTP access log, S3 server access logs; and
labwarden's own scan does not flag the decoys it planted."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, TriageStatus
from labwarden.trace.canaries.kinds import CanaryKind
from labwarden.trace.canaries.plant import PlantRequest, plant
from labwarden.trace.canaries.sweep import sweep
from labwarden.watch.service import ingest_paths


def _audit(serial: int, second: int, cwd: str, name: str, user: str, comm: str) -> str:
    stamp = f"audit(17592876{second:02d}.120:{serial})"
    return (
        f"type=SYSCALL msg={stamp}: arch=c000003e syscall=257 success=yes exit=3 items=1 "
        f'ppid=1 pid={serial} auid=1001 uid=1001 gid=1001 euid=1001 tty=pts0 ses=3 comm="{comm}" '
        f'exe="/usr/bin/{comm}" key="lab-read"\x1dAUID="{user}" UID="{user}"\n'
        f'type=CWD msg={stamp}: cwd="{cwd}"\n'
        f'type=PATH msg={stamp}: item=0 name="{name}" inode=42 dev=08:01 mode=0100644 ouid=0 '
        "ogid=0 rdev=00:00 nametype=NORMAL\n"
    )


def _plant_lab(lab: Path, workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        for request in (
            PlantRequest(
                CanaryKind.MODEL,
                name="decoy-lm",
                into=lab / "models" / "decoy-lm",
                matches=["/api/models/decoy-lm"],
            ),
            PlantRequest(CanaryKind.DATASET, name="subjects", into=lab / "data" / "subjects.csv"),
            PlantRequest(CanaryKind.CREDENTIALS, name="prod-env", into=lab / "deploy" / "prod.env"),
            PlantRequest(
                CanaryKind.OBJECT, name="keys", matches=["s3://lab-data/restricted/k.csv"]
            ),
        ):
            plant(catalog, request)


def test_reads_in_auditd_http_and_s3_logs(tmp_path: Path, workspace: Workspace) -> None:
    lab = tmp_path / "lab"
    _plant_lab(lab, workspace)
    (lab / "data" / "real.csv").write_text("id\n1\n")
    audit = tmp_path / "logs" / "audit.log"
    audit.parent.mkdir()
    audit.write_text(
        _audit(101, 1, str(lab), "models/decoy-lm/model.safetensors", "mallory", "python3")
        + _audit(102, 2, "/tmp", str(lab / "data" / "subjects.csv"), "mallory", "cat")
        + _audit(103, 3, str(lab / "data"), "./real.csv", "alice", "cat")
        + _audit(104, 4, "/home/alice/other", "models/decoy-lm/README.md", "alice", "cat")
        + _audit(105, 5, str(lab / "deploy"), "../deploy/prod.env", "eve", "vim")
    )
    http = tmp_path / "logs" / "registry-access.log"
    http.write_text(
        '198.51.100.7 - svc-ci [01/Oct/2026:03:10:00 +0000] "GET '
        '/api/models/decoy-lm/resolve/main/model.safetensors HTTP/1.1" 200 8192 "-" '
        '"huggingface_hub/0.24"\n'
        '198.51.100.7 - svc-ci [01/Oct/2026:03:11:00 +0000] "GET /api/models/real-lm HTTP/1.1" '
        '200 10 "-" "curl/8"\n'
    )
    s3 = tmp_path / "logs" / "s3-access.log"
    s3.write_text(
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be lab-data "
        "[01/Oct/2026:03:12:00 +0000] 203.0.113.9 arn:aws:iam::1:user/mallory 3E57427F3EXAMPLE "
        'REST.GET.OBJECT restricted/k.csv "GET /lab-data/restricted/k.csv HTTP/1.1" 200 - '
        '2662992 3462992 70 10 "-" "aws-cli/2.15" - Example= SigV4 '
        "ECDHE-RSA-AES128-GCM-SHA256 AuthHeader lab-data.s3.amazonaws.com TLSv1.2 - -\n"
    )
    with Catalog.open(workspace) as catalog:
        ingest_paths(workspace, catalog, [audit, http, s3], threads=1)
        result = sweep(workspace, catalog)
    touched = {(a.group["canary"], a.principal) for a in result.alerts}
    assert touched == {
        ("decoy-lm", "mallory"),
        ("subjects", "mallory"),
        ("prod-env", "eve"),
        ("decoy-lm", "svc-ci"),
        ("keys", "mallory"),
    }, touched
    model = next(a for a in result.alerts if a.principal == "mallory" and "decoy" in a.rule_title)
    (event,) = model.evidence
    assert event["resource_uri"] == str(lab / "models" / "decoy-lm" / "model.safetensors")
    assert event["process"] == "/usr/bin/python3"


def test_scan_does_not_flag_the_decoys(tmp_path: Path, workspace: Workspace) -> None:
    lab = tmp_path / "lab"
    _plant_lab(lab, workspace)
    real = lab / "deploy" / "real.env"
    real.write_text("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzEXAMPLEKEY1\n")
    done = CliRunner().invoke(app, ["--workspace", str(workspace.root), "scan", str(lab)])
    assert done.exit_code in (0, 1), done.output
    with Catalog.open(workspace) as catalog:
        still = catalog.findings.query(FindingQuery()).items
        accepted = catalog.findings.query(FindingQuery(statuses=(TriageStatus.ACCEPTED,))).items
    assert still and {f.finding.location.path for f in still} == {str(real)}
    assert {Path(f.finding.location.path).name for f in accepted} >= {"prod.env", "subjects.csv"}
    assert all("planted canary" in (f.reason or "") for f in accepted)
    again = CliRunner().invoke(app, ["--workspace", str(workspace.root), "scan", str(lab)])
    assert again.exit_code in (0, 1), again.output
