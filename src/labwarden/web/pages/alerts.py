"""Pages: the alert triage list, one alert with its evidence, and the triage form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.store.alert_triage import MAX_NOTE, StaleWriteError, TriageChange
from labwarden.web.api.common import catalog_for
from labwarden.web.auth import PageAnalyst, PageViewer
from labwarden.web.errors import ApiError
from labwarden.web.pages.render import form_csrf, render
from labwarden.web.views.alerts import alert_detail, change_alert, list_alerts
from labwarden.web.views.paging import Page

router = APIRouter()

ACTIONS = {"acknowledge": "acknowledged", "close": "closed", "reopen": "open", "note": None}


@router.get("/alerts")
def alerts_page(
    request: Request,
    who: PageViewer,
    status: str = "open",
    severity: str | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Alerts to triage, highest risk first."""
    level = Severity(severity) if severity in {s.value for s in Severity} else None
    wanted = status if status in {"open", "acknowledged", "closed"} else None
    with catalog_for(request) as catalog:
        data = list_alerts(catalog, Page(50, offset), status=wanted, severity=level)
    return render(
        request,
        "alerts.html",
        who,
        data=data,
        filters={"status": wanted or "all", "severity": severity or ""},
    )


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, who: PageViewer, alert_id: int, error: str = "") -> Response:
    """One alert: why, its evidence events, its triage history and (analysts) the form."""
    with catalog_for(request, missing="alert") as catalog:
        alert = alert_detail(catalog, alert_id)
        users = [u.name for u in catalog.users.all() if u.role != "viewer"]
    return render(request, "alert.html", who, alert=alert, users=users, error=error[:300])


@router.post("/alerts/{alert_id}")
def alert_triage(
    request: Request,
    who: PageAnalyst,
    alert_id: int,
    action: Annotated[str, Form()],
    csrf: Annotated[str, Form(max_length=100)] = "",
    revision: Annotated[int | None, Form()] = None,
    reason: Annotated[str, Form(max_length=MAX_NOTE)] = "",
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
    assignee: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """Acknowledge, close (with a reason), reopen, assign or add a note; audited."""
    form_csrf(request, who, csrf)
    if action not in ACTIONS:
        raise ApiError(422, f"unknown action {action!r}")
    change = TriageChange(ACTIONS[action], assignee, note or None, reason or None)
    with catalog_for(request, missing="alert") as catalog:
        catalog.alert_triage.state(alert_id)
        try:
            with catalog.transaction():
                before, after = change_alert(catalog, alert_id, change, who.name, revision)
                if after != before:
                    who.record(
                        catalog,
                        "page",
                        "alert.update",
                        f"alert:{alert_id}",
                        before=before.to_dict(),
                        after=after.to_dict(),
                        note=change.note,
                        reason=change.reason,
                    )
        except (InputError, StaleWriteError) as exc:
            from urllib.parse import quote

            return RedirectResponse(
                f"/alerts/{alert_id}?error={quote(exc.message)}", status_code=303
            )
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
