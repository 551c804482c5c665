"""``labwarden inspect models|...``: run one check over paths, no workspace needed.

Each sub-command is a thin wrapper around :func:`run_inspection`; checks with options of their
own add them in their sub-command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from labwarden.checks.interface import Check
from labwarden.checks.standalone import inspect_paths
from labwarden.cli.state import output_stream, stderr
from labwarden.core.errors import ExitCode
from labwarden.core.values import Severity
from labwarden.report.findings import FindingFormat, render_findings

app = typer.Typer(help="Inspect files and folders with one check, without a workspace.")

PathsArg = Annotated[list[Path], typer.Argument(help="Files or folders.", show_default=False)]
FormatOpt = Annotated[FindingFormat, typer.Option("--format", "-f", help="table, json or sarif.")]
FailOnOpt = Annotated[
    str, typer.Option("--fail-on", help="Exit 1 when a finding reaches this severity.")
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
]


def run_inspection(
    checks: list[Check],
    paths: list[Path],
    fmt: FindingFormat,
    fail_on: str,
    output: Path | None,
) -> None:
    """Inspect ``paths`` with ``checks``, print the report, and exit 1 at ``fail_on``."""
    threshold = Severity.parse(fail_on) if fail_on != "never" else None
    result = inspect_paths([str(p) for p in paths], checks)
    base = paths[0].absolute() if len(paths) == 1 and paths[0].is_dir() else None
    with output_stream(output) as out:
        render_findings(result.findings, fmt, out if output else sys.stdout, base=base)
    for note in result.notes:
        stderr.print(f"{note.action}: {note.path}: {note.reason}", markup=False)
    for error in result.errors:
        stderr.print(f"[red]error[/]: {error}")
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no findings"
    stderr.print(f"{result.files} files in {len(result.assets)} assets: {summary}", markup=False)
    if threshold is not None and any(f.severity >= threshold for f in result.findings):
        raise typer.Exit(int(ExitCode.FINDINGS))
