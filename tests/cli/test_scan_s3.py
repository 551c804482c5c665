"""`labwarden scan s3://...` and `iam audit` over the scanned buckets, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.identity.builders import ADMIN_ARN, allow, arn, details, policy, user
from tests.s3server import CREDENTIALS, client


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **CREDENTIALS}
    return subprocess.run(
        [sys.executable, "-m", "labwarden", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_scan_a_bucket_then_audit_who_can_reach_it(s3_endpoint: str, tmp_path: Path) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(
        Bucket=name, Key="datasets/trial/patients.csv", Body=b"subject_id,age,sex\n1,40,F\n"
    )
    s3.put_object(Bucket=name, Key="models/bert/config.json", Body=b'{"model_type": "bert"}')
    ws = str(tmp_path / "ws")
    scan = run("-w", ws, "scan", f"s3://{name}", "--endpoint-url", s3_endpoint, "-f", "json")
    assert scan.returncode == 1, scan.stderr  # a high finding: the one-row trial table
    document = json.loads(scan.stdout)
    assert document["stats"]["files_new"] == 2
    (privacy,) = [f for f in document["findings"] if f["check"] == "privacy"]
    assert privacy["rule"] == "reidentification-risk" and privacy["severity"] == "high"
    rules = {f["rule"] for f in document["findings"] if f["check"] == "posture"}
    assert {"no-versioning", "no-access-logging"} <= rules

    auth = tmp_path / "auth.json"
    auth.write_text(
        json.dumps(
            details(
                [
                    user("admin", attached=[ADMIN_ARN]),
                    user(
                        "analyst", policy(allow("s3:GetObject", f"arn:aws:s3:::{name}/datasets/*"))
                    ),
                ]
            )
        )
    )
    audit = run("-w", ws, "iam", "audit", str(auth), "-f", "json")
    assert audit.returncode == 0, audit.stderr
    (access,) = [f for f in json.loads(audit.stdout) if f["rule"] == "bucket-access"]
    assert access["location"]["member"] == f"s3://{name}"
    assert access["evidence"]["principals"]["read"] == ["user/admin", "user/analyst"]


def test_bad_s3_arguments_exit_2(s3_endpoint: str, tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    missing = run("-w", ws, "scan", "s3://no-such-bucket-x", "--endpoint-url", s3_endpoint)
    assert missing.returncode == 2
    assert "NoSuchBucket" in missing.stderr and "Traceback" not in missing.stderr
    mixed = run("-w", ws, "scan", "s3://a", str(tmp_path))
    assert mixed.returncode == 2 and "one s3:// URL at a time" in mixed.stderr


def test_audit_uses_the_bucket_policy_the_scan_read(s3_endpoint: str, tmp_path: Path) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="datasets/trial/dm.csv", Body=b"USUBJID,AGE,SEX\nS1,40,F\n")
    deny_analyst = {  # (moto enforces bucket policies: the scan's reads stay allowed)
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": {"AWS": arn("user", "analyst")},
                "Action": "s3:Delete*",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(deny_analyst))
    ws = str(tmp_path / "ws")
    scan = run("-w", ws, "scan", f"s3://{name}", "--endpoint-url", s3_endpoint, "--no-checks")
    assert scan.returncode == 0, scan.stderr
    auth = tmp_path / "auth.json"
    auth.write_text(
        json.dumps(
            details(
                [
                    user("admin", attached=[ADMIN_ARN]),
                    user("analyst", policy(allow("s3:*", f"arn:aws:s3:::{name}/*"))),
                ]
            )
        )
    )
    audit = run("-w", ws, "iam", "audit", str(auth), "-f", "json")
    assert audit.returncode == 0, audit.stderr
    assert f"bucket policies as scanned: {name}" in audit.stderr
    (access,) = [f for f in json.loads(audit.stdout) if f["rule"] == "bucket-access"]
    principals = access["evidence"]["principals"]
    assert principals["read"] == ["user/admin", "user/analyst"]
    assert principals["delete"] == ["user/admin"]  # the bucket policy denies the analyst
    # A file given on the command line wins over what the scan read.
    allow_all = tmp_path / "open.json"
    allow_all.write_text(json.dumps({"Version": "2012-10-17", "Statement": []}))
    given = run(
        "-w", ws, "iam", "audit", str(auth), "-f", "json", "--bucket-policy", f"{name}={allow_all}"
    )
    (again,) = [f for f in json.loads(given.stdout) if f["rule"] == "bucket-access"]
    assert again["evidence"]["principals"]["delete"] == ["user/admin", "user/analyst"]


def test_audit_counts_the_acl_grants_the_scan_read(s3_endpoint: str, tmp_path: Path) -> None:
    s3 = client(s3_endpoint)
    name = f"lab-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    everyone = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'
    s3.put_bucket_acl(Bucket=name, GrantRead=everyone, GrantWrite=everyone)
    s3.put_object(Bucket=name, Key="datasets/trial/dm.csv", Body=b"USUBJID,AGE,SEX\nS1,40,F\n")
    ws = str(tmp_path / "ws")
    scan = run("-w", ws, "scan", f"s3://{name}", "--endpoint-url", s3_endpoint, "--no-checks")
    assert scan.returncode == 0, scan.stderr
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps(details([user("admin", attached=[ADMIN_ARN]), user("intern")])))
    audit = run("-w", ws, "iam", "audit", str(auth), "-f", "json")
    assert audit.returncode == 0, audit.stderr
    assert f"bucket ACLs granting everyone: {name}" in audit.stderr
    (access,) = [f for f in json.loads(audit.stdout) if f["rule"] == "bucket-access"]
    principals = access["evidence"]["principals"]
    # The ACL lists the bucket and writes to it for anyone; reading objects needs their ACLs.
    assert principals["list"] == ["* (anyone)", "user/admin", "user/intern"]
    assert principals["write"] == ["* (anyone)", "user/admin", "user/intern"]
    assert principals["read"] == ["user/admin"]
