"""Permission findings on real files with real modes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labwarden.checks.permissions import PermissionsCheck
from labwarden.checks.standalone import inspect_paths


def run(path: Path, check: PermissionsCheck | None = None) -> list[tuple[str, str]]:
    result = inspect_paths([str(path)], [check or PermissionsCheck()])
    assert result.errors == []
    return sorted((f.rule, Path(f.location.path).name) for f in result.findings)


def write(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def test_keys_and_credentials(tmp_path: Path) -> None:
    write(
        tmp_path / "home/.ssh/id_rsa",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        0o640,
    )
    write(
        tmp_path / "home/.ssh/id_ed25519",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
        0o600,
    )
    write(tmp_path / "app/.env", "TOKEN=x\n", 0o644)
    write(tmp_path / "app/.pgpass", "h:5432:db:u:pw\n", 0o640)
    assert run(tmp_path) == [
        ("credential-group-readable", ".pgpass"),
        ("credential-world-readable", ".env"),
        ("private-key-loose-mode", "id_rsa"),
    ]


def test_world_writable_model_folder_and_weights(tmp_path: Path) -> None:
    model = tmp_path / "models" / "tox"
    write(model / "config.json", "{}", 0o644)
    (model / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    (model / "model.safetensors").chmod(0o666)
    model.chmod(0o777)
    try:
        got = run(tmp_path)
    finally:
        model.chmod(0o755)
    assert ("world-writable-model-folder", "tox") in got
    assert ("world-writable-file", "model.safetensors") in got
    sticky = tmp_path / "models"
    model.chmod(0o755)
    sticky.chmod(0o1777)
    try:
        assert ("world-writable-model-folder", "models") not in run(tmp_path)
    finally:
        sticky.chmod(0o755)


def test_restricted_data_readable_by_world(tmp_path: Path) -> None:
    write(tmp_path / "trial/sdtm/dm.csv", "USUBJID,AGE,SEX,BRTHDTC\nS-1,54,F,1961-04\n", 0o644)
    write(tmp_path / "trial/sdtm/ae.csv", "USUBJID,AETERM\nS-1,NAUSEA\n", 0o640)
    write(tmp_path / "public/readme.md", "hello\n", 0o644)
    assert run(tmp_path) == [
        ("restricted-group-readable", "ae.csv"),
        ("restricted-world-readable", "dm.csv"),
    ]


def test_expected_owners(tmp_path: Path) -> None:
    write(tmp_path / "code/a.py", "x = 1\n", 0o644)
    write(tmp_path / "code/b.py", "y = 2\n", 0o644)
    me = Path(tmp_path / "code/a.py").owner()
    assert run(tmp_path, PermissionsCheck([me])) == []
    got = run(tmp_path, PermissionsCheck(["svc-ml"]))
    assert got == [("unexpected-owner", "a.py")]


def test_orphaned_uid(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to a uid without an account")
    write(tmp_path / "data/x.csv", "a\n1\n", 0o600)
    os.chown(tmp_path / "data/x.csv", 54321, 54321)
    assert run(tmp_path) == [("orphaned-owner", "x.csv")]
