"""``labwarden findings``: list stored findings with filters; show, accept, fix and reopen them."""

from __future__ import annotations

import getpass
import re
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from labwarden.cli.state import STATE, FailOn, FailOnOpt, output_stream, stderr
from labwarden.core.errors import ExitCode, InputError
from labwarden.core.values import AssetKind, Severity
from labwarden.report.console import plain_console
from labwarden.report.tabular import styled
from labwarden.report.triaged import TriagedFormat, render_triaged
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, StoredFinding, TriageStatus

app = typer.Typer(
    help="List stored findings; show, accept, fix or reopen one.", no_args_is_help=False
)

_DURATION = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> tuple[str | None, int | None]:
    """``--new-since``: a duration back from now (``30m``, ``12h``, ``7d``, ``2w``), an ISO 8601
    date or time (UTC unless it says otherwise), or ``scan:N`` (first seen after scan N).
    Returns ``(iso_time, None)`` or ``(None, scan_id)``."""
    value = text.strip().lower()
    if value.startswith("scan:") and value[5:].isdigit():
        return None, int(value[5:])
    match = _DURATION.match(value)
    if match:
        delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        moment = (now or datetime.now(UTC)) - delta
        return moment.isoformat(timespec="seconds"), None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a duration (7d, 12h, 30m, 2w), a date (2026-12-01), "
            "a time (2026-12-01T08:00:00) or scan:N",
            param_hint="--new-since",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="seconds"), None


def _statuses(values: list[str]) -> tuple[TriageStatus, ...]:
    if any(v.strip().lower() == "all" for v in values):
        return ()
    try:
        return tuple(TriageStatus(v.strip().lower()) for v in values)
    except ValueError:
        raise typer.BadParameter(
            f"{', '.join(values)}: each must be open, accepted, fixed or all",
            param_hint="--status",
        ) from None


def _asset_ids(catalog: Catalog, refs: list[str]) -> tuple[int, ...]:
    return tuple(catalog.assets.get(ref).id for ref in refs)


@app.callback(invoke_without_command=True)
def findings(
    ctx: typer.Context,
    severity: Annotated[
        Severity | None, typer.Option("--severity", "-s", help="At least this severity.")
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option("--check", "-c", help="Check name or check/rule (repeatable)."),
    ] = None,
    asset: Annotated[
        list[str] | None,
        typer.Option("--asset", "-a", help="Asset id, URI or unique name (repeatable)."),
    ] = None,
    kind: Annotated[
        list[AssetKind] | None, typer.Option("--kind", "-k", help="Asset kind (repeatable).")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="open (default), accepted, fixed or all (repeatable)."),
    ] = None,
    new_since: Annotated[
        str | None,
        typer.Option(
            "--new-since", help="First seen since: 7d, 12h, 2026-12-01, 2026-12-01T08:00 or scan:N."
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=0, help="At most this many.")
    ] = (None),
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many first.")] = 0,
    fmt: Annotated[TriagedFormat, typer.Option("--format", "-f", help="Output format.")] = (
        TriagedFormat.TABLE
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    fail_on: FailOnOpt = FailOn.NEVER,
) -> None:
    """List findings, most severe first (by default the open ones: not accepted, not fixed)."""
    if ctx.invoked_subcommand is not None:
        return
    since, since_scan = parse_since(new_since) if new_since else (None, None)
    with STATE.reader() as catalog:
        query = FindingQuery(
            min_severity=severity,
            checks=tuple(check or ()),
            asset_ids=_asset_ids(catalog, asset or []),
            kinds=tuple(kind or ()),
            statuses=_statuses(status or ["open"]),
            new_since=since,
            new_since_scan=since_scan,
        )
        page = catalog.findings.query(query, limit=limit, offset=offset)
    shown = len(page.items)
    title = f"{page.total} findings" if shown == page.total else f"{shown} of {page.total} findings"
    with output_stream(output) as out:
        render_triaged(page.items, fmt, out, title=title)
    if shown < page.total and fmt is TriagedFormat.TABLE:
        stderr.print(f"{page.total - shown} more: use --offset {offset + shown}", markup=False)
    if fail_on.reached(i.finding.severity for i in page.items):
        raise typer.Exit(int(ExitCode.FINDINGS))


@app.command("show")
def show(
    ref: Annotated[
        str, typer.Argument(help="Finding id or fingerprint (or 6+ of its first chars).")
    ],
    fmt: Annotated[TriagedFormat, typer.Option("--format", "-f", help="table or json.")] = (
        TriagedFormat.TABLE
    ),
) -> None:
    """One finding in full, with its triage history."""
    import json

    with STATE.reader() as catalog:
        item = catalog.findings.get(ref)
        history = catalog.findings.history(item.fingerprint)
    if fmt in (TriagedFormat.JSON, TriagedFormat.SARIF, TriagedFormat.CSV):
        if fmt is not TriagedFormat.JSON:
            render_triaged([item], fmt, sys.stdout, title="finding")
            return
        document = {**item.to_dict(), "history": [h.to_dict() for h in history]}
        typer.echo(json.dumps(document, indent=2, default=str))
        return
    _print(item, [h.to_dict() for h in history])


def _print(item: StoredFinding, history: list[dict[str, object]]) -> None:
    console = plain_console(file=sys.stdout, highlight=False, soft_wrap=True)
    f = item.finding
    console.print(
        Text.assemble(
            (f"finding {item.id}", "bold"),
            f" {item.fingerprint}  ",
            styled(f.severity.value),
            "  ",
            (item.status.value, "bold"),
            "" if item.present else " (no longer found)",
        )
    )
    lines = [
        ("check", f"{f.check}/{f.rule}"),
        ("asset", f"{item.asset_name or '-'} ({item.asset_uri or '-'})"),
        ("where", str(f.location)),
        ("message", f.message),
        ("remediation", f.remediation or "-"),
        ("seen", f"first {item.first_seen_at}, last {item.last_seen_at}"),
    ]
    if item.actor:
        decided = f"{item.status.value} by {item.actor} at {item.decided_at}"
        lines.append(("triage", decided + (f": {item.reason}" if item.reason else "")))
    if item.expires:
        lines.append(("expires", item.expires))
    for label, text in lines:
        console.print(Text.assemble((f"{label}:", "bold"), " ", text))
    for event in history:
        console.print(
            Text(
                f"  {event['at']}  {event['previous']} -> {event['state']} by {event['by']}"
                + (f": {event['reason']}" if event["reason"] else "")
            )
        )


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return "unknown"


def _expiry(until: str | None) -> str | None:
    if until is None:
        return None
    try:
        day = date.fromisoformat(until.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{until!r} is not a date (2027-01-31)", param_hint="--until"
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat(timespec="seconds")


_REFS = typer.Argument(help="Finding ids or fingerprints (6+ first characters are enough).")
_BY = typer.Option("--by", help="Who decides (default: your login name).")


def _decide(
    refs: list[str], state: TriageStatus, reason: str, by: str | None, until: str | None
) -> None:
    expires = _expiry(until)
    with STATE.reader() as catalog:
        fingerprints = [catalog.findings.resolve(r) for r in refs]
        if state is TriageStatus.ACCEPTED:
            done = catalog.findings.accept(
                fingerprints, reason=reason, actor=_actor(by), expires=expires
            )
        else:
            done = catalog.findings.triage(fingerprints, state, reason=reason, actor=_actor(by))
    for item in done:
        note = "" if item.status is state else f" (it stays {item.status.value}: no longer found)"
        typer.echo(f"finding {item.id} {item.fingerprint[:12]}: {item.status.value}{note}")


@app.command("accept")
def accept(
    refs: Annotated[list[str], _REFS],
    reason: Annotated[
        str, typer.Option("--reason", "-r", help="Why the risk is acceptable (required).")
    ],
    until: Annotated[
        str | None, typer.Option("--until", help="Accept until this date (UTC), then open again.")
    ] = None,
    by: Annotated[str | None, _BY] = None,
) -> None:
    """Accept the risk of findings, with a reason; they leave the open list."""
    if not reason.strip():
        raise InputError("--reason must say why the risk is acceptable")
    _decide(refs, TriageStatus.ACCEPTED, reason, by, until)


@app.command("fix")
def fix(
    refs: Annotated[list[str], _REFS],
    reason: Annotated[str, typer.Option("--reason", "-r", help="What was done.")] = "",
    by: Annotated[str | None, _BY] = None,
) -> None:
    """Mark findings fixed; a later scan that still finds one reopens it."""
    _decide(refs, TriageStatus.FIXED, reason, by, None)


@app.command("reopen")
def reopen(
    refs: Annotated[list[str], _REFS],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why.")] = "",
    by: Annotated[str | None, _BY] = None,
) -> None:
    """Withdraw an acceptance or a fix."""
    _decide(refs, TriageStatus.OPEN, reason, by, None)
