"""``labwarden canary``: plant, list, retire and check canaries; listen for beacon hits."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from labwarden.cli.state import STATE, stderr
from labwarden.report.tabular import OutputFormat, render_rows
from labwarden.trace.canaries.kinds import DEFAULT_BEACON_BASE, DEFAULT_DOMAIN, CanaryKind

app = typer.Typer(help="Canaries: decoys nobody should touch, and the alerts when somebody does.")

_COLUMNS = ["id", "name", "kind", "token", "location", "status", "created_at"]
_Format = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _row(canary: Any) -> dict[str, Any]:
    return {
        "id": canary.id,
        "name": canary.name,
        "kind": canary.kind,
        "token": canary.token,
        "location": canary.location,
        "status": canary.status,
        "created_at": canary.created_at[:19],
    }


@app.command("plant")
def plant(
    kind: Annotated[CanaryKind, typer.Argument(help="What to plant.")],
    name: Annotated[str | None, typer.Option("--name", "-n", help="Canary name.")] = None,
    into: Annotated[
        Path | None,
        typer.Option("--into", help="Where to write the decoy (folder, file or credentials)."),
    ] = None,
    access_key_id: Annotated[
        str | None,
        typer.Option("--access-key-id", help="aws-key: register a key created elsewhere."),
    ] = None,
    match: Annotated[
        list[str] | None,
        typer.Option("--match", help="Also a touch: access to this URI or prefix (repeatable)."),
    ] = None,
    beacon: Annotated[
        str | None,
        typer.Option("--beacon", help=f"Beacon base URL (default {DEFAULT_BEACON_BASE})."),
    ] = None,
    domain: Annotated[
        str, typer.Option("--domain", help="dataset: e-mail domain the lab controls.")
    ] = DEFAULT_DOMAIN,
    rows: Annotated[int, typer.Option("--rows", help="dataset: synthetic subjects.")] = 20,
    fmt: _Format = OutputFormat.TABLE,
) -> None:
    """Plant a canary and register it in the catalog."""
    from labwarden.trace.canaries.plant import PlantRequest
    from labwarden.trace.canaries.plant import plant as run_plant

    request = PlantRequest(
        kind=kind,
        name=name,
        into=into,
        access_key_id=access_key_id,
        matches=list(match or []),
        beacon_base=beacon,
        domain=domain,
        rows=rows,
    )
    with STATE.catalog() as catalog:
        canary = run_plant(catalog, request)
    render_rows([_row(canary)], _COLUMNS, fmt, sys.stdout, document=canary.to_dict())
    stderr.print(f"planted canary {canary.name!r} ({canary.kind}) at {canary.location}")


@app.command("list")
def list_canaries(
    status: Annotated[str, typer.Option("--status", help="active, retired or all.")] = "active",
    fmt: _Format = OutputFormat.TABLE,
) -> None:
    """List canaries."""
    with STATE.reader() as catalog:
        found = catalog.canaries.find(status=None if status == "all" else status)
    render_rows(
        [_row(c) for c in found],
        _COLUMNS,
        fmt,
        sys.stdout,
        title=f"{len(found)} canaries",
        document=[c.to_dict() for c in found],
    )


@app.command("retire")
def retire(
    ref: Annotated[str, typer.Argument(help="Canary id or name.")],
    delete_key: Annotated[
        bool, typer.Option("--delete-key", help="aws-key: also delete the IAM user and key.")
    ] = False,
) -> None:
    """Retire a canary: it raises no more alerts."""
    from labwarden.trace.canaries.plant import retire as run_retire

    with STATE.reader() as catalog:
        canary = run_retire(catalog, ref, delete_key=delete_key)
    stderr.print(f"retired canary {canary.name!r}")


@app.command("check")
def check(fmt: _Format = OutputFormat.TABLE) -> None:
    """Look for canary touches in the lake and in scan findings; store them as alerts."""
    from labwarden.trace.canaries.sweep import sweep

    workspace = STATE.resolve()
    with STATE.reader() as catalog:
        result = sweep(workspace, catalog)
    rows = [
        {
            "canary": a.group.get("canary"),
            "principal": a.principal or "-",
            "first_seen": a.first_seen[:19],
            "events": a.event_count,
            "how": a.detail.get("how"),
        }
        for a in result.alerts
    ]
    render_rows(
        rows,
        ["canary", "principal", "first_seen", "events", "how"],
        fmt,
        sys.stdout,
        title=f"{len(rows)} canary alerts",
        document=[
            {**r, "event_uids": a.detail.get("event_uids")}
            for r, a in zip(rows, result.alerts, strict=True)
        ],
    )
    stderr.print(f"{result.new_alerts} new and {result.updated_alerts} updated canary alerts")
    if result.alerts:
        raise typer.Exit(1)


@app.command("listen")
def listen(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port.")] = 8787,
) -> None:
    """Serve beacon URLs and store every hit on one as a critical alert (Ctrl-C stops)."""
    from labwarden.trace.canaries.listen import serve

    def report(canary: Any, event: dict[str, Any]) -> None:
        typer.echo(
            f"{event['time']} canary {canary.name!r} hit from {event['src_ip']} "
            f"({event.get('user_agent') or '-'})"
        )

    try:
        server = serve(STATE.existing(), host, port, report)
    except OSError as exc:
        from labwarden.core.errors import InputError

        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    stderr.print(f"listening for beacon hits on http://{host}:{server.server_address[1]}/c/...")
    try:
        server.serve_forever()
    finally:
        server.server_close()
