"""``labwarden incident``: open, list, show, widen, annotate and close incidents."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from labwarden.cli.engine_options import EngineName, EngineOpt, SparkMasterOpt, query_engine
from labwarden.cli.state import STATE, output_stream, stderr
from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.identity.reach import access_provider
from labwarden.report.console import plain_console
from labwarden.report.tabular import OutputFormat, render_rows, styled
from labwarden.respond.incident import (
    IncidentRequest,
    current_actor,
    open_incident,
    render,
    widen_incident,
)
from labwarden.respond.incident.breach import build_report
from labwarden.respond.incident.breach_render import ReportFormat, to_html, to_markdown
from labwarden.respond.incident.render import TimelineFormat
from labwarden.respond.incident.scope import Scope, build_scope
from labwarden.respond.incident.timeline import build_timeline
from labwarden.respond.incident.views import scope_sections
from labwarden.store.incidents import StoredIncident

app = typer.Typer(
    help="Incidents: open one, widen its scope, note, close; timeline, scope and breach report.",
    no_args_is_help=True,
)


class ShowFormat(str, Enum):
    """``--format`` of commands that print one record."""

    TABLE = "table"
    JSON = "json"


_LIST_COLUMNS = [
    "id",
    "status",
    "severity",
    "title",
    "since",
    "until",
    "aware_at",
    "alerts",
    "assets",
    "selectors",
    "opened_by",
]

Principal = Annotated[
    list[str] | None,
    typer.Option("--principal", "-p", help="A user or role whose events belong (repeatable)."),
]
AccessKey = Annotated[
    list[str] | None, typer.Option("--access-key", "-k", help="An access key id (repeatable).")
]
Host = Annotated[list[str] | None, typer.Option("--host", help="A host name (repeatable).")]
SourceIp = Annotated[
    list[str] | None, typer.Option("--source-ip", help="A source address (repeatable).")
]
UserAgent = Annotated[
    list[str] | None, typer.Option("--user-agent", help="A user agent (repeatable).")
]
AlertOpt = Annotated[
    list[int] | None,
    typer.Option("--alert", "-a", help="An alert id; its principal, keys and addresses follow."),
]
AssetOpt = Annotated[
    list[str] | None, typer.Option("--asset", help="An asset id, URI or name (repeatable).")
]
By = Annotated[
    str | None,
    typer.Option("--by", help="Who makes this change (default: $LABWARDEN_ACTOR or the login)."),
]
NoDerive = Annotated[
    bool,
    typer.Option("--no-derive", help="Do not add the alerts' principals, keys and addresses."),
]


def _request(
    principal: list[str] | None,
    access_key: list[str] | None,
    host: list[str] | None,
    source_ip: list[str] | None,
    user_agent: list[str] | None,
    alert: list[int] | None,
    asset: list[str] | None,
    *,
    triage: list[Path] | None = None,
    no_derive: bool = False,
) -> IncidentRequest:
    return IncidentRequest(
        principals=principal or [],
        access_keys=access_key or [],
        hosts=host or [],
        source_ips=source_ip or [],
        user_agents=user_agent or [],
        alerts=alert or [],
        assets=asset or [],
        triage=triage or [],
        derive=not no_derive,
    )


def incident_row(incident: StoredIncident) -> dict[str, Any]:
    """The columns ``incident list`` shows."""
    return {
        "id": incident.id,
        "status": incident.status,
        "severity": incident.severity.value,
        "title": incident.title,
        "since": incident.since,
        "until": incident.until,
        "aware_at": incident.aware_at,
        "alerts": len(incident.alerts),
        "assets": len(incident.assets),
        "selectors": len(incident.selectors),
        "opened_by": incident.opened_by,
    }


@app.command("open")
def open_(
    title: Annotated[str, typer.Argument(help="What happened, in a few words.")],
    since: Annotated[
        str | None, typer.Option("--since", help="Start of the window (ISO 8601).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="End of the window (ISO 8601).")
    ] = None,
    principal: Principal = None,
    access_key: AccessKey = None,
    host: Host = None,
    source_ip: SourceIp = None,
    user_agent: UserAgent = None,
    alert: AlertOpt = None,
    asset: AssetOpt = None,
    severity: Annotated[
        Severity | None, typer.Option("--severity", help="Default: the highest of its alerts.")
    ] = None,
    aware_at: Annotated[
        str | None,
        typer.Option("--aware-at", help="When the lab became aware (default: now)."),
    ] = None,
    summary: Annotated[str, typer.Option("--summary", help="A longer description.")] = "",
    no_derive: NoDerive = False,
    by: By = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ShowFormat.TABLE
    ),
) -> None:
    """Open an incident; prints its id (or, with --format json, the record)."""
    request = _request(
        principal, access_key, host, source_ip, user_agent, alert, asset, no_derive=no_derive
    )
    with STATE.catalog() as catalog:
        incident = open_incident(
            catalog,
            title,
            request,
            current_actor(by),
            severity=severity,
            since=since,
            until=until,
            aware_at=aware_at,
            summary=summary,
        )
    if fmt is ShowFormat.JSON:
        typer.echo(json.dumps(incident.to_dict(), indent=2, default=str))
        return
    typer.echo(incident.id)
    stderr.print(
        f"opened incident {incident.id}: {len(incident.selectors)} selectors, "
        f"{len(incident.alerts)} alerts, {len(incident.assets)} assets"
    )


@app.command("list")
def list_(
    status: Annotated[
        str, typer.Option("--status", help="open, contained, closed or all.")
    ] = "all",
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most this many.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
) -> None:
    """List incidents, newest first."""
    with STATE.reader() as catalog:
        found = catalog.incidents.find(status=None if status == "all" else status, limit=limit)
    rows = [incident_row(i) for i in found]
    render_rows(
        rows,
        _LIST_COLUMNS,
        fmt,
        sys.stdout,
        title=f"{len(rows)} incidents",
        document=[i.to_dict() for i in found],
    )


@app.command("show")
def show(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ShowFormat.TABLE
    ),
) -> None:
    """One incident: its scope, notes and audit trail."""
    with STATE.reader() as catalog:
        incident = catalog.incidents.get(incident_id)
    if fmt is ShowFormat.JSON:
        typer.echo(json.dumps(incident.to_dict(), indent=2, default=str))
        return
    _print(incident, plain_console(file=sys.stdout, highlight=False, width=160))


def _print(incident: StoredIncident, console: Console) -> None:
    console.print(
        Text.assemble(
            (f"incident {incident.id}", "bold"),
            ": ",
            styled(incident.severity.value),
            " ",
            (incident.status, "bold"),
            "  ",
            incident.title,
        )
    )
    lines = [
        f"window {incident.since or '(open)'} .. {incident.until or '(open)'}",
        f"aware since {incident.aware_at}; opened {incident.opened_at} by {incident.opened_by}",
    ]
    if incident.closed_at:
        lines.append(f"closed {incident.closed_at}: {incident.resolution}")
    if incident.summary:
        lines.append(incident.summary)
    for kind in dict.fromkeys(s.kind for s in incident.selectors):
        lines.append(f"{kind}: {', '.join(incident.selected(kind))}")
    if incident.alerts:
        lines.append(f"alerts: {', '.join(str(a) for a in incident.alert_ids)}")
    if incident.assets:
        lines.append(f"assets: {', '.join(str(a) for a in incident.asset_ids)}")
    lines.extend(f"attached {a.kind}: {a.path} (sha256 {a.sha256})" for a in incident.attachments)
    lines.extend(f"field {k}: {v}" for k, v in sorted(incident.fields.items()))
    for line in lines:
        console.print(line, markup=False)
    for note in incident.notes:
        console.print(Text.assemble(("note", "bold"), f" {note.at} {note.author}: ", note.text))
    console.print("[bold]history[/]")
    for change in incident.changes:
        console.print(
            f"  {change.at} {change.actor} {change.action} "
            f"{json.dumps(change.detail, default=str)}",
            markup=False,
        )


@app.command("add")
def add(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    principal: Principal = None,
    access_key: AccessKey = None,
    host: Host = None,
    source_ip: SourceIp = None,
    user_agent: UserAgent = None,
    alert: AlertOpt = None,
    asset: AssetOpt = None,
    triage: Annotated[
        list[Path] | None,
        typer.Option("--triage", help="Attach a triage archive (labwarden triage output)."),
    ] = None,
    no_derive: NoDerive = False,
    by: By = None,
) -> None:
    """Widen an incident's scope: selectors, alerts, assets, triage archives."""
    request = _request(
        principal,
        access_key,
        host,
        source_ip,
        user_agent,
        alert,
        asset,
        triage=triage,
        no_derive=no_derive,
    )
    with STATE.reader() as catalog:
        added = widen_incident(catalog, incident_id, request, current_actor(by))
    shown = ", ".join(f"{n} {k}" for k, n in added.items() if n) or "nothing new"
    typer.echo(f"incident {incident_id}: added {shown}")


@app.command("note")
def note(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    text: Annotated[str, typer.Argument(help="The note.")],
    by: By = None,
) -> None:
    """Write a note on an incident."""
    with STATE.reader() as catalog:
        written = catalog.incidents.note(incident_id, text, current_actor(by))
    typer.echo(f"incident {incident_id}: note {written.id} by {written.author}")


@app.command("set")
def set_(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="A report fact NAME=VALUE (dpo_contact, delay_reason...); NAME= removes it.",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option("--title")] = None,
    severity: Annotated[Severity | None, typer.Option("--severity")] = None,
    summary: Annotated[str | None, typer.Option("--summary")] = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    aware_at: Annotated[str | None, typer.Option("--aware-at")] = None,
    by: By = None,
) -> None:
    """Change an incident's description and the report facts a person supplies."""
    fields: dict[str, str | None] = {}
    for item in field or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--field {item!r}: expected NAME=VALUE")
        fields[name.strip()] = value
    with STATE.reader() as catalog:
        catalog.incidents.update(
            incident_id,
            current_actor(by),
            title=title,
            severity=severity,
            summary=summary,
            since=since,
            until=until,
            aware_at=aware_at,
            fields=fields,
        )
    typer.echo(f"incident {incident_id}: updated")


def _status(incident_id: int, status: str, by: str | None, resolution: str | None = None) -> None:
    with STATE.reader() as catalog:
        catalog.incidents.set_status(incident_id, status, current_actor(by), resolution)
    typer.echo(f"incident {incident_id}: {status}")


@app.command("contain")
def contain(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")], by: By = None
) -> None:
    """Mark an incident contained (the attacker's access is cut)."""
    _status(incident_id, "contained", by)


@app.command("close")
def close(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    resolution: Annotated[
        str, typer.Option("--resolution", "-r", help="How it ended (required).")
    ] = "",
    by: By = None,
) -> None:
    """Close an incident with its resolution."""
    _status(incident_id, "closed", by, resolution)


@app.command("reopen")
def reopen(incident_id: Annotated[int, typer.Argument(help="Incident id.")], by: By = None) -> None:
    """Reopen a contained or closed incident."""
    _status(incident_id, "open", by)


@app.command("timeline")
def timeline(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    fmt: Annotated[
        TimelineFormat, typer.Option("--format", "-f", help="table, jsonl or csv (Timesketch).")
    ] = TimelineFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
    engine: EngineOpt = EngineName.DUCKDB,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Everything relevant to an incident, in one ordered stream (times in UTC)."""
    workspace = STATE.resolve()
    with STATE.reader() as catalog, query_engine(engine, spark_master) as opened:
        incident = catalog.incidents.get(incident_id)
        built = build_timeline(catalog, workspace, incident, engine=opened)
    with output_stream(output) as out:
        count = render.write(built.lines(), fmt, out, f"incident {incident_id}: {incident.title}")
    stderr.print(
        f"incident {incident_id}: {count} lines ({built.lake_events} from the lake, "
        f"{len(built.feeds)} triage archives)"
    )
    for note in built.notes:
        stderr.print(f"note: {note}", markup=False)


@app.command("scope")
def scope(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    fmt: Annotated[ShowFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ShowFormat.TABLE
    ),
    iam: Annotated[
        Path | None,
        typer.Option("--iam", help="Authorization details: who could read what (`iam`)."),
    ] = None,
    bucket_policy: Annotated[
        list[str] | None,
        typer.Option("--bucket-policy", help="BUCKET=FILE, with --iam."),
    ] = None,
    verify: Annotated[
        bool,
        typer.Option(
            "--verify", help="Re-verify now the model versions the scope says must be re-verified."
        ),
    ] = False,
    key: Annotated[
        list[Path] | None,
        typer.Option("--key", help="With --verify: also trust this public key (PEM)."),
    ] = None,
    engine: EngineOpt = EngineName.DUCKDB,
    spark_master: SparkMasterOpt = None,
) -> None:
    """The blast radius: assets touched, data subjects, secrets to rotate, models to verify."""
    from labwarden.identity.buckets import scanned_acls, scanned_policies
    from labwarden.identity.grants import JudgedAccess
    from labwarden.respond.incident.reverify import verify_scope
    from labwarden.seal.keys import trusted_keys

    workspace = STATE.resolve()
    with STATE.reader() as catalog, query_engine(engine, spark_master) as opened:
        incident = catalog.incidents.get(incident_id)
        access = None
        if iam is not None:
            stored, _ = scanned_policies(catalog)
            acls = scanned_acls(catalog)
            access = JudgedAccess(access_provider(iam, bucket_policy or [], stored, acls).model)
        built = build_scope(catalog, workspace, incident, access=access, engine=opened)
        if verify:
            verify_scope(catalog, built, trusted_keys(workspace, list(key or [])))
    if fmt is ShowFormat.JSON:
        typer.echo(json.dumps(built.to_dict(), indent=2, default=str))
    else:
        for section in scope_sections(built):
            render_rows(
                section.rows, section.columns, OutputFormat.TABLE, sys.stdout, title=section.title
            )
    _verify_summary(incident_id, built)


def _verify_summary(incident_id: int, built: Scope) -> None:
    """What was re-verified, or the offer to re-verify (stderr)."""
    if built.reverified is not None:
        counts: dict[str, int] = {}
        for item in built.reverified:
            counts[str(item["outcome"])] = counts.get(str(item["outcome"]), 0) + 1
        shown = ", ".join(f"{n} {k}" for k, n in counts.items()) or "nothing to verify"
        stderr.print(f"incident {incident_id}: re-verified: {shown}", markup=False)
        return
    pending = [i for i in built.integrity if i.must_verify and i.version is not None]
    if pending:
        stderr.print(
            f"incident {incident_id}: {len(pending)} sealed versions must be re-verified: "
            f"`labwarden incident scope {incident_id} --verify` runs them",
            markup=False,
        )


@app.command("report")
def report(
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="md, html (one printable file), json.")
    ] = ReportFormat.MD,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead.")
    ] = None,
    by: By = None,
    engine: EngineOpt = EngineName.DUCKDB,
    spark_master: SparkMasterOpt = None,
) -> None:
    """The breach report: GDPR Art. 33(3) content, the 72-hour clock, Art. 34, the
    Datatilsynet form fields and a technical annex."""
    workspace = STATE.resolve()
    with STATE.reader() as catalog, query_engine(engine, spark_master) as opened:
        incident = catalog.incidents.get(incident_id)
        built_scope = build_scope(catalog, workspace, incident, engine=opened)
        built_timeline = build_timeline(catalog, workspace, incident, engine=opened)
    document = build_report(built_scope, built_timeline, actor=current_actor(by))
    if fmt is ReportFormat.JSON:
        text = json.dumps(document, indent=2, default=str) + "\n"
    else:
        text = to_html(document) if fmt is ReportFormat.HTML else to_markdown(document)
    with output_stream(output) as out:
        out.write(text)
    missing = document["to_fill_in"]
    if missing:
        stderr.print(
            f"incident {incident_id}: {len(missing)} fields need a person "
            f"(labwarden incident set {incident_id} --field NAME=VALUE): {', '.join(missing)}",
            markup=False,
        )
