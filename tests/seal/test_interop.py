"""Interoperability with OpenSSF model-signing, both ways, through its real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from labwarden.core.workspace import Workspace
from labwarden.seal import keys
from labwarden.seal.sign import SealOptions, build_manifest, sign_manifest
from labwarden.seal.verify import open_seal, verify_folder
from tests.seal.conftest import PASSPHRASE, flip_tensor_byte

model_signing = pytest.importorskip("model_signing", reason="dev dependency model-signing")


def model_signing_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "model_signing", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _plaintext_key(workspace: Workspace) -> Path:
    """model-signing 1.x cannot open encrypted keys from its CLI (its --password is broken)."""
    keys.generate(workspace, "plain", keys.KeyType.ECDSA_P256, None, insecure_plaintext=True)
    return keys.keys_dir(workspace) / "plain.key"


def _our_seal(workspace: Workspace, folder: Path, out: Path, **options: object) -> Path:
    key, info = keys.load_private(workspace, "default", lambda: PASSPHRASE)
    manifest = build_manifest(folder, SealOptions(**options))  # type: ignore[arg-type]
    out.write_bytes(sign_manifest(manifest, key, info))
    return out


def test_model_signing_cli_accepts_our_seal_and_catches_tampering(
    signing_workspace: Workspace, model_dir: Path, tmp_path: Path
) -> None:
    seal = _our_seal(signing_workspace, model_dir, tmp_path / "model.sig")
    public = keys.keys_dir(signing_workspace) / "default.pub"
    ok = model_signing_cli(
        "verify", "key", str(model_dir), "--signature", str(seal), "--public_key", str(public)
    )
    assert ok.returncode == 0, ok.stderr
    assert "Verification succeeded" in ok.stdout
    flip_tensor_byte(model_dir / "model-00001-of-00002.safetensors", "layer.1.query")
    bad = model_signing_cli(
        "verify", "key", str(model_dir), "--signature", str(seal), "--public_key", str(public)
    )
    assert bad.returncode == 1
    assert "model-00001-of-00002.safetensors" in bad.stderr


def test_model_signing_library_accepts_our_shard_seal(
    signing_workspace: Workspace, model_dir: Path, tmp_path: Path
) -> None:
    seal = _our_seal(signing_workspace, model_dir, tmp_path / "shards.sig", shard_size=256)
    public = keys.keys_dir(signing_workspace) / "default.pub"
    # Without a hashing config, model-signing reads the serialization from the seal.
    model_signing.verifying.Config().use_elliptic_key_verifier(public_key=public).verify(
        model_dir, seal
    )


def test_we_accept_a_model_signing_signature_and_name_the_changed_file(
    signing_workspace: Workspace, model_dir: Path, tmp_path: Path
) -> None:
    signature = tmp_path / "theirs.sig"
    private = _plaintext_key(signing_workspace)
    signed = model_signing_cli(
        "sign", "key", str(model_dir), "--signature", str(signature), "--private_key", str(private)
    )
    assert signed.returncode == 0, signed.stderr
    trusted = keys.trusted_keys(signing_workspace, [])
    opened = open_seal(signature.read_bytes(), str(signature), trusted)
    assert opened.manifest.info is None  # not ours: no labwarden extension
    assert opened.key.name == "plain"
    assert verify_folder(model_dir, opened).verified
    (model_dir / "config.json").write_text('{"model_type": "swapped"}\n')
    result = verify_folder(model_dir, opened)
    assert [(c.kind, c.path) for c in result.changes] == [("modified", "config.json")]


def test_a_model_signing_seal_inside_the_folder_is_not_drift(
    signing_workspace: Workspace, model_dir: Path
) -> None:
    signature = model_dir / "model.sig"
    private = _plaintext_key(signing_workspace)
    signed = model_signing_cli(
        "sign", "key", str(model_dir), "--signature", str(signature), "--private_key", str(private)
    )
    assert signed.returncode == 0, signed.stderr
    opened = open_seal(
        signature.read_bytes(), "model.sig", keys.trusted_keys(signing_workspace, [])
    )
    assert verify_folder(model_dir, opened, seal_file=signature).verified
