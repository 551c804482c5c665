"""``labwarden keys|seal|verify`` as a user runs them: real processes, real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.seal import keys
from labwarden.seal.sign import SealOptions, build_manifest, sign_manifest
from tests.seal.conftest import PASSPHRASE, flip_tensor_byte, write_model


def run(
    ws: Path, *args: str, passphrase: str | None = PASSPHRASE
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LABWARDEN_KEY_PASSPHRASE"}
    if passphrase is not None:
        env["LABWARDEN_KEY_PASSPHRASE"] = passphrase
    return subprocess.run(
        [sys.executable, "-m", "labwarden", "-w", str(ws), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )


def test_keys_seal_verify_backup_and_tamper(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    model = write_model(tmp_path / "lab" / "esm-test")
    generated = run(ws, "keys", "generate")
    assert generated.returncode == 0, generated.stderr
    sealed = run(ws, "seal", str(model), "--format", "json")
    assert sealed.returncode == 0, sealed.stderr
    version = json.loads(sealed.stdout)
    assert version["version"] == 1 and version["files"] == 6
    ref = version["ref"]

    ok = run(ws, "verify", str(model))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("VERIFIED")

    backup = tmp_path / "backup"
    shutil.copytree(model, backup)
    assert run(ws, "verify", str(backup), "--asset", ref).returncode == 0

    flip_tensor_byte(model / "model-00002-of-00002.safetensors", "layer.2.key")
    drift = run(ws, "verify", str(model), "--format", "json")
    assert drift.returncode == 1
    report = json.loads(drift.stdout)
    assert report["verified"] is False
    assert report["changes"][0]["tensors"]["changed"] == ["layer.2.key"]

    every = run(ws, "verify", "--all", "--format", "json")
    assert every.returncode == 1
    assert json.loads(every.stdout)[0]["outcome"] == "drift"


def test_errors_exit_2_with_the_file_named(tmp_path: Path) -> None:
    ws, other = Workspace(tmp_path / "ws"), Workspace(tmp_path / "other-ws")
    model = write_model(tmp_path / "m")
    keys.generate(ws, "default", keys.KeyType.ECDSA_P256, PASSPHRASE)
    keys.generate(other, "default", keys.KeyType.ECDSA_P256, PASSPHRASE)
    key, info = keys.load_private(ws, "default", lambda: PASSPHRASE)
    seal_file = tmp_path / "m.sigstore.json"
    seal_file.write_bytes(sign_manifest(build_manifest(model, SealOptions()), key, info))

    truncated = tmp_path / "cut.json"
    truncated.write_bytes(seal_file.read_bytes()[:300])
    bad = run(ws.root, "verify", str(model), "--seal", str(truncated))
    assert bad.returncode == 2
    assert "cut.json: not valid JSON" in bad.stderr

    untrusted = run(other.root, "verify", str(model), "--seal", str(seal_file))
    assert untrusted.returncode == 2
    assert "not trusted" in untrusted.stderr
    trusting = run(
        other.root, "verify", str(model), "--seal", str(seal_file),
        "--key", str(info.public_path),
    )  # fmt: skip
    assert trusting.returncode == 0, trusting.stderr
    assert "VERIFIED" in trusting.stdout

    no_secret = run(ws.root, "seal", str(model), passphrase=None)
    assert no_secret.returncode == 2
    assert "LABWARDEN_KEY_PASSPHRASE" in no_secret.stderr


def test_plaintext_key_only_with_the_flag(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    refused = run(ws, "keys", "generate", "k1", passphrase=None)
    assert refused.returncode == 2
    assert "--insecure-plaintext" in refused.stderr
    made = run(ws, "keys", "generate", "k2", "--type", "ed25519", "--insecure-plaintext",
               passphrase=None)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "UNENCRYPTED" in made.stderr
    listed = json.loads(run(ws, "keys", "list", "--format", "json").stdout)
    assert [(k["name"], k["type"], k["encrypted"]) for k in listed] == [("k2", "ed25519", False)]
