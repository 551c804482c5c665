"""``/api/v1/alerts``: the triage list, one alert with evidence, and ``PATCH`` to triage it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field
from starlette.requests import Request

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.store.alert_triage import MAX_NOTE, StaleWriteError, TriageChange
from labwarden.web.api.common import Paging, catalog_for
from labwarden.web.auth import Analyst, Viewer
from labwarden.web.errors import ApiError
from labwarden.web.views.alerts import alert_detail, change_alert, list_alerts

router = APIRouter(tags=["alerts"])


class AlertPatch(BaseModel):
    """A triage change; fields left out stay as they are."""

    status: Literal["open", "acknowledged", "closed"] | None = None
    assignee: Annotated[str | None, Field(max_length=200)] = None
    """A user name, or an empty string to unassign."""
    note: Annotated[str | None, Field(max_length=MAX_NOTE)] = None
    reason: Annotated[str | None, Field(max_length=MAX_NOTE)] = None
    """Why the status changes; required to close."""


def etag(revision: int) -> str:
    """The ``ETag`` of an alert at ``revision``."""
    return f'"r{revision}"'


def _expected(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"').removeprefix("r")
    if not (text.isascii() and text.isdigit()):
        raise ApiError(400, f'If-Match must be an ETag this API sent (like "r3"), not {if_match}')
    return int(text)


@router.get("/alerts", summary="List alerts")
def get_alerts(
    request: Request,
    who: Viewer,
    page: Paging,
    status: Annotated[
        Literal["open", "acknowledged", "closed", "all"], Query(description="Triage status.")
    ] = "open",
    severity: Annotated[Severity | None, Query(description="At least this severity.")] = None,
    rule: Annotated[str | None, Query(max_length=200)] = None,
    assignee: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Alerts, highest risk first."""
    with catalog_for(request) as catalog:
        return list_alerts(
            catalog,
            page,
            status=None if status == "all" else status,
            severity=severity,
            rule=rule,
            assignee=assignee,
        )


@router.get("/alerts/{alert_id}", summary="One alert with its evidence")
def get_alert(request: Request, response: Response, who: Viewer, alert_id: int) -> dict[str, Any]:
    """The alert, its evidence events and its triage history; ``ETag`` is its revision."""
    with catalog_for(request, missing="alert") as catalog:
        document = alert_detail(catalog, alert_id)
    response.headers["ETag"] = etag(document["revision"])
    return document


@router.patch("/alerts/{alert_id}", summary="Triage an alert")
def patch_alert(
    request: Request,
    response: Response,
    who: Analyst,
    alert_id: int,
    change: AlertPatch,
    if_match: Annotated[str | None, Header(description="Refuse if the alert changed.")] = None,
) -> dict[str, Any]:
    """Change status (closing needs a reason), assignee or add a note; recorded in the audit log.

    With ``If-Match`` (the ``ETag`` of a GET) the change is refused with 412 when someone else
    changed the alert meanwhile.
    """
    expected = _expected(if_match)
    wanted = TriageChange(change.status, change.assignee, change.note, change.reason)
    with catalog_for(request, missing="alert") as catalog:
        catalog.alert_triage.state(alert_id)  # 404 before anything else
        try:
            with catalog.transaction():
                before, after = change_alert(catalog, alert_id, wanted, who.name, expected)
                if after != before or change.note:
                    who.record(
                        catalog,
                        "api",
                        "alert.update",
                        f"alert:{alert_id}",
                        before=before.to_dict(),
                        after=after.to_dict(),
                        note=change.note,
                        reason=change.reason,
                    )
        except StaleWriteError as exc:
            raise ApiError(412, exc.message) from exc
        except InputError as exc:
            raise ApiError(422, exc.message) from exc
        document = alert_detail(catalog, alert_id)
    response.headers["ETag"] = etag(document["revision"])
    return document
