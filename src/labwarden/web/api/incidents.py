"""``/api/v1/incidents``: list, one incident with timeline and scope, open and change them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.requests import Request

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.web.api.common import Paging, catalog_for
from labwarden.web.auth import Analyst, Viewer
from labwarden.web.errors import ApiError
from labwarden.web.state import server
from labwarden.web.views.incidents import (
    IncidentChange,
    Widening,
    breach_report,
    change_incident,
    incident_view,
    list_incidents,
    open_incident,
)
from labwarden.web.views.paging import MAX_LIMIT, Page

router = APIRouter(tags=["incidents"])

_Text = Annotated[str, Field(max_length=10_000)]
_Values = Annotated[list[Annotated[str, Field(max_length=500)]], Field(max_length=200)]


class ScopeAddition(BaseModel):
    """Selectors, alerts and assets to add to an incident's scope."""

    principals: _Values = []
    access_keys: _Values = []
    source_ips: _Values = []
    hosts: _Values = []
    alerts: Annotated[list[int], Field(max_length=200)] = []
    assets: _Values = []
    """Asset ids, URIs or unique names."""

    def widening(self) -> Widening:
        """As the view's value."""
        return Widening(
            self.principals, self.access_keys, self.source_ips, self.hosts, self.alerts, self.assets
        )


class NewIncident(ScopeAddition):
    """An incident to open; linked alerts bring their principals, keys, addresses and assets."""

    title: Annotated[str, Field(min_length=1, max_length=300)]
    severity: Severity | None = None
    summary: _Text = ""
    since: str | None = None
    until: str | None = None


class IncidentPatch(BaseModel):
    """A change to an incident; fields left out stay as they are."""

    status: Literal["open", "contained", "closed"] | None = None
    resolution: _Text | None = None
    """Required to close."""
    note: _Text | None = None
    title: Annotated[str | None, Field(max_length=300)] = None
    severity: Severity | None = None
    summary: _Text | None = None
    aware_at: str | None = None
    add: ScopeAddition | None = None


@router.get("/incidents", summary="List incidents")
def get_incidents(
    request: Request,
    who: Viewer,
    page: Paging,
    status: Literal["open", "contained", "closed", "all"] = "all",
) -> dict[str, Any]:
    """Incidents, newest first, with their scope selectors and links."""
    with catalog_for(request) as catalog:
        return list_incidents(catalog, page, None if status == "all" else status)


@router.get("/incidents/{incident_id}", summary="One incident with timeline and scope")
def get_incident(
    request: Request,
    who: Viewer,
    incident_id: int,
    timeline_limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 200,
    timeline_offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The incident, its scope (blast radius) and one page of its timeline."""
    workspace = server(request).config.workspace
    with catalog_for(request, missing="incident") as catalog:
        catalog.incidents.get(incident_id)
    with catalog_for(request) as catalog:
        view = incident_view(catalog, workspace, incident_id, Page(timeline_limit, timeline_offset))
        return view.to_dict()


@router.get("/incidents/{incident_id}/report", summary="The incident's breach report")
def get_report(request: Request, who: Viewer, incident_id: int) -> dict[str, Any]:
    """GDPR Art. 33(3) content, the 72-hour clock, the Art. 34 assessment, the notification
    form's fields and the technical annex; fields nobody can know are marked to fill in."""
    workspace = server(request).config.workspace
    with catalog_for(request, missing="incident") as catalog:
        catalog.incidents.get(incident_id)
    with catalog_for(request) as catalog:
        return breach_report(catalog, workspace, incident_id, who.name)


@router.post("/incidents", status_code=201, summary="Open an incident")
def post_incident(request: Request, who: Analyst, new: NewIncident) -> dict[str, Any]:
    """Open an incident; recorded in its own trail and the audit log."""
    with catalog_for(request) as catalog:
        try:
            with catalog.transaction():
                incident = open_incident(
                    catalog,
                    new.title,
                    new.widening(),
                    who.name,
                    severity=new.severity,
                    summary=new.summary,
                    since=new.since,
                    until=new.until,
                )
                who.record(catalog, "api", "incident.open", f"incident:{incident.id}")
        except InputError as exc:
            raise ApiError(422, exc.message) from exc
        return incident.to_dict()


@router.patch("/incidents/{incident_id}", summary="Change an incident")
def patch_incident(
    request: Request, who: Analyst, incident_id: int, patch: IncidentPatch
) -> dict[str, Any]:
    """Change status (closing needs a resolution), description, add a note or widen the scope."""
    change = IncidentChange(
        patch.status,
        patch.resolution,
        patch.note,
        patch.title,
        patch.severity,
        patch.summary,
        patch.aware_at,
        patch.add.widening() if patch.add else Widening(),
    )
    with catalog_for(request, missing="incident") as catalog:
        catalog.incidents.get(incident_id)
        try:
            with catalog.transaction():
                incident = change_incident(catalog, incident_id, change, who.name)
                who.record(
                    catalog,
                    "api",
                    "incident.update",
                    f"incident:{incident_id}",
                    **patch.model_dump(exclude_none=True),
                )
        except InputError as exc:
            raise ApiError(422, exc.message) from exc
        return incident.to_dict()
