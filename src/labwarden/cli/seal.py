"""``labwarden keys``, ``labwarden seal`` and ``labwarden verify``: parsing and printing only."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from labwarden.checks.registry import all_checks
from labwarden.cli.state import STATE, digest_algorithm, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.report.tabular import OutputFormat, human_size, render_rows
from labwarden.seal import keys as keystore
from labwarden.seal.errors import SealKeyError
from labwarden.seal.sign import SealOptions
from labwarden.seal.verify import Verification
from labwarden.seal.workflow import (
    resolve_asset,
    seal_asset,
    verify_all,
    verify_seal_file,
    verify_version,
    version_for,
)
from labwarden.store.catalog import Catalog

keys_app = typer.Typer(help="Create and list signing keys (kept in the workspace's keys/).")

FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="Output format: table or json.")
]


class _Bar:
    """A transient progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, label: str) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn(label),
            BarColumn(bar_width=None),
            TextColumn("{task.fields[files]} files"),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
            disable=not stderr.is_terminal,
        )
        self.task = self.progress.add_task(label, total=None, files=0)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()

    def total(self, files: int, size: int) -> None:
        """The work ahead."""
        self.progress.update(self.task, total=size, files=files)

    def advance(self, size: int) -> None:
        """Bytes done."""
        self.progress.advance(self.task, size)


def _prompt(confirm: bool) -> str | None:
    secret = keystore.env_passphrase()
    if secret is not None:
        return secret
    if sys.stdin.isatty():
        return str(typer.prompt("key passphrase", hide_input=True, confirmation_prompt=confirm))
    return None


def _passphrase_source() -> str:
    secret = _prompt(confirm=False)
    if secret is None:
        raise SealKeyError(
            f"the signing key is encrypted: set {keystore.PASSPHRASE_ENV} or run in a terminal"
        )
    return secret


@keys_app.command("generate")
def keys_generate(
    name: Annotated[str, typer.Argument(help="Key name.")] = "default",
    key_type: Annotated[
        keystore.KeyType,
        typer.Option("--type", "-t", help="ecdsa-p256 (model-signing compatible) or ed25519."),
    ] = keystore.KeyType.ECDSA_P256,
    insecure_plaintext: Annotated[
        bool,
        typer.Option("--insecure-plaintext", help="Store the private key unencrypted."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing key.")] = False,
) -> None:
    """Create a signing key; the private key is encrypted with $LABWARDEN_KEY_PASSPHRASE."""
    keystore.check_name(name)  # before the prompt and before a workspace is created
    passphrase = None if insecure_plaintext else _prompt(confirm=True)
    info = keystore.generate(
        STATE.writable(),
        name,
        key_type,
        passphrase,
        insecure_plaintext=insecure_plaintext,
        force=force,
    )
    state = "encrypted" if info.encrypted else "[bold red]UNENCRYPTED[/]"
    stderr.print(f"created {info.type} key {info.name!r} ({state})")
    stderr.print(f"  private: {info.private_path}", markup=False)
    stderr.print(f"  public:  {info.public_path}", markup=False)
    typer.echo(info.fingerprint)


@keys_app.command("list")
def keys_list(fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List the workspace's keys; their public halves are the trusted verification keys."""
    found = keystore.list_keys(STATE.existing(catalog=False))
    rows = [
        {
            **k.to_dict(),
            "fingerprint": k.fingerprint if fmt is not OutputFormat.TABLE else k.fingerprint[:16],
            "private": "none (verify only)"
            if k.encrypted is None
            else ("encrypted" if k.encrypted else "PLAINTEXT"),
        }
        for k in found
    ]
    render_rows(
        rows,
        ["name", "type", "fingerprint", "private", "public_key", "created"],
        fmt,
        sys.stdout,
        title=f"{len(rows)} keys",
        document=[k.to_dict() for k in found],
    )


def seal(
    target: Annotated[str, typer.Argument(help="Folder or file to seal, or an asset id/name.")],
    key: Annotated[str, typer.Option("--key", "-k", help="Signing key name.")] = "default",
    digest: Annotated[
        str, typer.Option("--digest", help="sha256 (model-signing default) or blake3.")
    ] = "sha256",
    shard_size: Annotated[
        int | None,
        typer.Option(
            "--shard-size",
            help="SHA-256 only: hash files in shards of this many bytes in parallel "
            "(model-signing 'shards' serialization).",
            min=1,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", "-x", help="Path inside the folder to leave out (listed)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the seal to this file.")
    ] = None,
    tensors: Annotated[
        bool, typer.Option("--tensors/--no-tensors", help="Per-tensor digests (safetensors).")
    ] = True,
    force: Annotated[
        bool,
        typer.Option("--force", help="Seal even with open critical findings (warns, names them)."),
    ] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Seal an asset: a signed manifest of every file (model-signing format), as version vN.

    An asset with open critical findings is refused (exit 1) unless --force."""
    algorithm = digest_algorithm(digest)
    if shard_size is not None and algorithm != "sha256":
        raise typer.BadParameter("shards are for sha256", param_hint="--shard-size")
    workspace = STATE.writable()
    options = SealOptions(algorithm, shard_size, tensors, tuple(exclude or ()))
    with Catalog.open(workspace) as catalog:

        def scan(path: Path) -> None:
            stderr.print(f"{path} is not in the catalog yet; scanning it first", markup=False)
            policy = workspace_policy(workspace.policy_path)
            source = LocalSource([str(path)], exclude=policy.exclude)
            run_scan(catalog, source, policy, checks=all_checks())

        asset = resolve_asset(catalog, target, scan)
        with _Bar("sealing") as bar:
            outcome = seal_asset(
                workspace,
                catalog,
                asset,
                key,
                _passphrase_source,
                options,
                output=output,
                progress=bar,
                force=force,
            )
    for item in outcome.overridden:
        stderr.print(
            f"warning: sealed with open critical finding {item.id} "
            f"({item.finding.check}/{item.finding.rule}): {item.finding.message}",
            markup=False,
        )
    version = outcome.version
    if fmt is OutputFormat.JSON:
        document = {
            **version.to_dict(),
            "asset": asset.to_dict(),
            "excluded": [e.to_dict() for e in outcome.manifest.excluded],
            "copies": [str(p) for p in outcome.copies],
            "sealed_with_open_findings": [f.to_dict() for f in outcome.overridden],
        }
        typer.echo(json.dumps(document, indent=2))
    else:
        typer.echo(
            f"sealed asset {asset.id} ({asset.name}) as {version.ref}: {version.file_count} files, "
            f"{human_size(version.size)}, {version.algorithm} ({version.method})"
        )
        typer.echo(f"  root digest: sha256:{version.root_digest}")
        typer.echo(f"  key: {version.key_name} ({version.key_type}, {version.key_fingerprint})")
        typer.echo(f"  by {version.sealed_by} at {version.sealed_at}")
        typer.echo(f"  seal: {version.seal_path}")
        for copy in outcome.copies:
            typer.echo(f"  copy: {copy}")
        for entry in outcome.manifest.excluded:
            typer.echo(f"  excluded: {entry.path}: {entry.reason}")


def _print_verification(result: Verification, fmt: OutputFormat, label: str) -> None:
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    key = result.seal.key
    manifest = result.seal.manifest
    info = manifest.info
    verdict = "VERIFIED" if result.verified else "MISMATCH"
    counts = ", ".join(f"{n} {k}" for k, n in result.counts().items() if n)
    typer.echo(
        f"{verdict}: {result.target} against {label}"
        + (f" ({counts})" if counts else f" ({result.files_checked} files identical)")
    )
    typer.echo(
        f"  signature: valid, key {key.name} ({key.fingerprint[:16]}...) trusted via {key.source}"
    )
    typer.echo(
        f"  manifest: {manifest.name}, {manifest.algorithm} ({manifest.method}), "
        f"{len(manifest.files)} files, root sha256:{result.seal.root_digest[:16]}..."
    )
    if info is not None:
        typer.echo(f"  sealed by {info.sealed_by} at {info.sealed_at}")
    if result.changes:
        rows = [
            {
                "change": c.kind,
                "path": (c.path if c.path != "." else result.target.name)
                if c.old_path is None
                else f"{c.old_path} -> {c.path}",
                "detail": c.detail + (f"; {c.tensors.summary()}" if c.tensors else ""),
            }
            for c in result.changes
        ]
        render_rows(rows, ["change", "path", "detail"], fmt, sys.stdout, title="differences")


def verify(
    path: Annotated[
        Path | None, typer.Argument(help="Folder or file to verify (default: the asset itself).")
    ] = None,
    seal_file: Annotated[
        Path | None, typer.Option("--seal", "-s", help="Seal bundle file to verify against.")
    ] = None,
    asset: Annotated[
        str | None,
        typer.Option("--asset", "-a", help="Sealed catalog version: ID@vN (ID alone: latest)."),
    ] = None,
    key: Annotated[
        list[Path] | None,
        typer.Option("--key", "-k", help="Also trust this public key (PEM); repeatable."),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Re-verify every sealed asset; drift becomes findings.")
    ] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Verify a folder against a seal: exit 0 verified, 1 mismatch, 2 error."""
    _check_verify_options(path, seal_file, asset, every, fmt)
    if path is not None and not path.exists():
        raise InputError(f"{path}: no such file or folder")
    workspace = STATE.resolve()
    trusted = keystore.trusted_keys(workspace, list(key or []))
    if seal_file is not None:
        assert path is not None
        _verify_against_file(workspace, path, seal_file, trusted, fmt)
        return
    if not workspace.exists:
        raise InputError(
            f"no labwarden workspace at {workspace.root}: give --seal FILE, or seal assets first"
        )
    with Catalog.open(workspace) as catalog:
        if every:
            _verify_all(catalog, trusted, fmt)
            return
        if asset is None:
            assert path is not None
            hint = "give --seal FILE, or --asset ID@vN to check it against a sealed version"
            asset = str(resolve_asset(catalog, str(path), hint=hint).id)
        found, version = version_for(catalog, asset)
        with _Bar("verifying") as bar:
            result = verify_version(catalog, found, version, trusted, path, bar)
    _print_verification(result, fmt, f"seal {version.ref} of asset {found.id} ({found.name})")
    _exit(result.verified)


def _check_verify_options(
    path: Path | None, seal_file: Path | None, asset: str | None, every: bool, fmt: OutputFormat
) -> None:
    """Usage errors of ``verify``: options that exclude each other or are missing."""
    if fmt is OutputFormat.CSV:
        raise typer.BadParameter("use table or json", param_hint="--format")
    if every and (path or seal_file or asset):
        raise typer.BadParameter("--all takes no PATH, --seal or --asset", param_hint="--all")
    if seal_file is not None and asset is not None:
        raise typer.BadParameter("give --seal or --asset, not both", param_hint="--seal")
    if seal_file is not None and path is None:
        raise typer.BadParameter("give the folder to verify", param_hint="PATH")
    if not every and seal_file is None and asset is None and path is None:
        raise typer.BadParameter("give PATH, --asset ID@vN or --all", param_hint="PATH")


def _verify_against_file(
    workspace: Workspace,
    path: Path,
    seal_file: Path,
    trusted: list[keystore.TrustedKey],
    fmt: OutputFormat,
) -> None:
    """``verify PATH --seal FILE``: the catalog, if any, only checks the seal names this asset."""
    catalog = Catalog.open(workspace) if workspace.exists else None
    try:
        with _Bar("verifying") as bar:
            result = verify_seal_file(catalog, path, seal_file, trusted, bar)
    finally:
        if catalog is not None:
            catalog.close()
    _print_verification(result, fmt, str(seal_file))
    _exit(result.verified)


def _verify_all(catalog: Catalog, trusted: list[keystore.TrustedKey], fmt: OutputFormat) -> None:
    checks = verify_all(catalog, trusted)
    rows = []
    for check in checks:
        if check.error is not None:
            outcome, detail = "error", check.error
        elif check.verification is not None and check.verification.verified:
            outcome, detail = "verified", f"{check.verification.files_checked} files"
        else:
            assert check.verification is not None
            counts = check.verification.counts()
            outcome = "drift"
            detail = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        rows.append(
            {
                "asset_id": check.asset.id,
                "asset": check.asset.name,
                "version": check.version.ref,
                "outcome": outcome,
                "detail": detail,
                "findings": len(check.findings),
            }
        )
    document = [
        {
            **row,
            "verification": c.verification.to_dict() if c.verification else None,
            "findings": [f.to_dict() for f in c.findings],
        }
        for row, c in zip(rows, checks, strict=True)
    ]
    render_rows(
        rows,
        ["asset_id", "asset", "version", "outcome", "detail", "findings"],
        fmt,
        sys.stdout,
        title=f"{len(rows)} sealed assets",
        document=document,
    )
    bad = sum(1 for c in checks if not c.ok)
    stderr.print(f"{len(checks) - bad} verified, {bad} with drift or errors (findings recorded)")
    if not checks:
        stderr.print("no sealed assets; `labwarden seal PATH` makes one")
    _exit(bad == 0)


def _exit(ok: bool) -> None:
    if not ok:
        raise typer.Exit(int(ExitCode.FINDINGS))
