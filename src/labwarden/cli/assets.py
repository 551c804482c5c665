"""``labwarden assets``: list the catalog; ``labwarden assets show ID``: one asset in full."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.text import Text

from labwarden.cli.state import STATE
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.report.console import plain_console
from labwarden.report.tabular import OutputFormat, human_size, render_rows, styled
from labwarden.store.catalog import Catalog

app = typer.Typer(help="List and show the assets in the catalog.", no_args_is_help=False)

_COLUMNS = ["id", "kind", "sensitivity", "name", "files", "size", "formats", "uri"]


@app.callback(invoke_without_command=True)
def assets(
    ctx: typer.Context,
    kind: Annotated[AssetKind | None, typer.Option("--kind", "-k", help="Only this kind.")] = None,
    sensitivity: Annotated[
        Sensitivity | None, typer.Option("--sensitivity", "-s", help="Only this sensitivity.")
    ] = None,
    include_removed: Annotated[
        bool, typer.Option("--all", help="Include assets that no longer exist.")
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """List the assets of the catalog, most sensitive first."""
    if ctx.invoked_subcommand is not None:
        return
    with STATE.reader() as catalog:
        found = catalog.assets.find(
            kind=kind, sensitivity=sensitivity, include_removed=include_removed
        )
    rows = [
        {
            "id": a.id,
            "kind": a.kind.value,
            "sensitivity": a.sensitivity.value,
            "name": a.name,
            "files": a.file_count,
            "size": human_size(a.size) if fmt is OutputFormat.TABLE else a.size,
            "formats": a.formats,
            "uri": a.uri,
            "removed": a.removed_scan is not None,
        }
        for a in found
    ]
    render_rows(
        rows,
        _COLUMNS,
        fmt,
        sys.stdout,
        title=f"{len(rows)} assets",
        document=[a.to_dict() for a in found],
    )


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="Asset id, URI or unique name.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """Show one asset: why it is as sensitive as it is, its files, findings and history."""
    with STATE.reader() as catalog:
        asset = catalog.assets.get(ref)
        files = catalog.files.of_asset(asset.id)
        history = catalog.assets.history(asset.id)
        findings = catalog.findings.find(asset_id=asset.id)
        objects = _object_counts(catalog, asset.uri)
    file_rows = [
        {
            "path": f.path.removeprefix(asset.uri.rstrip("/") + "/") or f.name,
            "format": f.format,
            "size": f.size,
            "mode": f"{f.mode:04o}",
            "owner": f.owner,
            "digest": f"{f.digest_algorithm}:{f.digest}" if f.digest else "",
            "columns": f.columns,
        }
        for f in files
    ]
    if fmt is OutputFormat.JSON:
        document = {
            **asset.to_dict(),
            "files": file_rows,
            "findings": [f.to_dict() for f in findings],
            "history": [h.to_dict() for h in history],
            "object_versions": objects,
        }
        typer.echo(json.dumps(document, indent=2, default=str))
        return
    if fmt is OutputFormat.CSV:
        render_rows(file_rows, list(file_rows[0]) if file_rows else ["path"], fmt, sys.stdout)
        return
    console = plain_console(file=sys.stdout, highlight=False)
    console.print(
        Text.assemble(
            (f"asset {asset.id}", "bold"), f": {asset.name}  ({asset.kind.value}, {asset.grouping})"
        )
    )
    console.print(f"uri: {asset.uri}", markup=False)
    console.print(
        Text.assemble(
            "sensitivity: ",
            styled(asset.sensitivity.value),
            f"   files: {asset.file_count}   size: {human_size(asset.size)}   "
            f"formats: {', '.join(asset.formats)}",
        )
    )
    if asset.removed_scan is not None:
        console.print(f"[red]removed in scan {asset.removed_scan}[/]")
    if objects is not None:
        console.print(
            f"object versions: {objects['versions']} versions of {objects['objects']} objects, "
            f"{objects['delete_markers']} delete markers ({objects['deleted_objects']} objects "
            f"deleted); `labwarden assets versions {asset.id}` lists them",
            markup=False,
        )
    console.print("[bold]why:[/]")
    for reason in asset.reasons:
        level = styled(reason.sensitivity.value)
        console.print(Text.assemble("  ", level, f" {reason.rule}: ", reason.reason))
    for row, record in zip(file_rows, files, strict=True):
        row["size"] = human_size(record.size)
        row["digest"] = str(row["digest"])[:24]
    render_rows(
        file_rows,
        ["path", "format", "size", "mode", "owner", "digest"],
        fmt,
        sys.stdout,
        title="files",
    )
    if findings:
        render_rows(
            [
                {
                    "severity": f.severity.value,
                    "check": f.check,
                    "where": str(f.location),
                    "message": f.message,
                }
                for f in findings
            ],
            ["severity", "check", "where", "message"],
            fmt,
            sys.stdout,
            title="open findings",
        )
    render_rows(
        [
            {"scan": h.scan_id, "at": h.at, "change": h.change, "detail": _detail(h.detail)}
            for h in history
        ],
        ["scan", "at", "change", "detail"],
        fmt,
        sys.stdout,
        title="history",
    )


@app.command("versions")
def versions(
    target: Annotated[
        str, typer.Argument(help="s3://bucket/prefix (or one key), or an object-store asset.")
    ],
    deleted: Annotated[
        bool,
        typer.Option("--deleted", help="Only objects whose current version is a delete marker."),
    ] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """Object versions and delete markers, as scans listed them (deleted and overwritten
    objects that can still be recovered, and versions purged since)."""
    from labwarden.inventory.versions import object_history

    with STATE.reader() as catalog:
        found = object_history(catalog, target, deleted=deleted, limit=limit)
    counts = found.counts
    render_rows(
        found.rows(),
        ["key", "version_id", "state", "last_modified", "size", "etag", "seen"],
        fmt,
        sys.stdout,
        title=f"s3://{found.bucket}/{found.prefix}: {counts['objects']} objects, "
        f"{counts['versions']} versions, {counts['delete_markers']} delete markers, "
        f"{counts['deleted_objects']} deleted objects",
        document=found.to_dict(),
    )


def _object_counts(catalog: Catalog, uri: str) -> dict[str, int] | None:
    """Version counts of an object-store asset (``None`` for local assets)."""
    if not uri.startswith("s3://"):
        return None
    from labwarden.inventory.versions import location

    bucket, prefix = location(catalog, uri)
    return catalog.object_versions.counts(bucket, prefix)


def _detail(detail: dict[str, object]) -> str:
    counts = detail.get("counts")
    if isinstance(counts, dict):
        parts = [f"{n} {k}" for k, n in counts.items() if n]
        names: list[str] = []
        for key in ("files_added", "files_modified", "files_removed"):
            value = detail.get(key)
            if isinstance(value, list):
                names.extend(f"{key.split('_')[1][0]}:{v}" for v in value[:3])
        return ", ".join(parts) + (f" ({'; '.join(names)})" if names else "")
    return ", ".join(f"{k}={v}" for k, v in detail.items())
