"""``/api/v1/assets``, ``/assets/{id}``, ``/findings`` and ``/overview``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.requests import Request

from labwarden.core.errors import InputError
from labwarden.core.values import AssetKind, Sensitivity, Severity
from labwarden.web.api.common import Paging, catalog_for
from labwarden.web.auth import Analyst, Viewer
from labwarden.web.errors import ApiError
from labwarden.web.views.assets import asset_detail, list_assets
from labwarden.web.views.findings import finding_detail, list_findings, resolve, triage_finding
from labwarden.web.views.overview import overview

router = APIRouter(tags=["inventory"])


@router.get("/overview", summary="Counts, priorities and trends of the dashboard")
def get_overview(request: Request, who: Viewer) -> dict[str, Any]:
    """Assets by kind and sensitivity, open findings and alerts by severity, priorities, trends."""
    with catalog_for(request) as catalog:
        return overview(catalog, who.may("analyst"))


@router.get("/assets", summary="List assets")
def get_assets(
    request: Request,
    who: Viewer,
    page: Paging,
    kind: AssetKind | None = None,
    sensitivity: Sensitivity | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of name or URI.")] = None,
    include_removed: bool = False,
) -> dict[str, Any]:
    """Assets of the catalog, most sensitive first, with their open finding counts."""
    with catalog_for(request) as catalog:
        return list_assets(
            catalog,
            page,
            kind=kind,
            sensitivity=sensitivity,
            text=q,
            include_removed=include_removed,
            may_see_secrets=who.may("analyst"),
        )


@router.get("/assets/{asset_id}", summary="One asset in full")
def get_asset(request: Request, who: Viewer, asset_id: int) -> dict[str, Any]:
    """Why the asset is as sensitive as it is, its files, open findings, history and seals."""
    with catalog_for(request, missing="asset") as catalog:
        return asset_detail(catalog, asset_id, who.may("analyst"))


@router.get("/findings", summary="List findings")
def get_findings(
    request: Request,
    who: Viewer,
    page: Paging,
    status: Annotated[
        Literal["open", "accepted", "fixed", "all"], Query(description="Triage status.")
    ] = "open",
    severity: Annotated[Severity | None, Query(description="At least this severity.")] = None,
    check: Annotated[str | None, Query(max_length=200, description="Check, or check/rule.")] = None,
    asset_id: int | None = None,
    kind: AssetKind | None = None,
    new_since: Annotated[str | None, Query(description="First seen at or after (UTC).")] = None,
) -> dict[str, Any]:
    """Findings with their triage state, most severe first; secrets' evidence is withheld
    from viewers."""
    with catalog_for(request) as catalog:
        return list_findings(
            catalog,
            page,
            who.may("analyst"),
            status=status,
            severity=severity,
            check=check,
            asset_id=asset_id,
            kind=kind,
            new_since=new_since,
        )


@router.get("/findings/{ref}", summary="One finding with its triage history")
def get_finding(request: Request, who: Viewer, ref: str) -> dict[str, Any]:
    """A finding by id or fingerprint (or a unique prefix of at least 6 characters)."""
    with catalog_for(request, missing="finding") as catalog:
        return finding_detail(catalog, ref, who.may("analyst"))


class FindingPatch(BaseModel):
    """A triage decision about a finding."""

    status: Literal["open", "accepted", "fixed"]
    reason: Annotated[str, Field(max_length=10_000)] = ""
    """Required to accept."""
    expires: str | None = None
    """When an acceptance ends (ISO 8601 UTC)."""


@router.patch("/findings/{ref}", summary="Triage a finding")
def patch_finding(request: Request, who: Analyst, ref: str, patch: FindingPatch) -> dict[str, Any]:
    """Accept the risk (with a reason), mark fixed or reopen; kept across rescans, audited."""
    with catalog_for(request, missing="finding") as catalog:
        fingerprint = resolve(catalog, ref)
        try:
            with catalog.transaction():
                before, after = triage_finding(
                    catalog, fingerprint, patch.status, who.name, patch.reason, patch.expires
                )
                who.record(
                    catalog,
                    "api",
                    "finding.triage",
                    f"finding:{fingerprint}",
                    before=before,
                    after=after,
                    reason=patch.reason,
                    expires=patch.expires,
                )
        except InputError as exc:
            raise ApiError(422, exc.message) from exc
        return finding_detail(catalog, fingerprint, who.may("analyst"))
