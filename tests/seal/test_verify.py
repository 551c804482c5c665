"""Seal a real folder and verify it: every kind of drift, bad seals, keys and links."""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest

from labwarden.core.workspace import Workspace
from labwarden.seal import keys
from labwarden.seal.errors import HashingError, SealFormatError, SignatureError
from labwarden.seal.sign import SealOptions, build_manifest, sign_manifest
from labwarden.seal.verify import Verification, open_seal, verify_folder
from tests.seal.conftest import PASSPHRASE, flip_tensor_byte


def _seal(workspace: Workspace, folder: Path, **options: object) -> bytes:
    key, info = keys.load_private(workspace, "default", lambda: PASSPHRASE)
    manifest = build_manifest(folder, SealOptions(**options))  # type: ignore[arg-type]
    return sign_manifest(manifest, key, info)


def _verify(workspace: Workspace, folder: Path, data: bytes) -> Verification:
    opened = open_seal(data, "seal.json", keys.trusted_keys(workspace, []))
    return verify_folder(folder, opened)


@pytest.mark.parametrize("options", [{}, {"algorithm": "blake3"}, {"shard_size": 200}])
def test_untouched_folder_verifies(
    signing_workspace: Workspace, model_dir: Path, options: dict[str, object]
) -> None:
    data = _seal(signing_workspace, model_dir, **options)
    result = _verify(signing_workspace, model_dir, data)
    assert result.verified
    assert result.files_checked == 6


@pytest.mark.parametrize("options", [{}, {"shard_size": 200}])
def test_every_kind_of_drift_is_named(
    signing_workspace: Workspace, model_dir: Path, options: dict[str, object]
) -> None:
    data = _seal(signing_workspace, model_dir, **options)
    flip_tensor_byte(model_dir / "model-00002-of-00002.safetensors", "layer.2.value")
    (model_dir / "README.md").rename(model_dir / "MODEL_CARD.md")
    (model_dir / "tokenizer" / "vocab.txt").unlink()
    (model_dir / "payload.py").write_text("import os\n")
    (model_dir / "config.json").write_text('{"model_type": "evil"}\n')
    result = _verify(signing_workspace, model_dir, data)
    assert not result.verified
    changes = {(c.kind, c.path, c.old_path) for c in result.changes}
    assert changes == {
        ("modified", "model-00002-of-00002.safetensors", None),
        ("modified", "config.json", None),
        ("renamed", "MODEL_CARD.md", "README.md"),
        ("removed", "tokenizer/vocab.txt", None),
        ("added", "payload.py", None),
    }
    tensors = next(c.tensors for c in result.changes if c.path.endswith("safetensors"))
    assert tensors is not None
    assert tensors.changed == ["layer.2.value"]
    assert not tensors.header_changed


def test_backup_copy_elsewhere_verifies(
    signing_workspace: Workspace, model_dir: Path, tmp_path: Path
) -> None:
    data = _seal(signing_workspace, model_dir)
    backup = tmp_path / "backups" / "2026-11-01"
    shutil.copytree(model_dir, backup)
    assert _verify(signing_workspace, backup, data).verified
    (backup / "model-00001-of-00002.safetensors").write_bytes(b"\x00")
    result = _verify(signing_workspace, backup, data)
    change = result.changes[0]
    assert change.kind == "modified"
    assert "size" in change.detail
    assert change.tensors is not None
    assert change.tensors.note.startswith("header no longer valid")


def test_edited_manifest_fails_the_signature(signing_workspace: Workspace, model_dir: Path) -> None:
    document = json.loads(_seal(signing_workspace, model_dir))

    payload = json.loads(base64.b64decode(document["dsseEnvelope"]["payload"]))
    payload["predicate"]["resources"].pop()  # hide a file from the seal
    payload["subject"][0]["digest"]["sha256"] = "0" * 64
    document["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
    with pytest.raises(SignatureError, match="does not verify"):
        _verify(signing_workspace, model_dir, json.dumps(document).encode())


def test_truncated_seal_is_a_format_error(signing_workspace: Workspace, model_dir: Path) -> None:
    data = _seal(signing_workspace, model_dir)
    with pytest.raises(SealFormatError, match=r"seal\.json: not valid JSON"):
        _verify(signing_workspace, model_dir, data[:-40])


def test_a_key_that_is_not_trusted_is_refused(
    signing_workspace: Workspace, model_dir: Path, tmp_path: Path
) -> None:
    data = _seal(signing_workspace, model_dir)
    other = Workspace(tmp_path / "other-ws")
    keys.generate(other, "default", keys.KeyType.ECDSA_P256, PASSPHRASE)
    opened_elsewhere = keys.trusted_keys(other, [])
    with pytest.raises(SignatureError, match="not trusted"):
        open_seal(data, "seal.json", opened_elsewhere)
    with pytest.raises(SignatureError, match="no trusted public keys"):
        open_seal(data, "seal.json", [])


def test_a_swapped_hint_still_needs_a_valid_signature(
    signing_workspace: Workspace, model_dir: Path, tmp_path: Path
) -> None:
    other = Workspace(tmp_path / "attacker")
    keys.generate(other, "default", keys.KeyType.ECDSA_P256, PASSPHRASE)
    forged = _seal(other, model_dir)
    document = json.loads(forged)
    trusted = keys.trusted_keys(signing_workspace, [])
    document["verificationMaterial"]["publicKey"]["hint"] = trusted[0].fingerprint
    with pytest.raises(SignatureError, match="does not verify"):
        open_seal(json.dumps(document).encode(), "forged.json", trusted)


def test_ed25519_seals_verify(signing_workspace: Workspace, model_dir: Path) -> None:
    keys.generate(signing_workspace, "ed", keys.KeyType.ED25519, PASSPHRASE)
    key, info = keys.load_private(signing_workspace, "ed", lambda: PASSPHRASE)
    data = sign_manifest(build_manifest(model_dir, SealOptions()), key, info)
    result = _verify(signing_workspace, model_dir, data)
    assert result.verified
    assert result.seal.key.name == "ed"


def test_links_leaving_the_folder_cannot_be_sealed(model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.bin").write_bytes(b"x")
    (model_dir / "weights.bin").symlink_to(tmp_path / "outside.bin")
    with pytest.raises(HashingError, match=r"weights\.bin: symbolic link leaving the folder"):
        build_manifest(model_dir, SealOptions())
    manifest = build_manifest(model_dir, SealOptions(exclude=("weights.bin",)))
    assert [(e.path, e.reason) for e in manifest.excluded if e.path == "weights.bin"] == [
        ("weights.bin", "excluded by the user (--exclude)")
    ]


def test_inside_links_are_listed_and_a_file_swapped_for_a_link_is_caught(
    signing_workspace: Workspace, model_dir: Path, tmp_path: Path
) -> None:
    (model_dir / "latest.json").symlink_to("config.json")
    data = _seal(signing_workspace, model_dir)
    opened = open_seal(data, "s", keys.trusted_keys(signing_workspace, []))
    assert any(e.kind == "symlink" and e.path == "latest.json" for e in opened.manifest.excluded)
    assert verify_folder(model_dir, opened).verified
    (tmp_path / "evil.json").write_text("{}")
    (model_dir / "config.json").unlink()
    os.symlink(tmp_path / "evil.json", model_dir / "config.json")
    result = verify_folder(model_dir, opened)
    assert [(c.kind, c.path) for c in result.changes] == [("modified", "config.json")]
    assert "leaving the folder" in result.changes[0].detail


def test_git_metadata_is_excluded_and_listed(model_dir: Path) -> None:
    (model_dir / ".git").mkdir()
    (model_dir / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    manifest = build_manifest(model_dir, SealOptions())
    assert ".git" in manifest.ignore_paths
    assert [e.path for e in manifest.excluded] == [".git"]
    assert ".git/HEAD" not in {f.name for f in manifest.files}


def test_single_file_seal(signing_workspace: Workspace, model_dir: Path) -> None:
    target = model_dir / "model-00001-of-00002.safetensors"
    data = _seal(signing_workspace, target)
    assert _verify(signing_workspace, target, data).verified
    with pytest.raises(SealFormatError, match="is for one file"):
        _verify(signing_workspace, model_dir, data)
