"""The demo's seal step: seal the lab's models, prove a backup, catch a tampered copy.

The demo key's passphrase is a fixed, public value: it is a demonstration key, never use it (or
this passphrase) for real seals.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from labwarden.core.values import AssetKind
from labwarden.demo.context import DemoContext, Section, shell
from labwarden.seal import keys
from labwarden.seal.errors import SealRefused
from labwarden.seal.safetensors import is_safetensors_name, parse_header
from labwarden.seal.sign import SealOptions
from labwarden.seal.workflow import SealOutcome, seal_asset, verify_version

log = logging.getLogger(__name__)

DEMO_KEY = "demo"
DEMO_PASSPHRASE = "labwarden-demo-only-passphrase"  # noqa: S105 -- public on purpose: demo key


def _demo_key(context: DemoContext) -> None:
    existing = {k.name for k in keys.list_keys(context.workspace)}
    if DEMO_KEY not in existing:
        keys.generate(context.workspace, DEMO_KEY, keys.KeyType.ECDSA_P256, DEMO_PASSPHRASE)


def _tamper(folder: Path) -> str | None:
    """Flip bytes inside one tensor of the first safetensors file; return the tensor's name."""
    for path in sorted(folder.rglob("*")):
        if not (path.is_file() and is_safetensors_name(path.name)):
            continue
        data = bytearray(path.read_bytes())
        spans = parse_header(bytes(data), len(data))
        if not spans:
            continue
        span = spans[-1]
        middle = (span.start + span.end) // 2
        data[middle : middle + 4] = bytes(b ^ 0x5A for b in data[middle : middle + 4])
        path.write_bytes(bytes(data))
        return span.name
    return None


def seal_step(context: DemoContext) -> None:
    """Seal every model of the lab, then verify a faithful backup and a tampered copy."""
    _demo_key(context)
    lab_root = str(context.lab.root)
    models = [
        a
        for a in context.catalog.assets.find(kind=AssetKind.MODEL)
        if a.uri == lab_root or a.uri.startswith(lab_root + "/")
    ]
    sealed: list[SealOutcome] = []
    refused: list[dict[str, object]] = []
    for asset in models:
        try:
            sealed.append(
                seal_asset(
                    context.workspace,
                    context.catalog,
                    asset,
                    DEMO_KEY,
                    lambda: DEMO_PASSPHRASE,
                    SealOptions(),
                    by="demo@labwarden",
                )
            )
        except SealRefused as exc:  # an open critical finding: a seal would vouch for it
            refused.append({"seal": "REFUSED", "asset": asset.name, "root_digest": exc.message})
    context.sections.append(
        Section(
            "Sealed models (signed manifests, model-signing format; demo key)",
            ["seal", "asset", "files", "size", "root_digest"],
            [
                {
                    "seal": s.version.ref,
                    "asset": s.asset.name,
                    "files": s.version.file_count,
                    "size": s.version.size,
                    "root_digest": f"sha256:{s.version.root_digest[:16]}...",
                }
                for s in sealed
            ]
            + refused,
        )
    )
    folders = [
        s
        for s in sealed
        if s.asset.grouping == "model-folder"
        and any(is_safetensors_name(f.name) for f in s.manifest.files)
    ]
    if not folders:
        return
    chosen = folders[0]
    copies = context.workspace.root / "demo-copies"
    shutil.rmtree(copies, ignore_errors=True)
    backup = copies / "backup" / chosen.asset.name
    suspect = copies / "suspect" / chosen.asset.name
    shutil.copytree(chosen.asset.uri, backup)
    shutil.copytree(chosen.asset.uri, suspect)
    tensor = _tamper(suspect)
    log.info("demo: tampered tensor %s in %s", tensor, suspect)
    trusted = keys.trusted_keys(context.workspace, [])
    rows = []
    for label, folder in (("backup copy", backup), ("suspect copy", suspect)):
        result = verify_version(context.catalog, chosen.asset, chosen.version, trusted, folder)
        changed = "; ".join(
            f"{c.path}: {c.tensors.summary() if c.tensors else c.detail}" for c in result.changes
        )
        rows.append(
            {
                "copy": label,
                "path": str(folder),
                "seal": chosen.version.ref,
                "verdict": "verified" if result.verified else "TAMPERED",
                "changes": changed or f"{result.files_checked} files byte-identical",
            }
        )
    context.sections.append(
        Section(
            f"Backup proof and tamper check against seal {chosen.version.ref}",
            ["copy", "verdict", "changes", "seal", "path"],
            rows,
        )
    )
    ws = context.workspace_option
    context.next_commands.extend(
        [
            f"labwarden {ws} verify --all",
            f"labwarden {ws} verify {shell(backup)} --asset {chosen.version.ref}",
            f"labwarden {ws} verify {shell(suspect)} --asset {chosen.version.ref}",
        ]
    )
