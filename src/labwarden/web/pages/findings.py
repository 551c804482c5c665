"""Pages: findings with their triage state, one finding, and the triage form."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.web.api.common import catalog_for
from labwarden.web.auth import PageAnalyst, PageViewer
from labwarden.web.errors import ApiError
from labwarden.web.pages.render import form_csrf, render
from labwarden.web.views.findings import (
    STATUS_NAMES,
    finding_detail,
    list_findings,
    resolve,
    triage_finding,
)
from labwarden.web.views.paging import Page

router = APIRouter()

ACTIONS = {"accept": "accepted", "fixed": "fixed", "reopen": "open"}


@router.get("/findings")
def findings_page(
    request: Request,
    who: PageViewer,
    status: str = "open",
    severity: str | None = None,
    check: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Findings, most severe first, by triage status."""
    level = Severity(severity) if severity in {s.value for s in Severity} else None
    wanted = status if status in STATUS_NAMES else "open"
    with catalog_for(request) as catalog:
        data = list_findings(
            catalog,
            Page(50, offset),
            who.may("analyst"),
            status=wanted,
            severity=level,
            check=check or None,
        )
    return render(
        request,
        "findings.html",
        who,
        data=data,
        statuses=STATUS_NAMES,
        filters={"status": wanted, "severity": severity or "", "check": check or ""},
    )


@router.get("/findings/{ref}")
def finding_page(request: Request, who: PageViewer, ref: str, error: str = "") -> Response:
    """One finding: where, why, how to fix, and its triage history."""
    with catalog_for(request, missing="finding") as catalog:
        finding = finding_detail(catalog, ref, who.may("analyst"))
    return render(request, "finding.html", who, finding=finding, error=error[:300])


@router.post("/findings/{ref}")
def finding_triage(
    request: Request,
    who: PageAnalyst,
    ref: str,
    action: Annotated[str, Form()],
    csrf: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=10_000)] = "",
    expires: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Accept with a reason (optionally until a date), mark fixed or reopen; audited."""
    form_csrf(request, who, csrf)
    if action not in ACTIONS:
        raise ApiError(422, f"unknown action {action!r}")
    with catalog_for(request, missing="finding") as catalog:
        fingerprint = resolve(catalog, ref)
        try:
            with catalog.transaction():
                before, after = triage_finding(
                    catalog, fingerprint, ACTIONS[action], who.name, reason, expires or None
                )
                who.record(
                    catalog,
                    "page",
                    "finding.triage",
                    f"finding:{fingerprint}",
                    before=before,
                    after=after,
                    reason=reason,
                )
        except InputError as exc:
            return RedirectResponse(
                f"/findings/{fingerprint}?error={quote(exc.message)}", status_code=303
            )
    return RedirectResponse(f"/findings/{fingerprint}", status_code=303)
