"""AWS key canaries created through boto3 against moto's standalone server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.trace.canaries.kinds import CanaryKind
from labwarden.trace.canaries.plant import PlantRequest, plant, retire

boto3 = pytest.importorskip("boto3")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for name, value in {
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            monkeypatch.setenv(name, value)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_create_write_and_delete(tmp_path: Path, workspace: Workspace, moto: str) -> None:
    creds = tmp_path / "home" / ".aws" / "credentials"
    creds.parent.mkdir(parents=True)
    with Catalog.open(workspace) as catalog:
        canary = plant(catalog, PlantRequest(CanaryKind.AWS_KEY, name="deploy-key", into=creds))
    text = creds.read_text()
    assert f"aws_access_key_id = {canary.token}" in text
    assert canary.detail["user"] == "labwarden-canary-deploy-key"
    iam = boto3.client("iam", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    user = canary.detail["user"]
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    assert iam.list_user_policies(UserName=user)["PolicyNames"] == []
    keys = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [canary.token]
    with Catalog.open(workspace) as catalog:
        retire(catalog, "deploy-key", delete_key=True)
    assert user not in [u["UserName"] for u in iam.list_users()["Users"]]


def test_env_file(tmp_path: Path, workspace: Workspace, moto: str) -> None:
    with Catalog.open(workspace) as catalog:
        canary = plant(catalog, PlantRequest(CanaryKind.AWS_KEY, into=tmp_path / "ci.env"))
    assert f"AWS_ACCESS_KEY_ID={canary.token}" in (tmp_path / "ci.env").read_text()
