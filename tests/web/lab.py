"""A small real lab for the web tests: scanned files, ingested CloudTrail, detected alerts,
users of every role, and ``labwarden serve`` running on a free loopback port."""

from __future__ import annotations

import json
import os
import random
import socket
import ssl
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from typer.testing import CliRunner

from labwarden.cli.app import app
from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog
from labwarden.web.accounts import Actor, add_user

ROLES = ("viewer", "analyst", "admin")
PASSWORD = "correct horse battery staple"


@dataclass(slots=True)
class Lab:
    """A served workspace and the credentials of one user per role."""

    workspace: Workspace
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    def client(self, role: str | None = None) -> httpx.Client:
        """An HTTP client, authenticated with ``role``'s API token (anonymous for ``None``)."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def stop(self) -> None:
        """Stop the server."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    """A TCP port nobody listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _cloudtrail(path: Path) -> None:
    start = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)

    def record(minute: int, name: str, source: str, params: dict[str, str]) -> dict[str, object]:
        return {
            "eventVersion": "1.08",
            "eventTime": (start + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": source,
            "eventName": name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": "203.0.113.7",
            "userAgent": "aws-cli/2.15",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": "AIDAEXAMPLE",
                "arn": "arn:aws:iam::111122223333:user/mallory",
                "accountId": "111122223333",
                "accessKeyId": "AKIAZZZZEXAMPLE12345",
                "userName": "mallory",
            },
            "requestParameters": params,
            "eventID": f"e{minute:04d}",
            "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333",
        }

    records = [
        record(0, "StopLogging", "cloudtrail.amazonaws.com", {"name": "main-trail"}),
        record(1, "DeleteTrail", "cloudtrail.amazonaws.com", {"name": "main-trail"}),
    ]
    records += [
        record(i, "GetObject", "s3.amazonaws.com", {"bucketName": "trial", "key": f"dm{i}.xpt"})
        for i in range(2, 40)
    ]
    path.write_text(json.dumps({"Records": records}))


def _files(root: Path) -> None:
    root.mkdir(parents=True)
    rng = random.Random(19)
    rows = ["USUBJID,AGE,SEX,ZIP"] + [
        f"S{i:03d},{rng.randint(18, 90)},{rng.choice('MF')},{rng.randint(10000, 99999)}"
        for i in range(40)
    ]
    (root / "trial_dm.csv").write_text("\n".join(rows) + "\n")
    token = "hf_" + "".join(rng.choice(string.ascii_letters) for _ in range(34))
    (root / "train.py").write_text(f'HF_TOKEN = "{token}"\nprint("training")\n')


def _synthetic_alerts(catalog: Catalog, count: int) -> None:
    """Analytics-style alerts stored through the alert store, as detections store them."""
    base = datetime(2026, 11, 21, tzinfo=UTC)
    records = []
    for i in range(count):
        at = (base + timedelta(hours=i)).isoformat()
        records.append(
            AlertRecord(
                fingerprint=f"web-test-{i}",
                rule_id=f"analytics.volume.{i}",
                rule_title=f"Unusual read volume {i}",
                rule_path="",
                kind="analytics",
                severity=Severity.MEDIUM,
                tags=["attack.exfiltration"],
                group={"principal": f"user{i}"},
                principal=f"user{i}",
                first_seen=at,
                last_seen=at,
                event_count=1,
                asset_id=None,
                assets=[],
                sensitivity=None,
                risk=40 + i,
                evidence=[{"event_uid": f"u{i}", "time": at, "actor_user": f"user{i}"}],
            )
        )
    catalog.alerts.upsert(records)


def build(root: Path, extra_alerts: int = 6) -> Lab:
    """Scan, ingest and detect through the CLI; add users; return the (not yet served) lab."""
    workspace = Workspace(root / ".labwarden")
    files, logs = root / "lab", root / "logs"
    _files(files)
    logs.mkdir()
    _cloudtrail(logs / "trail.json")
    runner = CliRunner()
    ws = ["--workspace", str(workspace.root)]
    for args in (
        ["scan", str(files)],
        ["ingest", str(logs)],
        ["detect"],
        ["incident", "open", "Trail stopped", "--alert", "1"],
    ):
        result = runner.invoke(app, [*ws, *args])
        assert result.exit_code in (0, 1), result.output
    lab = Lab(workspace, url="")
    with Catalog.open(workspace) as catalog:
        _synthetic_alerts(catalog, extra_alerts)
        for role in ROLES:
            _, lab.tokens[role] = add_user(
                catalog, role, role, PASSWORD, Actor("test", None, "cli")
            )
    return lab


def serve(lab: Lab, log: Path, *extra: str, ca: Path | None = None) -> Lab:
    """Start ``labwarden serve`` on a free loopback port and wait until it answers (over
    HTTPS, trusting ``ca``, when given)."""
    port = free_port()
    lab.url = f"{'https' if ca else 'http'}://127.0.0.1:{port}"
    lab.log = log
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        lab.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "labwarden",
                "--workspace",
                str(lab.workspace.root),
                "serve",
                "--port",
                str(port),
                *extra,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"labwarden serve exited: {log.read_text()}")
        try:
            answer = httpx.get(
                f"{lab.url}/healthz",
                timeout=2,
                verify=ssl.create_default_context(cafile=ca) if ca else True,
            )
            if answer.status_code == 200:
                return lab
        except httpx.HTTPError:
            time.sleep(0.2)
    lab.stop()
    raise RuntimeError(f"labwarden serve did not answer in 60 s: {log.read_text()}")
