"""The incident demo step: open an incident on the lab's intrusion and write the breach report.

The stolen cloud key's alerts (the watch step) and the gpu-01 server's triage archive (the
triage step) become one incident, whose window starts with the triage window, so the server's
break-in and the cloud reads are one timeline. The report is written as Markdown and HTML into
the demo workspace's ``reports/``. A second run reuses the incident and swaps in the rebuilt
archive.
"""

from __future__ import annotations

from typing import Any

from labwarden.core.incident import AttachmentRecord, Scope
from labwarden.core.values import Severity
from labwarden.demo.context import DemoContext, Section
from labwarden.demo.steps.triage import SERVER_NOW, WINDOW
from labwarden.respond.incident import IncidentRequest, open_incident, widen_incident
from labwarden.respond.incident.breach import build_report
from labwarden.respond.incident.breach_render import to_html, to_markdown
from labwarden.respond.incident.scope import build_scope
from labwarden.respond.incident.timeline import build_timeline
from labwarden.store.alerts import StoredAlert
from labwarden.store.atomic import atomic_text
from labwarden.store.catalog import Catalog
from labwarden.store.incidents import StoredIncident

TITLE = "Stolen svc-weights-sync key and the gpu-01 intrusion"
ACTOR = "labwarden demo"
HOST = "gpu-01"
FIELDS = {
    "controller": "ACME Discovery ApS (the demo's fictional lab)",
    "dpo_name": "Data Protection Officer (demo)",
    "dpo_contact": "dpo@acme-discovery.example",
    "how_discovered": "a canary object of the trial bucket was read (labwarden alert)",
}
"""What a person at the fictional lab supplies; the rest stays marked for a person."""


def _stolen_key_alerts(catalog: Catalog, key: str) -> list[StoredAlert]:
    found = []
    for alert in catalog.alerts.find(min_severity=Severity.HIGH, status=None):
        full = catalog.alerts.get(alert.id)
        if (
            any(e.get("access_key") == key for e in full.evidence)
            or "canary" in str(full.assets).lower()
        ):
            found.append(full)
    return found


def _incident(context: DemoContext, request: IncidentRequest) -> StoredIncident:
    catalog = context.catalog
    existing = next((i for i in catalog.incidents.find() if i.title == TITLE), None)
    if existing is None:
        since = (SERVER_NOW - WINDOW).isoformat()
        incident = open_incident(
            catalog, TITLE, request, ACTOR, since=since, aware_at=SERVER_NOW.isoformat()
        )
        catalog.incidents.update(incident.id, ACTOR, fields=FIELDS)
        catalog.incidents.note(
            incident.id,
            "svc-weights-sync key deactivated in IAM; gpu-01 isolated from the network and imaged",
            ACTOR,
        )
        catalog.incidents.set_status(incident.id, "contained", ACTOR)
        return catalog.incidents.get(incident.id)
    stale = [a for a in existing.attachments if a.kind == "triage"]
    if stale:  # the triage step rebuilt the archive: the old digest no longer holds
        old = [AttachmentRecord(a.kind, a.path, a.sha256, a.size, a.label) for a in stale]
        catalog.incidents.remove(existing.id, Scope(attachments=old), ACTOR)
    widen_incident(catalog, existing.id, request, ACTOR)
    return catalog.incidents.get(existing.id)


def _row(measure: str, value: Any, how: str) -> dict[str, Any]:
    return {"measure": measure, "value": value, "how": how}


def incident_step(context: DemoContext) -> None:
    """Open (or refresh) the demo incident, then write its breach report."""
    facts = context.lab.facts.get("access_logs", {})
    key = str(facts.get("stolen_key", ""))
    catalog = context.catalog
    alerts = _stolen_key_alerts(catalog, key) if key else []
    archive = context.workspace.root / "triage" / f"{HOST}.tar.gz"
    request = IncidentRequest(
        access_keys=[key] if key else [],
        hosts=[HOST],
        alerts=[a.id for a in alerts],
        triage=[archive] if archive.is_file() else [],
    )
    incident = _incident(context, request)
    scope = build_scope(catalog, context.workspace, incident)
    timeline = build_timeline(catalog, context.workspace, incident)
    document = build_report(scope, timeline, actor=ACTOR)
    reports = context.workspace.root / "reports"
    reports.mkdir(exist_ok=True)
    markdown = reports / f"incident-{incident.id}.md"
    page = reports / f"incident-{incident.id}.html"
    with atomic_text(markdown) as handle:
        handle.write(to_markdown(document))
    with atomic_text(page) as handle:
        handle.write(to_html(document))
    personal = scope.personal
    clock = document["clock"]
    triage_lines = sum(1 for line in timeline.others if line.source == "triage")
    rows = [
        _row(
            "timeline lines",
            len(timeline),
            f"{timeline.lake_events} lake events, "
            f"{triage_lines} from the triage archive, {len(alerts)} alerts",
        ),
        _row("assets read", scope.totals["assets_read"].value, scope.totals["assets_read"].how),
        _row("bytes read", scope.totals["bytes_read"].value, scope.totals["bytes_read"].how),
        _row("data subjects", personal.subjects.value, personal.subjects.how),
        _row("records", personal.records.value, personal.records.how),
        _row("credentials to rotate", len(scope.rotate), "incident keys and secrets found"),
        _row("72-hour deadline", clock["deadline"], f"aware at {clock['aware_at']}"),
        _row("Art. 34", document["art34"]["text"].split(":")[0], document["art34"]["basis"]),
        _row("fields for a person", len(document["to_fill_in"]), ", ".join(document["to_fill_in"])),
        _row("report", str(page), f"and {markdown.name}"),
    ]
    context.sections.append(
        Section(f"Incident {incident.id}: {TITLE}", ["measure", "value", "how"], rows)
    )
    ws = context.workspace_option
    context.next_commands.extend(
        [
            f"labwarden {ws} incident show {incident.id}",
            f"labwarden {ws} incident timeline {incident.id} --format jsonl -o timeline.jsonl",
            f"labwarden {ws} incident scope {incident.id}",
            f"labwarden {ws} incident report {incident.id} --format html -o report.html",
        ]
    )
