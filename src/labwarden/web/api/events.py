"""``/api/v1/events``: the event lake with filters and paging."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request

from labwarden.core.errors import InputError
from labwarden.web.api.common import Paging
from labwarden.web.auth import Viewer
from labwarden.web.errors import ApiError
from labwarden.web.state import server
from labwarden.web.views.events import EventFilters, list_events

router = APIRouter(tags=["events"])

_Text = Annotated[str | None, Query(max_length=500)]


@router.get("/events", summary="Query the event lake")
def get_events(
    request: Request,
    who: Viewer,
    page: Paging,
    since: Annotated[str | None, Query(description="From this time (ISO 8601).")] = None,
    until: Annotated[str | None, Query(description="Before this time.")] = None,
    principal: Annotated[str | None, Query(description="User, ARN or key; * wildcards.")] = None,
    asset: Annotated[str | None, Query(description="Asset id, name or URI; * wildcards.")] = None,
    action: Annotated[str | None, Query(description="Operation or activity.")] = None,
    source: _Text = None,
) -> dict[str, Any]:
    """Events newest first; ``next_offset`` is set while there are more."""
    filters = EventFilters(since, until, principal, asset, action, source)
    state = server(request)
    try:
        with state.lake.engine() as engine:
            return list_events(state.config.workspace, filters, page, engine)
    except InputError as exc:
        raise ApiError(400, exc.message) from exc
