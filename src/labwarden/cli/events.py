"""``labwarden events``: query the event lake with filters or raw DuckDB SQL."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from labwarden.cli.state import STATE
from labwarden.report.tabular import OutputFormat, render_rows

_TABLE_COLUMNS = [
    "time",
    "source",
    "actor_user",
    "actor_role",
    "src_ip",
    "api_operation",
    "resource_uri",
    "asset_name",
    "asset_sensitivity",
    "status",
]


def events(
    since: Annotated[str | None, typer.Option("--since", help="From this time (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Before this time.")] = None,
    principal: Annotated[
        str | None,
        typer.Option(
            "--principal",
            "-p",
            help="Who acted (user, role session, source identity), ARN, access key or role "
            "(all its sessions); * wildcards.",
        ),
    ] = None,
    asset: Annotated[
        str | None,
        typer.Option("--asset", "-a", help="Asset id, name or resource URI (* wildcards)."),
    ] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="Operation or activity, e.g. GetObject or read.")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this log format.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many events.")] = 100,
    sql: Annotated[
        str | None, typer.Option("--sql", help="Raw DuckDB SQL; the lake is the view `events`.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """Show events of the lake, newest first (or the result of --sql)."""
    # DuckDB takes a while to import: only when this command runs.
    from labwarden.watch.service import EventQuery, parse_time, query_events

    query = EventQuery(
        since=parse_time(since, "--since"),
        until=parse_time(until, "--until"),
        principal=principal,
        asset=asset,
        action=action,
        source=source,
        limit=limit,
    )
    table = query_events(STATE.existing(catalog=False), query, sql=sql)
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        for key, value in row.items():
            if hasattr(value, "isoformat"):
                row[key] = value.isoformat()
    columns = table.column_names if sql is not None else _TABLE_COLUMNS
    if fmt is OutputFormat.CSV and sql is None:
        columns = table.column_names
    render_rows(rows, columns, fmt, sys.stdout, title=f"{len(rows)} events")
