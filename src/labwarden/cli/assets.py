"""``labwarden assets``: list the catalog; ``labwarden assets show ID``: one asset in full."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from labwarden.cli.state import STATE
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.report.tabular import OutputFormat, human_size, render_rows, styled

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
        }
        typer.echo(json.dumps(document, indent=2, default=str))
        return
    if fmt is OutputFormat.CSV:
        render_rows(file_rows, list(file_rows[0]) if file_rows else ["path"], fmt, sys.stdout)
        return
    console = Console(file=sys.stdout, highlight=False)
    console.print(
        f"[bold]asset {asset.id}[/]: {escape(asset.name)}  ({asset.kind.value}, {asset.grouping})"
    )
    console.print(f"uri: {asset.uri}", markup=False)
    console.print(
        f"sensitivity: {styled(asset.sensitivity.value)}   files: {asset.file_count}   "
        f"size: {human_size(asset.size)}   formats: {escape(', '.join(asset.formats))}"
    )
    if asset.removed_scan is not None:
        console.print(f"[red]removed in scan {asset.removed_scan}[/]")
    console.print("[bold]why:[/]")
    for reason in asset.reasons:
        console.print(f"  {styled(reason.sensitivity.value)} {escape(reason.rule)}: ", end="")
        console.print(reason.reason, markup=False)
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
