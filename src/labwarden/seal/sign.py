"""Make a seal: list and hash a folder, build its manifest and sign it into a bundle."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from labwarden.seal import bundle
from labwarden.seal.errors import HashingError
from labwarden.seal.hashing import Algorithm, ProgressSink, hash_files
from labwarden.seal.keys import KeyInfo, PrivateKey, sign
from labwarden.seal.manifest import PAYLOAD_TYPE, Manifest, SealInfo
from labwarden.seal.walk import DEFAULT_IGNORES, walk

log = logging.getLogger(__name__)

GIT_REASON = "git metadata (model-signing ignores it by default too)"


@dataclass(frozen=True, slots=True)
class SealOptions:
    """How to hash a folder for a seal."""

    algorithm: Algorithm = "sha256"
    shard_size: int | None = None
    """Hash files in shards of this many bytes in parallel (model-signing ``shards``)."""
    tensors: bool = True
    """Record a digest per tensor of safetensors files (to name changed tensors later)."""
    exclude: tuple[str, ...] = ()
    """Paths relative to the folder that the user chose to leave out."""
    workers: int | None = None


def ignore_map(options: SealOptions, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Every path left out of a seal of a folder, with the reason recorded in the manifest."""
    ignore = dict.fromkeys(DEFAULT_IGNORES, GIT_REASON)
    for path in options.exclude:
        clean = path.strip().strip("/")
        if not clean or clean.startswith("../") or clean == "..":
            raise HashingError(f"--exclude {path!r}: give a path inside the folder")
        ignore[clean] = "excluded by the user (--exclude)"
    ignore.update(extra or {})
    return ignore


def build_manifest(
    root: Path,
    options: SealOptions,
    *,
    extra_ignore: dict[str, str] | None = None,
    info: SealInfo | None = None,
    name: str | None = None,
    progress: ProgressSink | None = None,
) -> Manifest:
    """Hash ``root`` (a folder or a file) into a manifest; links leaving the folder are errors."""
    ignore = ignore_map(options, extra_ignore)
    listing = walk(root, ignore)
    if listing.outside_links:
        first = listing.outside_links[0]
        raise HashingError(
            f"{listing.root / first.path}: {first.reason}; a seal cannot vouch for bytes outside "
            "the folder: copy the file in, remove the link, or --exclude it"
        )
    if progress is not None:
        progress.total(len(listing.files), sum(f.size for f in listing.files))
    hashed = hash_files(
        listing.files,
        options.algorithm,
        shard_size=options.shard_size,
        tensors=options.tensors,
        workers=options.workers,
        progress=progress.advance if progress is not None else None,
    )
    return Manifest(
        name=name or listing.root.name,
        algorithm=options.algorithm,
        method="shards" if options.shard_size else "files",
        files=hashed,
        shard_size=options.shard_size,
        ignore_paths=[] if listing.single_file else sorted(ignore),
        excluded=listing.excluded,
        info=info,
    )


def sign_manifest(manifest: Manifest, key: PrivateKey, key_info: KeyInfo) -> bytes:
    """The Sigstore bundle (JSON bytes) of ``manifest`` signed with ``key``."""
    payload = json.dumps(manifest.to_statement(), indent=1, ensure_ascii=False).encode("utf-8")
    signature = sign(key, bundle.pae(PAYLOAD_TYPE, payload))
    return bundle.build(PAYLOAD_TYPE, payload, signature, key_info.fingerprint)
