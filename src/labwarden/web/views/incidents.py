"""Incidents: the list, one incident with its scope and timeline, and changes by people."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.store.incidents import StoredIncident
from labwarden.web.views.paging import Page


def _summary(incident: StoredIncident) -> dict[str, Any]:
    document = incident.to_dict()
    for bulky in ("events", "changes", "notes", "attachments"):
        document[f"{bulky}_count"] = len(document.pop(bulky))
    return document


def list_incidents(catalog: Catalog, page: Page, status: str | None = None) -> dict[str, Any]:
    """One page of incidents, newest first."""
    found = catalog.incidents.find(status=status)
    return page.document([_summary(i) for i in page.of(found)], len(found))


@dataclass(slots=True)
class IncidentView:
    """One incident, its scope and one page of its timeline."""

    incident: StoredIncident
    scope: Any
    """:class:`labwarden.respond.incident.scope.Scope`."""
    timeline: dict[str, Any]
    sections: list[Any] = field(default_factory=list)
    """The scope as titled tables (:func:`labwarden.respond.incident.views.scope_sections`)."""

    def to_dict(self) -> dict[str, Any]:
        """The API's document."""
        return {**self.incident.to_dict(), "scope": self.scope.to_dict(), "timeline": self.timeline}


def incident_view(
    catalog: Catalog, workspace: Workspace, incident_id: int, lines: Page
) -> IncidentView:
    """Everything about one incident (the lake is queried for scope and timeline)."""
    from labwarden.respond.incident.scope import build_scope
    from labwarden.respond.incident.timeline import build_timeline
    from labwarden.respond.incident.views import scope_sections

    incident = catalog.incidents.get(incident_id)
    scope = build_scope(catalog, workspace, incident)
    built = build_timeline(catalog, workspace, incident)
    shown = list(islice(built.lines(), lines.offset, lines.offset + lines.limit))
    timeline = lines.document([e.to_dict() for e in shown], len(built))
    timeline["notes"] = built.notes
    return IncidentView(incident, scope, timeline, scope_sections(scope))


@dataclass(frozen=True, slots=True)
class Widening:
    """What a person adds to an incident's scope."""

    principals: Sequence[str] = ()
    access_keys: Sequence[str] = ()
    source_ips: Sequence[str] = ()
    hosts: Sequence[str] = ()
    alerts: Sequence[int] = ()
    assets: Sequence[str] = ()

    def request(self) -> Any:
        """As the incident capability's request."""
        from labwarden.respond.incident import IncidentRequest

        return IncidentRequest(
            principals=self.principals,
            access_keys=self.access_keys,
            source_ips=self.source_ips,
            hosts=self.hosts,
            alerts=self.alerts,
            assets=self.assets,
        )

    def __bool__(self) -> bool:
        return any(
            (
                self.principals,
                self.access_keys,
                self.source_ips,
                self.hosts,
                self.alerts,
                self.assets,
            )
        )


def open_incident(
    catalog: Catalog,
    title: str,
    widening: Widening,
    actor: str,
    *,
    severity: Severity | None = None,
    summary: str = "",
    since: str | None = None,
    until: str | None = None,
) -> StoredIncident:
    """Open an incident (window and severity from its alerts when not given)."""
    from labwarden.respond.incident import open_incident as open_case

    if not title.strip():
        raise InputError("an incident needs a title")
    return open_case(
        catalog,
        title.strip(),
        widening.request(),
        actor,
        severity=severity,
        since=since,
        until=until,
        summary=summary,
    )


@dataclass(frozen=True, slots=True)
class IncidentChange:
    """What a person changes on an incident; ``None`` leaves a field as it is."""

    status: str | None = None
    resolution: str | None = None
    note: str | None = None
    title: str | None = None
    severity: Severity | None = None
    summary: str | None = None
    aware_at: str | None = None
    widen: Widening = Widening()


def change_incident(
    catalog: Catalog, incident_id: int, change: IncidentChange, actor: str
) -> StoredIncident:
    """Apply ``change`` in one transaction (every part recorded in the incident's trail)."""
    from labwarden.respond.incident import widen_incident

    with catalog.transaction():
        catalog.incidents.get(incident_id)
        if any(v is not None for v in (change.title, change.severity, change.summary)) or (
            change.aware_at is not None
        ):
            catalog.incidents.update(
                incident_id,
                actor,
                title=change.title,
                severity=change.severity,
                summary=change.summary,
                aware_at=change.aware_at,
            )
        if change.widen:
            widen_incident(catalog, incident_id, change.widen.request(), actor)
        if change.note:
            catalog.incidents.note(incident_id, change.note, actor)
        if change.status is not None:
            catalog.incidents.set_status(incident_id, change.status, actor, change.resolution)
    return catalog.incidents.get(incident_id)


def breach_report(
    catalog: Catalog, workspace: Workspace, incident_id: int, actor: str
) -> dict[str, Any]:
    """The incident's breach report (GDPR Art. 33/34, the 72-hour clock, technical annex)."""
    from labwarden.respond.incident.breach import build_report
    from labwarden.respond.incident.scope import build_scope
    from labwarden.respond.incident.timeline import build_timeline

    incident = catalog.incidents.get(incident_id)
    scope = build_scope(catalog, workspace, incident)
    timeline = build_timeline(catalog, workspace, incident)
    return build_report(scope, timeline, actor=actor)


def report_blocks(document: dict[str, Any]) -> list[Any]:
    """The report as headings, paragraphs, facts and tables, for a page to render."""
    from labwarden.respond.incident.breach_render import blocks

    return list(blocks(document))


def report_file(document: dict[str, Any], fmt: str) -> tuple[str, str]:
    """The report as a downloadable ``md`` or ``html`` file: ``(text, media type)``."""
    from labwarden.respond.incident.breach_render import to_html, to_markdown

    if fmt == "html":
        return to_html(document), "text/html; charset=utf-8"
    return to_markdown(document), "text/markdown; charset=utf-8"
