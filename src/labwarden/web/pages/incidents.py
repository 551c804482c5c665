"""Pages: incidents (list, open), one incident with scope, timeline and trail, and changes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from labwarden.core.errors import InputError
from labwarden.web.api.common import catalog_for
from labwarden.web.auth import PageAnalyst, PageViewer
from labwarden.web.errors import ApiError
from labwarden.web.pages.render import form_csrf, render
from labwarden.web.state import server
from labwarden.web.views.incidents import (
    IncidentChange,
    Widening,
    breach_report,
    change_incident,
    incident_view,
    list_incidents,
    open_incident,
    report_blocks,
    report_file,
)
from labwarden.web.views.paging import Page

router = APIRouter()

LINES = 200
STATUS_ACTIONS = {"contain": "contained", "close": "closed", "reopen": "open", "note": None}


def _lines(text: str) -> list[str]:
    return [v.strip() for v in text.replace(",", "\n").splitlines() if v.strip()]


@router.get("/incidents")
def incidents_page(request: Request, who: PageViewer, error: str = "") -> Response:
    """Incidents, newest first; analysts open new ones here."""
    with catalog_for(request) as catalog:
        data = list_incidents(catalog, Page(200, 0))
    return render(request, "incidents.html", who, data=data, error=error[:300])


@router.post("/incidents")
def incident_open(
    request: Request,
    who: PageAnalyst,
    title: Annotated[str, Form(max_length=300)],
    csrf: Annotated[str, Form(max_length=100)] = "",
    alert: Annotated[int | None, Form()] = None,
    principals: Annotated[str, Form(max_length=5000)] = "",
    source_ips: Annotated[str, Form(max_length=5000)] = "",
    summary: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Open an incident (from an alert, or from principals and addresses)."""
    form_csrf(request, who, csrf)
    widening = Widening(
        principals=_lines(principals),
        source_ips=_lines(source_ips),
        alerts=[alert] if alert is not None else [],
    )
    with catalog_for(request) as catalog:
        try:
            with catalog.transaction():
                incident = open_incident(catalog, title, widening, who.name, summary=summary)
                who.record(catalog, "page", "incident.open", f"incident:{incident.id}")
        except InputError as exc:
            return RedirectResponse(f"/incidents?error={quote(exc.message)}", status_code=303)
    return RedirectResponse(f"/incidents/{incident.id}", status_code=303)


@router.get("/incidents/{incident_id}")
def incident_page(
    request: Request,
    who: PageViewer,
    incident_id: int,
    offset: Annotated[int, Query(ge=0)] = 0,
    error: str = "",
) -> Response:
    """One incident: what happened, its scope, its timeline and its trail."""
    workspace = server(request).config.workspace
    with catalog_for(request, missing="incident") as catalog:
        catalog.incidents.get(incident_id)
    with catalog_for(request) as catalog:
        view = incident_view(catalog, workspace, incident_id, Page(LINES, offset))
    return render(
        request,
        "incident.html",
        who,
        incident=view.incident,
        scope=view.scope.to_dict(),
        sections=view.sections,
        timeline=view.timeline,
        error=error[:300],
    )


@router.get("/incidents/{incident_id}/report")
def report_page(request: Request, who: PageViewer, incident_id: int) -> Response:
    """The breach report, rendered; links to the printable HTML and Markdown files."""
    workspace = server(request).config.workspace
    with catalog_for(request, missing="incident") as catalog:
        catalog.incidents.get(incident_id)
    with catalog_for(request) as catalog:
        document = breach_report(catalog, workspace, incident_id, who.name)
    return render(
        request,
        "report.html",
        who,
        incident_id=incident_id,
        blocks=report_blocks(document),
        missing=document.get("to_fill_in", []),
    )


@router.get("/incidents/{incident_id}/report.{fmt}")
def report_download(request: Request, who: PageViewer, incident_id: int, fmt: str) -> Response:
    """The breach report as one file (``html``: self-contained and printable; ``md``)."""
    if fmt not in {"html", "md"}:
        raise ApiError(404, f"no report format {fmt!r}: html or md")
    workspace = server(request).config.workspace
    with catalog_for(request, missing="incident") as catalog:
        catalog.incidents.get(incident_id)
    with catalog_for(request) as catalog:
        document = breach_report(catalog, workspace, incident_id, who.name)
    text, media = report_file(document, fmt)
    name = f"incident-{incident_id}-breach-report.{fmt}"
    return Response(
        text,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/incidents/{incident_id}")
def incident_change(
    request: Request,
    who: PageAnalyst,
    incident_id: int,
    action: Annotated[str, Form()],
    csrf: Annotated[str, Form(max_length=100)] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
    alerts: Annotated[str, Form(max_length=2000)] = "",
    principals: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Note, contain, close (with a resolution), reopen, or widen the scope; audited."""
    form_csrf(request, who, csrf)
    if action not in {*STATUS_ACTIONS, "widen"}:
        raise ApiError(422, f"unknown action {action!r}")
    widen = Widening()
    if action == "widen":
        ids = _lines(alerts)
        if not all(i.isascii() and i.isdigit() for i in ids):
            return _back(incident_id, "alert ids are numbers")
        widen = Widening(principals=_lines(principals), alerts=[int(i) for i in ids])
    status = STATUS_ACTIONS.get(action)
    change = IncidentChange(
        status=status,
        resolution=text if status == "closed" else None,
        note=text if action == "note" else None,
        widen=widen,
    )
    with catalog_for(request, missing="incident") as catalog:
        catalog.incidents.get(incident_id)
        try:
            with catalog.transaction():
                change_incident(catalog, incident_id, change, who.name)
                who.record(
                    catalog, "page", "incident.update", f"incident:{incident_id}", what=action
                )
        except InputError as exc:
            return _back(incident_id, exc.message)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _back(incident_id: int, message: str) -> Response:
    return RedirectResponse(f"/incidents/{incident_id}?error={quote(message)}", status_code=303)
