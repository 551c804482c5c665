"""Signing keys: generation, encrypted PEM storage in the workspace and loading.

Keys live in ``<workspace>/keys/``: ``NAME.key`` (PKCS#8 PEM, encrypted with the passphrase unless
the user insisted on plain text) and ``NAME.pub`` (SubjectPublicKeyInfo PEM). Every public key in
that folder is trusted for verification. A key's fingerprint is the SHA-256 of its public PEM,
which is what model-signing puts in ``verificationMaterial.publicKey.hint``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from labwarden.core.workspace import Workspace
from labwarden.seal.errors import SealKeyError, SignatureError
from labwarden.store.atomic import atomic_write

log = logging.getLogger(__name__)

PASSPHRASE_ENV = "LABWARDEN_KEY_PASSPHRASE"  # noqa: S105 (a variable name, not a secret)
MIN_PASSPHRASE = 8

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
PassphraseSource = Callable[[], str]

_CURVE_HASH: dict[str, type[hashes.HashAlgorithm]] = {
    "secp256r1": hashes.SHA256,
    "secp384r1": hashes.SHA384,
    "secp521r1": hashes.SHA512,
}


class KeyType(str, Enum):
    """The key types ``labwarden keys generate`` makes."""

    ECDSA_P256 = "ecdsa-p256"
    ED25519 = "ed25519"

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """One key of the workspace as ``keys list`` shows it."""

    name: str
    type: str
    fingerprint: str
    encrypted: bool | None
    """``None`` when only the public half is present (a trusted verification key)."""
    public_path: Path
    private_path: Path | None
    created: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "name": self.name,
            "type": self.type,
            "fingerprint": self.fingerprint,
            "encrypted": self.encrypted,
            "public_key": str(self.public_path),
            "private_key": str(self.private_path) if self.private_path else None,
            "created": self.created,
        }


def keys_dir(workspace: Workspace) -> Path:
    """The folder of the workspace's keys."""
    return workspace.root / "keys"


def public_pem(key: PublicKey) -> bytes:
    """The canonical SubjectPublicKeyInfo PEM of ``key``."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: PublicKey) -> str:
    """SHA-256 hex of the public PEM: model-signing's key hint."""
    return hashlib.sha256(public_pem(key)).hexdigest()


def key_type_name(key: PublicKey) -> str:
    """A short name for the key's algorithm (``ecdsa-p256``, ``ed25519``...)."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519"
    return {"secp256r1": "ecdsa-p256", "secp384r1": "ecdsa-p384", "secp521r1": "ecdsa-p521"}.get(
        key.curve.name, f"ecdsa-{key.curve.name}"
    )


def check_name(name: str) -> None:
    """Refuse a key name that is not a plain file name (letters, digits, '-', '_', '.')."""
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise SealKeyError(
            f"{name!r}: a key name may hold only letters, digits, '-', '_' and '.', "
            "and may not start with '.'"
        )


def env_passphrase() -> str | None:
    """The passphrase from ``$LABWARDEN_KEY_PASSPHRASE``, if set."""
    return os.environ.get(PASSPHRASE_ENV) or None


def generate(
    workspace: Workspace,
    name: str,
    key_type: KeyType,
    passphrase: str | None,
    *,
    insecure_plaintext: bool = False,
    force: bool = False,
) -> KeyInfo:
    """Create a key pair in the workspace; the private key is encrypted with ``passphrase``.

    Without a passphrase the key is only written when ``insecure_plaintext`` is set.
    """
    check_name(name)
    if passphrase is None and not insecure_plaintext:
        raise SealKeyError(
            f"no passphrase for key {name!r}: set {PASSPHRASE_ENV}, type one at the prompt, "
            "or pass --insecure-plaintext to store the private key unencrypted"
        )
    if passphrase is not None and len(passphrase) < MIN_PASSPHRASE:
        raise SealKeyError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
    folder = keys_dir(workspace.ensure())
    folder.mkdir(mode=0o700, exist_ok=True)
    private_path, public_path = folder / f"{name}.key", folder / f"{name}.pub"
    if not force and (private_path.exists() or public_path.exists()):
        raise SealKeyError(f"{private_path}: key {name!r} exists; pass --force to replace it")
    private: PrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if key_type is KeyType.ECDSA_P256
        else ed25519.Ed25519PrivateKey.generate()
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode("utf-8"))
        if passphrase is not None
        else serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    atomic_write(private_path, pem, mode=0o600)
    atomic_write(public_path, public_pem(private.public_key()), mode=0o644)
    if passphrase is None:
        log.warning("%s: private key stored UNENCRYPTED (--insecure-plaintext)", private_path)
    return _info(name, public_path)


def load_public(path: Path) -> PublicKey:
    """Read a PEM public key (ECDSA P-256/384/521 or Ed25519)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise SealKeyError(f"{path}: cannot read the public key: {exc.strerror}") from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SealKeyError(f"{path}: not a PEM public key: {exc}") from exc
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVE_HASH:
        return key
    raise SealKeyError(
        f"{path}: unsupported key type {type(key).__name__}; use ECDSA P-256/384/521 or Ed25519"
    )


def _info(name: str, public_path: Path) -> KeyInfo:
    key = load_public(public_path)
    private_path = public_path.with_suffix(".key")
    encrypted: bool | None = None
    if private_path.is_file():
        encrypted = b"ENCRYPTED" in private_path.read_bytes()[:64]
    created = datetime.fromtimestamp(public_path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    return KeyInfo(
        name=name,
        type=key_type_name(key),
        fingerprint=fingerprint(key),
        encrypted=encrypted,
        public_path=public_path,
        private_path=private_path if private_path.is_file() else None,
        created=created,
    )


def list_keys(workspace: Workspace) -> list[KeyInfo]:
    """The workspace's keys (every ``NAME.pub`` in ``keys/``), by name."""
    folder = keys_dir(workspace)
    if not folder.is_dir():
        return []
    return [_info(p.stem, p) for p in sorted(folder.glob("*.pub"))]


def load_private(
    workspace: Workspace, name: str, passphrase: PassphraseSource | None
) -> tuple[PrivateKey, KeyInfo]:
    """Load the private key ``name``; ``passphrase`` is asked only if the key is encrypted."""
    check_name(name)
    folder = keys_dir(workspace)
    private_path = folder / f"{name}.key"
    if not private_path.is_file():
        known = ", ".join(k.name for k in list_keys(workspace) if k.private_path) or "none"
        raise SealKeyError(
            f"{private_path}: no private key {name!r} (keys with a private half: {known}); "
            "create one with `labwarden keys generate`"
        )
    data = private_path.read_bytes()
    secret: bytes | None = None
    if b"ENCRYPTED" in data[:64]:
        if passphrase is None:
            raise SealKeyError(f"{private_path}: the key is encrypted; set {PASSPHRASE_ENV}")
        secret = passphrase().encode("utf-8")
    try:
        key = serialization.load_pem_private_key(data, secret)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = "wrong passphrase or damaged key file" if secret else str(exc)
        raise SealKeyError(f"{private_path}: cannot load the private key: {reason}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) or (
        isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name not in _CURVE_HASH
    ):
        raise SealKeyError(f"{private_path}: unsupported key type {type(key).__name__}")
    info = _info(name, folder / f"{name}.pub") if (folder / f"{name}.pub").is_file() else None
    if info is None or info.fingerprint != fingerprint(key.public_key()):
        raise SealKeyError(f"{private_path}: the public key {name}.pub is missing or not its pair")
    return key, info


def sign(key: PrivateKey, message: bytes) -> bytes:
    """Sign ``message``: ECDSA (DER, hash by curve size) or Ed25519."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    return key.sign(message, ec.ECDSA(_CURVE_HASH[key.curve.name]()))


def verify_signature(key: PublicKey, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` over ``message`` verifies with ``key``."""
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
        else:
            key.verify(signature, message, ec.ECDSA(_CURVE_HASH[key.curve.name]()))
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A public key that verification accepts, and where it came from."""

    name: str
    key: PublicKey
    fingerprint: str
    source: str


def trusted_keys(workspace: Workspace | None, extra: list[Path]) -> list[TrustedKey]:
    """The workspace's public keys plus the ``--key`` files the user named."""
    found: list[TrustedKey] = []
    if workspace is not None:
        for info in list_keys(workspace):
            key = load_public(info.public_path)
            found.append(TrustedKey(info.name, key, info.fingerprint, str(info.public_path)))
    for path in extra:
        key = load_public(path)
        found.append(TrustedKey(path.stem, key, fingerprint(key), str(path)))
    return found


def require_trusted(keys: list[TrustedKey]) -> None:
    """Raise when there is no key to verify with at all."""
    if not keys:
        raise SignatureError(
            "no trusted public keys: generate one with `labwarden keys generate` or pass --key FILE"
        )
