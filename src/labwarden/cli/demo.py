"""``labwarden demo [DIR]``: build the synthetic lab, scan it and show what matters."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from labwarden.cli.state import STATE, stderr
from labwarden.core.workspace import Workspace
from labwarden.report.tabular import OutputFormat, render_rows


def program_name() -> tuple[str, str]:
    """How to run this labwarden again from the user's shell, and a hint when that is not just
    ``labwarden`` (after ``make demo`` the command is in ``.venv/bin``, not on PATH)."""
    bin_dir = Path(sys.executable).parent
    script = bin_dir / "labwarden"
    on_path = shutil.which("labwarden")
    if on_path and script.exists() and Path(on_path).resolve() == script.resolve():
        return "labwarden", ""
    activate = bin_dir / "activate"
    hint = f"or `. {activate}` to have `labwarden` on PATH" if activate.exists() else ""
    if script.exists():
        return shlex.quote(str(script)), hint
    return f"{shlex.quote(sys.executable)} -m labwarden", hint


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
            program, hint = program_name()
            typer.echo("\nTry next:" + (f" ({hint})" if hint else ""))
            for command in context.next_commands:
                typer.echo(f"  {program}{command.removeprefix('labwarden')}")
    finally:
        context.catalog.close()
