"""``labwarden alerts``: list stored alerts; ``alerts show ID`` with evidence; ack and close."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from labwarden.cli.state import STATE
from labwarden.core.values import Severity
from labwarden.report.console import plain_console
from labwarden.report.tabular import OutputFormat, render_rows, styled
from labwarden.watch import alerting

app = typer.Typer(help="List, show, acknowledge and close alerts.", no_args_is_help=False)

_COLUMNS = [*alerting.ALERT_COLUMNS, "status"]


@app.callback(invoke_without_command=True)
def alerts(
    ctx: typer.Context,
    severity: Annotated[
        Severity | None, typer.Option("--severity", "-s", help="At least this severity.")
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="open, acknowledged, closed or all.")
    ] = "open",
    rule: Annotated[
        str | None, typer.Option("--rule", help="Rule id or part of its title.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """List alerts, highest risk first."""
    if ctx.invoked_subcommand is not None:
        return
    with STATE.reader() as catalog:
        found = catalog.alerts.find(
            min_severity=severity,
            status=None if status == "all" else status,
            rule=rule,
            limit=limit,
        )
    rows = [alerting.alert_row(a) for a in found]
    render_rows(
        rows,
        _COLUMNS,
        fmt,
        sys.stdout,
        title=f"{len(rows)} alerts",
        document=[a.to_dict() for a in found],
    )


@app.command("show")
def show(
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """One alert with its evidence events."""
    with STATE.reader() as catalog:
        alert = catalog.alerts.get(alert_id)
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(alert.to_dict(), indent=2, default=str))
        return
    columns = [
        "time",
        "actor_user",
        "actor_role",
        "src_ip",
        "api_operation",
        "resource_uri",
        "asset_name",
        "origin_file",
        "origin_line",
    ]
    if fmt is OutputFormat.TABLE:
        console = plain_console(file=sys.stdout, highlight=False)
        console.print(
            Text.assemble(
                (f"alert {alert.id}", "bold"),
                ": ",
                styled(alert.severity.value),
                f" risk {alert.risk}  ",
                alert.rule_title,
            )
        )
        role = f" (role {alert.detail['role']})" if alert.detail.get("role") else ""
        console.print(
            f"rule {alert.rule_id} ({alert.kind}) {alert.rule_path}\n"
            f"principal {alert.principal or '-'}{role}  {alert.first_seen} .. {alert.last_seen}  "
            f"{alert.event_count} events  assets: {', '.join(alert.assets) or '-'}  "
            f"status {alert.status}",
            markup=False,
        )
        _explain(console, alert.detail)
    render_rows(alert.evidence, columns, fmt, sys.stdout, title="evidence")


def _explain(console: Console, detail: dict[str, Any]) -> None:
    """How the risk was scored; an analytics alert's reasons and its baseline."""
    risk = detail.get("risk")
    if isinstance(risk, dict):
        console.print(
            f"[bold]risk[/] {risk.get('risk')} = {risk.get('base')} (band {risk.get('band')}) "
            f"+ {risk.get('sensitivity_points')} ({risk.get('sensitivity')})",
            highlight=False,
        )
    for reason in detail.get("sensitivity_reasons") or []:
        console.print(f"  sensitivity: {reason}", markup=False, highlight=False)
    _grants(console, detail)
    components = detail.get("components")
    if not isinstance(components, list) or not components:
        return
    console.print("[bold]why[/]")
    for item in components:
        console.print(f"  {item.get('points', 0):>5} ", end="")
        console.print(str(item.get("explanation", "")), markup=False)
    baseline = detail.get("baseline")
    if isinstance(baseline, dict):
        shown = ", ".join(
            f"{k}={round(v, 3) if isinstance(v, float) else v}"
            for k, v in baseline.items()
            if v is not None
        )
        console.print(Text.assemble(("baseline", "bold"), " ", shown))


def _grants(console: Console, detail: dict[str, Any]) -> None:
    """What the policies say of the accesses (``detect --iam``)."""
    grant = detail.get("grant")
    if isinstance(grant, dict):
        console.print(
            f"{grant.get('identity')} {grant.get('access')} of s3://{grant.get('bucket')} "
            f"({', '.join(grant.get('operations') or [])}): {grant.get('verdict')}; "
            f"{grant.get('why')}",
            markup=False,
            highlight=False,
        )
        console.print("[bold]what could explain it[/]")
        for text in detail.get("explanations") or []:
            console.print(f"  - {text}", markup=False, highlight=False, soft_wrap=True)
    lines = detail.get("grants")
    if isinstance(lines, list) and lines:
        console.print("[bold]grants[/] (by the authorization details)")
        for line in lines:
            seen = f" (alert {line['alert']})" if line.get("alert") else ""
            console.print(f"  {line.get('text')}{seen}", markup=False, highlight=False)


def _set(alert_id: int, status: str) -> None:
    with STATE.reader() as catalog:
        catalog.alerts.set_status(alert_id, status)
    typer.echo(f"alert {alert_id}: {status}")


@app.command("ack")
def ack(alert_id: Annotated[int, typer.Argument(help="Alert id.")]) -> None:
    """Acknowledge an alert (someone is on it)."""
    _set(alert_id, "acknowledged")


@app.command("close")
def close(alert_id: Annotated[int, typer.Argument(help="Alert id.")]) -> None:
    """Close an alert."""
    _set(alert_id, "closed")


@app.command("reopen")
def reopen(alert_id: Annotated[int, typer.Argument(help="Alert id.")]) -> None:
    """Reopen an alert."""
    _set(alert_id, "open")
