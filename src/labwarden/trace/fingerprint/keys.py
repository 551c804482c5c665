"""The workspace's fingerprint key and the per-recipient keys derived from it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from labwarden.core.errors import WorkspaceError
from labwarden.core.workspace import Workspace
from labwarden.store.atomic import atomic_write

KEY_FILE = "fingerprint.key"


def key_path(workspace: Workspace) -> Path:
    """Where the fingerprint key lives (readable by its owner only)."""
    return workspace.root / "trace" / KEY_FILE


def load_or_create(workspace: Workspace) -> bytes:
    """The workspace's 32-byte fingerprint key, created on first use."""
    path = key_path(workspace)
    if path.is_file():
        data = path.read_bytes()
        if len(data) != 32:
            raise WorkspaceError(f"{path}: not a fingerprint key (expected 32 bytes)")
        return data
    workspace.ensure()
    path.parent.mkdir(mode=0o700, exist_ok=True)
    key = secrets.token_bytes(32)
    atomic_write(path, key, mode=0o600)
    return key


def load(workspace: Workspace) -> bytes | None:
    """The fingerprint key, or ``None`` when nothing was ever shared from this workspace."""
    path = key_path(workspace)
    return load_or_create(workspace) if path.is_file() else None


def key_id(master: bytes) -> str:
    """A public name of the key (16 hex digits of its SHA-256)."""
    return hashlib.sha256(master).hexdigest()[:16]


def recipient_key(master: bytes, source_digest: str, recipient: str) -> bytes:
    """The key of one recipient's copy of one table version."""
    message = f"share|{source_digest}|{recipient}".encode()
    return hmac.new(master, message, hashlib.sha256).digest()
