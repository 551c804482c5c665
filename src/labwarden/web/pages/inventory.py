"""Pages: the overview, assets with filters, one asset, findings, and trial-data privacy risk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from labwarden.core.values import AssetKind, Sensitivity
from labwarden.web.api.common import catalog_for
from labwarden.web.auth import PageViewer
from labwarden.web.pages.render import render
from labwarden.web.views.assets import asset_detail, list_assets
from labwarden.web.views.findings import list_findings
from labwarden.web.views.overview import overview
from labwarden.web.views.paging import Page

router = APIRouter()

PAGE = 50


def _blank(value: str | None) -> str | None:
    return value or None


@router.get("/")
def overview_page(request: Request, who: PageViewer) -> Response:
    """Assets, open findings and alerts at a glance, what to look at first, and trends."""
    with catalog_for(request) as catalog:
        data = overview(catalog, who.may("analyst"))
    return render(request, "overview.html", who, data=data)


@router.get("/assets")
def assets_page(
    request: Request,
    who: PageViewer,
    kind: str | None = None,
    sensitivity: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Assets, most sensitive first, filtered by kind, sensitivity and text."""
    kind_value = AssetKind(kind) if kind in {k.value for k in AssetKind} else None
    sens = Sensitivity(sensitivity) if sensitivity in {s.value for s in Sensitivity} else None
    with catalog_for(request) as catalog:
        data = list_assets(
            catalog,
            Page(PAGE, offset),
            kind=kind_value,
            sensitivity=sens,
            text=_blank(q),
            may_see_secrets=who.may("analyst"),
        )
    return render(
        request,
        "assets.html",
        who,
        data=data,
        kinds=[k.value for k in AssetKind],
        filters={"kind": kind or "", "sensitivity": sensitivity or "", "q": q or ""},
    )


@router.get("/assets/{asset_id}")
def asset_page(request: Request, who: PageViewer, asset_id: int) -> Response:
    """One asset: why it is sensitive, files, findings, history, seals."""
    with catalog_for(request, missing="asset") as catalog:
        asset = asset_detail(catalog, asset_id, who.may("analyst"))
    return render(request, "asset.html", who, asset=asset)


@router.get("/privacy")
def privacy_page(request: Request, who: PageViewer) -> Response:
    """Re-identification risk of the restricted trial tables the scans assessed."""
    with catalog_for(request) as catalog:
        data = list_findings(catalog, Page(500, 0), who.may("analyst"), check="privacy")
        tables = list_assets(
            catalog,
            Page(500, 0),
            kind=AssetKind.DATASET,
            sensitivity=Sensitivity.RESTRICTED,
            may_see_secrets=who.may("analyst"),
        )
    return render(request, "privacy.html", who, findings=data["items"], tables=tables["items"])
