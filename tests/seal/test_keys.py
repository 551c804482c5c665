"""Key generation, encrypted storage, loading and signing with real keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.core.workspace import Workspace
from labwarden.seal import keys
from labwarden.seal.errors import SealKeyError
from tests.seal.conftest import PASSPHRASE


def test_generated_private_key_is_encrypted_and_loads_with_the_passphrase(
    signing_workspace: Workspace,
) -> None:
    folder = keys.keys_dir(signing_workspace)
    pem = (folder / "default.key").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in pem
    assert (folder / "default.key").stat().st_mode & 0o077 == 0
    key, info = keys.load_private(signing_workspace, "default", lambda: PASSPHRASE)
    assert info.fingerprint == keys.fingerprint(key.public_key())
    assert info.type == "ecdsa-p256"
    signature = keys.sign(key, b"message")
    public = keys.load_public(info.public_path)
    assert keys.verify_signature(public, signature, b"message")
    assert not keys.verify_signature(public, signature, b"other message")


def test_wrong_passphrase_is_a_clear_error(signing_workspace: Workspace) -> None:
    with pytest.raises(SealKeyError, match="wrong passphrase"):
        keys.load_private(signing_workspace, "default", lambda: "not-the-passphrase")


def test_plaintext_needs_the_explicit_flag(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws")
    with pytest.raises(SealKeyError, match="insecure-plaintext"):
        keys.generate(workspace, "k", keys.KeyType.ED25519, None)
    info = keys.generate(workspace, "k", keys.KeyType.ED25519, None, insecure_plaintext=True)
    assert info.encrypted is False
    assert b"ENCRYPTED" not in (keys.keys_dir(workspace) / "k.key").read_bytes()


def test_short_passphrase_existing_key_and_bad_names_are_refused(
    signing_workspace: Workspace,
) -> None:
    with pytest.raises(SealKeyError, match="at least"):
        keys.generate(signing_workspace, "short", keys.KeyType.ED25519, "abc")
    with pytest.raises(SealKeyError, match="exists"):
        keys.generate(signing_workspace, "default", keys.KeyType.ED25519, PASSPHRASE)
    with pytest.raises(SealKeyError, match="key name"):
        keys.generate(signing_workspace, "../evil", keys.KeyType.ED25519, PASSPHRASE)


def test_ed25519_keys_sign_and_list(signing_workspace: Workspace) -> None:
    keys.generate(signing_workspace, "edkey", keys.KeyType.ED25519, PASSPHRASE)
    listed = {k.name: k for k in keys.list_keys(signing_workspace)}
    assert set(listed) == {"default", "edkey"}
    assert listed["edkey"].type == "ed25519"
    assert listed["edkey"].encrypted is True
    key, info = keys.load_private(signing_workspace, "edkey", lambda: PASSPHRASE)
    trusted = keys.trusted_keys(signing_workspace, [])
    assert {t.fingerprint for t in trusted} == {k.fingerprint for k in listed.values()}
    assert keys.verify_signature(keys.load_public(info.public_path), keys.sign(key, b"x"), b"x")


def test_missing_key_and_garbage_public_key(signing_workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(SealKeyError, match="no private key 'nope'"):
        keys.load_private(signing_workspace, "nope", lambda: PASSPHRASE)
    garbage = tmp_path / "garbage.pub"
    garbage.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(SealKeyError, match=r"garbage\.pub: not a PEM public key"):
        keys.load_public(garbage)
