"""``labwarden demo [DIR]``: build the synthetic lab, scan it and show what matters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from labwarden.cli.state import STATE, stderr
from labwarden.core.workspace import Workspace
from labwarden.report.tabular import OutputFormat, render_rows


def demo(
    directory: Annotated[
        Path, typer.Argument(help="Where to build the lab (default ./demo-lab).")
    ] = Path("demo-lab"),
    force: Annotated[
        bool, typer.Option("--force", help="Build into a non-empty folder that is not a demo lab.")
    ] = False,
) -> None:
    """Build a realistic synthetic AI research lab, scan it and print what to look at first."""
    workspace = (
        STATE.resolve() if STATE.workspace else Workspace((directory / ".labwarden").absolute())
    )
    from labwarden.demo.run import run_demo  # the lab's builders import pyarrow and numpy

    stderr.print(f"building the demo lab in {directory} ...", markup=False)
    context = run_demo(directory, workspace, force=force)
    try:
        scan = context.scan
        stderr.print(
            f"scanned {scan.files_total} files into {sum(scan.asset_counts.values())} assets "
            f"(workspace {workspace.root})",
            markup=False,
        )
        for section in context.sections:
            render_rows(
                section.rows, section.columns, OutputFormat.TABLE, sys.stdout, title=section.title
            )
        if context.next_commands:
            typer.echo("\nTry next:")
            for command in context.next_commands:
                typer.echo(f"  {command}")
    finally:
        context.catalog.close()
