"""A realistic breach, built from real files: a small lab scanned into a catalog, and CloudTrail
logs of a stolen access key listing the buckets and bulk-reading the model and a trial table,
among a legitimate user's reads, ingested into the lake."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labwarden.checks.registry import all_checks
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog
from labwarden.watch.service import ingest_paths

STOLEN_KEY = "AKIASTOLENKEY0000001"
ATTACKER_IP = "203.0.113.50"
ATTACKER_UA = "aws-cli/2.15.30 md/distrib#kali.2024"
SUBJECTS = 37
"""Distinct subjects in the trial table (rows repeat some: visits)."""
ROWS = 52
MODEL_SHARDS = 3


def _safetensors(size: int) -> bytes:
    header = json.dumps(
        {"w": {"dtype": "F32", "shape": [size // 4], "data_offsets": [0, size]}}
    ).encode()
    return struct.pack("<Q", len(header)) + header + b"\0" * size


def _trial(path: Path) -> None:
    lines = ["STUDYID,USUBJID,SUBJID,SITEID,AGE,SEX,RACE,COUNTRY,BRTHDTC,ARM"]
    for row in range(ROWS):
        subject = row % SUBJECTS
        lines.append(
            f"CTX-9,CTX-9-{subject:04d},{subject:04d},{10 + subject % 5},"
            f"{30 + subject % 40},{'FM'[subject % 2]},WHITE,DNK,"
            f"{1950 + subject % 40}-0{1 + subject % 9}-1{subject % 9},"
            f"{'AB'[subject % 2]}"
        )
    path.write_text("\n".join(lines) + "\n")
    events = ["STUDYID,USUBJID,AESEQ,AETERM,AESEV"]
    events += [f"CTX-9,CTX-9-{s:04d},1,HEADACHE,MILD" for s in range(0, SUBJECTS, 3)]
    (path.parent / "ae.csv").write_text("\n".join(events) + "\n")


def build_lab(root: Path) -> dict[str, Path]:
    """The lab's files: a sharded model, a trial table, training code with a leaked key."""
    model = root / "models" / "protein-lm"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"model_type": "esm", "hidden_size": 64}')
    for shard in range(MODEL_SHARDS):
        name = f"model-{shard + 1:05d}-of-{MODEL_SHARDS:05d}.safetensors"
        (model / name).write_bytes(_safetensors(4096))
    other = root / "models" / "vision-lm"  # never read: reachable, but not taken
    other.mkdir(parents=True)
    (other / "config.json").write_text('{"model_type": "vit"}')
    (other / "model.safetensors").write_bytes(_safetensors(1024))
    trial = root / "data" / "trials" / "CTX-9"
    trial.mkdir(parents=True)
    _trial(trial / "dm.csv")
    code = root / "code" / "train"
    code.mkdir(parents=True)
    (code / "train.py").write_text("import os\nprint(os.environ['AWS_REGION'])\n")
    (code / "settings.py").write_text(
        'AWS_ACCESS_KEY_ID = "AKIAQYLPMN5HHHFPZAM2"\n'
        'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY1"\n'
    )
    return {"model": model, "trial": trial, "code": code}


def _record(
    n: int,
    when: str,
    operation: str,
    bucket: str | None,
    key: str | None,
    *,
    user: str = "svc-train",
    access_key: str = STOLEN_KEY,
    ip: str = ATTACKER_IP,
    agent: str = ATTACKER_UA,
    size: int = 0,
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if bucket:
        params["bucketName"] = bucket
    if key:
        params["key"] = key
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "arn": f"arn:aws:iam::123456789012:user/{user}",
            "accountId": "123456789012",
            "accessKeyId": access_key,
            "userName": user,
        },
        "eventTime": when,
        "eventSource": "s3.amazonaws.com",
        "eventName": operation,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": params,
        "additionalEventData": {"bytesTransferredOut": size, "bytesTransferredIn": 0},
        "eventID": f"ev-{n:04d}",
        "recipientAccountId": "1",
    }


def records() -> list[dict[str, Any]]:
    """The day's CloudTrail: alice reads one shard at 08:00 from the office; from 02:10 the
    stolen key lists the buckets, then reads every model shard and the trial table."""
    found = [
        _record(
            1,
            "2026-03-03T08:00:00Z",
            "GetObject",
            "lab-models",
            "protein-lm/model-00001-of-00003.safetensors",
            user="alice",
            access_key="AKIAALICE00000000001",
            ip="10.20.1.5",
            agent="Boto3/1.34",
            size=4200,
        ),
        _record(2, "2026-03-03T02:10:00Z", "ListBuckets", None, None),
        _record(3, "2026-03-03T02:10:05Z", "ListObjectsV2", "lab-models", None),
        _record(4, "2026-03-03T02:10:09Z", "ListObjectsV2", "lab-trials", None),
    ]
    for shard in range(MODEL_SHARDS):
        found.append(
            _record(
                10 + shard,
                f"2026-03-03T02:11:{shard * 2:02d}.{shard * 250:03d}Z",
                "GetObject",
                "lab-models",
                f"protein-lm/model-{shard + 1:05d}-of-{MODEL_SHARDS:05d}.safetensors",
                size=4200,
            )
        )
    found.append(
        _record(20, "2026-03-03T02:12:30Z", "GetObject", "lab-trials", "CTX-9/dm.csv", size=3100)
    )
    found.append(
        _record(22, "2026-03-03T02:13:00Z", "GetObject", "lab-code", "train/settings.py", size=120)
    )
    found.append(
        _record(
            23,
            "2026-03-03T02:12:40Z",
            "GetObject",
            "lab-backup",
            "nightly/data/trials/CTX-9/ae.csv",
            size=700,
        )
    )
    found.append(
        _record(21, "2026-03-03T02:12:31Z", "GetObject", "lab-trials", "CTX-9/missing.csv", size=0)
    )
    return found


ATTACKER_EVENTS = 3 + MODEL_SHARDS + 4
"""Everything the stolen key did (list, two listings, the shards, three trial reads (one from
a backup bucket no resources.toml entry maps), code)."""
BYTES_READ = MODEL_SHARDS * 4200 + 3100 + 700 + 120
AE_ROWS = len(range(0, SUBJECTS, 3))


@dataclass(frozen=True, slots=True)
class Scenario:
    """The built breach."""

    workspace: Workspace
    lab: Path
    paths: dict[str, Path]


def build(tmp: Path) -> Scenario:
    """Build the lab, scan it, map the buckets onto its assets, ingest the logs."""
    lab = tmp / "lab"
    paths = build_lab(lab)
    workspace = Workspace(tmp / "ws" / ".labwarden").ensure()
    (workspace.root / "resources.toml").write_text(
        f'[[resource]]\nmatch = "s3://lab-models/protein-lm/"\nasset = "{paths["model"]}"\n\n'
        '[[resource]]\nmatch = "s3://lab-trials/CTX-9/dm.csv"\n'
        f'asset = "{paths["trial"] / "dm.csv"}"\n\n'
        f'[[resource]]\nmatch = "s3://lab-code/train/"\nasset = "{paths["code"]}"\n'
    )
    logs = tmp / "logs"
    logs.mkdir()
    (logs / "trail.json").write_text(json.dumps({"Records": records()}))
    with Catalog.open(workspace) as catalog:
        policy = workspace_policy(workspace.policy_path)
        run_scan(
            catalog, LocalSource([str(lab)], exclude=policy.exclude), policy, checks=all_checks()
        )
        ingest_paths(workspace, catalog, [logs])
    return Scenario(workspace, lab, paths)
