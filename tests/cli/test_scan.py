"""``labwarden scan`` groups what belongs together, through the real command on real files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.lab import run

_RECORD = (
    '{{"Records": [{{"eventVersion": "1.08", "eventTime": "2026-10-0{day}T10:00:00Z", '
    '"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "us-east-1", '
    '"sourceIPAddress": "198.51.100.7", "userIdentity": {{"type": "IAMUser", "userName": "alice", '
    '"arn": "arn:aws:iam::123456789012:user/alice"}}, '
    '"requestParameters": {{"bucketName": "lab", "key": "m/{day}.bin"}}}}]}}\n'
)


def test_a_licence_in_a_folder_of_cloudtrail_files_keeps_it_one_log_asset(tmp_path: Path) -> None:
    trail = tmp_path / "trail"
    trail.mkdir()
    for day in range(1, 7):
        name = f"123456789012_CloudTrail_us-east-1_2026100{day}T1000Z_k{day}.json"
        (trail / name).write_text(_RECORD.format(day=day))
    (trail / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n")
    (trail / "README.md").write_text("# Sample trail\n\nCloudTrail files of one account.\n")
    ws = str(tmp_path / "ws")
    scanned = run("-w", ws, "scan", str(trail), "--fail-on", "never")
    assert scanned.returncode == 0, scanned.stderr
    assets = json.loads(run("-w", ws, "assets", "--format", "json").stdout)
    assert [(a["kind"], a["uri"], a["file_count"]) for a in assets] == [("log", str(trail), 8)]
