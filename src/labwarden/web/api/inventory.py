"""``/api/v1/assets``, ``/assets/{id}``, ``/findings`` and ``/overview``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request

from labwarden.core.values import AssetKind, Sensitivity, Severity
from labwarden.web.api.common import Paging, catalog_for
from labwarden.web.auth import Viewer
from labwarden.web.views.assets import asset_detail, list_assets
from labwarden.web.views.findings import list_findings
from labwarden.web.views.overview import overview

router = APIRouter(tags=["inventory"])


@router.get("/overview", summary="Counts, priorities and trends of the dashboard")
def get_overview(request: Request, who: Viewer) -> dict[str, Any]:
    """Assets by kind and sensitivity, open findings and alerts by severity, priorities, trends."""
    with catalog_for(request) as catalog:
        return overview(catalog)


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
    severity: Annotated[Severity | None, Query(description="At least this severity.")] = None,
    check: str | None = None,
    asset_id: int | None = None,
    include_resolved: bool = False,
) -> dict[str, Any]:
    """Open findings (or all), most severe first; secrets' evidence is withheld from viewers."""
    with catalog_for(request) as catalog:
        return list_findings(
            catalog,
            page,
            who.may("analyst"),
            severity=severity,
            check=check,
            asset_id=asset_id,
            include_resolved=include_resolved,
        )
