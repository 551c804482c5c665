"""``labwarden share`` (a marked copy for one recipient) and ``labwarden trace`` (where a leak
comes from)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from labwarden.cli.state import STATE, stderr
from labwarden.core.errors import InputError
from labwarden.report.tabular import OutputFormat, render_rows

_Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _dataset(catalog: Any, ref: str) -> Path:
    path = Path(ref).expanduser()
    if path.exists():
        return path
    try:
        return Path(catalog.assets.get(ref).uri)
    except InputError:
        raise InputError(f"{ref}: neither a file nor a catalog asset") from None


def share(
    dataset: Annotated[str, typer.Argument(help="The table (a path, or a catalog asset).")],
    recipient: Annotated[str, typer.Option("--recipient", "-r", help="Who gets the copy.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The copy (.csv, .parquet).")],
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate",
            help="Fraction of rows carrying a mark (one cell each); default 0.05, lowered to "
            "fit --max-cells.",
        ),
    ] = None,
    max_change: Annotated[
        float, typer.Option("--max-change", help="Largest relative change of a numeric cell.")
    ] = 0.05,
    max_cells: Annotated[
        float, typer.Option("--max-cells", help="Refuse to change more than this cell fraction.")
    ] = 0.01,
    canary_rows: Annotated[
        int, typer.Option("--canary-rows", help="Synthetic rows unique to this copy.")
    ] = 3,
    domain: Annotated[
        str | None, typer.Option("--domain", help="E-mail domain of canary rows' addresses.")
    ] = None,
    fmt: _Format = OutputFormat.TABLE,
) -> None:
    """Write a copy of a table marked for one recipient and record the share."""
    from labwarden.trace.fingerprint.share import ShareOptions
    from labwarden.trace.fingerprint.share import share as run_share

    options = ShareOptions(rate, max_change, max_cells, canary_rows, domain)
    workspace = STATE.writable()
    with STATE.catalog() as catalog:
        result = run_share(
            workspace, catalog, _dataset(catalog, dataset), recipient, output, options
        )
    row = {
        "recipient": recipient,
        "output": str(output),
        "rows": result.rows,
        "cells_altered": result.cells_altered,
        "cells_fraction": f"{result.cells_fraction:.3%}",
        "largest_change": result.largest_change,
        "largest_relative": f"{result.largest_relative_change:.2%}",
        "canary_rows": result.canary_rows,
    }
    render_rows([row], list(row), fmt, sys.stdout, document=result.to_dict())


def trace(
    path: Annotated[Path, typer.Argument(help="The leaked table, file, folder or archive.")],
    alpha: Annotated[
        float, typer.Option("--alpha", help="Name a recipient only below this false-match chance.")
    ] = 1e-6,
    incident: Annotated[
        int | None,
        typer.Option("--incident", help="Attach to this incident (default: every open one)."),
    ] = None,
    no_incident: Annotated[
        bool, typer.Option("--no-incident", help="Attach to no incident.")
    ] = False,
    fmt: _Format = OutputFormat.TABLE,
) -> None:
    """Which catalog assets, versions and shared copy a leaked sample comes from."""
    from labwarden.trace.incidents import attach_trace
    from labwarden.trace.service import trace_path

    workspace = STATE.resolve()
    with STATE.reader() as catalog:
        report = trace_path(workspace, catalog, path, alpha)
        attached = [] if no_incident else attach_trace(catalog, report, path, incident)
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps({**report.to_dict(), "incidents": attached}, indent=2))
    else:
        rows = [_row(c) for c in report.candidates]
        render_rows(
            rows,
            ["source", "kind", "matched", "recipient", "false_match"],
            fmt,
            sys.stdout,
            title=report.summary(),
            document=report.to_dict(),
        )
    for note in report.notes:
        stderr.print(f"note: {note}", markup=False)
    if attached:
        stderr.print(f"added to incident(s) {', '.join(map(str, attached))}")


def _row(candidate: dict[str, Any]) -> dict[str, Any]:
    attribution = candidate.get("attribution") or {}
    first = (attribution.get("candidates") or [{}])[0]
    named = attribution.get("recipient") or ", ".join(attribution.get("colluders") or [])
    matched = (
        f"{candidate.get('rows_exact', 0) + candidate.get('rows_near', 0)} rows"
        if candidate["kind"] == "table"
        else f"{candidate.get('files_matched', 0)} files"
    )
    return {
        "source": candidate.get("source"),
        "kind": candidate["kind"],
        "matched": matched,
        "recipient": named or ("unknown" if attribution else "-"),
        "false_match": f"{first['false_match_probability']:.1e}" if first else "-",
    }
