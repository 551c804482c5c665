"""``labwarden ingest PATH...``: normalize access logs into the event lake."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from labwarden.cli.state import STATE, stderr
from labwarden.core.errors import ExitCode
from labwarden.watch.parsers.names import FORMAT_NAMES

if TYPE_CHECKING:
    from labwarden.watch.parsers.base import Issue

_SHOWN = 20


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Log files or folders to ingest.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"Force the log format: {', '.join(FORMAT_NAMES)}."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map", help="JSON Lines: COLUMN=FIELD (dotted), e.g. --map actor_user=user.name."
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option("--threads", min=1, help="Workers for CloudTrail (default: one per CPU)."),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            min=1970,
            max=9999,
            help="Year of syslog lines without one (default: from the file's modification time).",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Zone of syslog lines without one, e.g. Europe/Copenhagen (default: UTC).",
        ),
    ] = None,
) -> None:
    """Parse access logs (format detected), resolve touched assets, store them in the lake."""
    shown: list[Issue] = []

    def report(issue: Issue) -> None:
        if issue.note:
            stderr.print(f"note: {issue}", markup=False)
            return
        if len(shown) < _SHOWN:
            stderr.print(f"warning: {issue}", markup=False)
        shown.append(issue)

    with STATE.catalog() as catalog:
        # DuckDB and pyarrow take a while to import: only when this command runs.
        from labwarden.watch.ingest import parse_map_options
        from labwarden.watch.service import ingest_paths, syslog_clock

        clock = syslog_clock(year, timezone)
        result = ingest_paths(
            STATE.resolve(),
            catalog,
            paths,
            fmt=fmt,
            mapping=parse_map_options(mapping or []),
            report=report,
            threads=threads,
            clock=clock,
        )
    if len(shown) > _SHOWN:
        stderr.print(f"... and {len(shown) - _SHOWN} more problems", markup=False)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(result.by_source.items()) if s != "-")
    unchanged = sum(1 for f in result.files if f.status == "unchanged")
    failed = sum(1 for f in result.files if f.status == "failed")
    rate = result.events / result.seconds if result.seconds > 0 else 0.0
    stderr.print(
        f"ingested {result.events} events ({counts or 'none'}) from "
        f"{len(result.files) - unchanged - failed} files in {result.seconds:.1f}s "
        f"({rate:,.0f} events/s); {unchanged} unchanged, {failed} failed, "
        f"{len(result.issues)} problems",
        markup=False,
    )
    if result.files and failed == len(result.files):
        raise typer.Exit(int(ExitCode.USAGE))
