"""Chain of custody: the evidence manifest and the archive signed with the workspace's key.

The one place triage uses ``labwarden.seal``. Two seals, in the model-signing bundle format that
``labwarden verify`` checks:

- ``evidence.sigstore.json`` inside the archive, over every file of the ``evidence`` folder (the
  artifacts, the manifest, the acquisition log, the findings), from the SHA-256 digests taken
  while collecting: ``labwarden verify DIR/evidence --seal DIR/evidence.sigstore.json`` after
  extracting;
- ``ARCHIVE.sigstore.json`` beside the archive, over the archive file itself:
  ``labwarden verify ARCHIVE --seal ARCHIVE.sigstore.json`` without extracting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from labwarden.core.errors import LabwardenError
from labwarden.core.workspace import Workspace
from labwarden.seal.hashing import HashedFile
from labwarden.seal.keys import KeyInfo, PassphraseSource, PrivateKey, list_keys, load_private
from labwarden.seal.manifest import Manifest, SealInfo
from labwarden.seal.sign import sign_manifest
from labwarden.seal.workflow import sealed_by

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Signer:
    """A loaded private key and who signs with it."""

    key: PrivateKey
    info: KeyInfo
    by: str


def signer(
    workspace: Workspace | None, name: str | None, passphrase: PassphraseSource | None
) -> tuple[Signer | None, str]:
    """The workspace key to seal with, and a sentence saying which or why none.

    ``name`` picks a key; without it the key named ``default`` is used, or the only key with a
    private half. A key that cannot be loaded (no passphrase) leaves the evidence unsealed,
    never uncollected.
    """
    if workspace is None:
        return None, "no workspace: the evidence is not sealed"
    keys = [k for k in list_keys(workspace) if k.private_path is not None]
    if name is None:
        names = [k.name for k in keys]
        name = "default" if "default" in names else names[0] if len(names) == 1 else None
        if name is None:
            why = "no key in the workspace" if not keys else "several keys: pick one with --key"
            return None, f"{why}: the evidence is not sealed"
    try:
        key, info = load_private(workspace, name, passphrase)
    except LabwardenError as exc:
        return None, f"not sealed: {exc.message}"
    return Signer(key, info, sealed_by()), f"sealed with key {info.name} ({info.fingerprint[:16]})"


def _sign(signer: Signer, name: str, files: list[HashedFile]) -> bytes:
    manifest = Manifest(
        name=name,
        algorithm="sha256",
        method="files",
        files=sorted(files, key=lambda f: f.name),
        info=SealInfo(datetime.now(UTC).isoformat(timespec="seconds"), signer.by),
    )
    return sign_manifest(manifest, signer.key, signer.info)


def seal_folder(signer: Signer, name: str, digests: dict[str, tuple[int, str]]) -> bytes:
    """The bundle over a folder's files, given as relative path to (size, SHA-256)."""
    return _sign(signer, name, [HashedFile(p, s, d) for p, (s, d) in digests.items()])


def seal_file(signer: Signer, name: str, size: int, digest: str) -> bytes:
    """The bundle over one file (model-signing names a single file ``.``)."""
    return _sign(signer, name, [HashedFile(".", size, digest)])
