"""Assets: lists with filters, and one asset with why it is sensitive, files, findings, seals."""

from __future__ import annotations

from typing import Any

from labwarden.core.values import AssetKind, Sensitivity
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, TriageStatus
from labwarden.web.views.paging import Page
from labwarden.web.views.redact import finding_for, withhold_secrets


def list_assets(
    catalog: Catalog,
    page: Page,
    *,
    kind: AssetKind | None = None,
    sensitivity: Sensitivity | None = None,
    text: str | None = None,
    include_removed: bool = False,
    may_see_secrets: bool,
) -> dict[str, Any]:
    """One page of assets, most sensitive first; ``text`` matches name or URI (the secrets
    quoted in sensitivity reasons withheld unless ``may_see_secrets``)."""
    found = catalog.assets.find(kind=kind, sensitivity=sensitivity, include_removed=include_removed)
    if text:
        needle = text.lower()
        found = [a for a in found if needle in a.name.lower() or needle in a.uri.lower()]
    counts = _open_findings(catalog)
    items = []
    for asset in page.of(found):
        item = asset.to_dict()
        item["open_findings"] = counts.get(asset.id, 0)
        items.append(item)
    return page.document(withhold_secrets(items, may_see_secrets), len(found))


def _open_findings(catalog: Catalog) -> dict[int, int]:
    counts: dict[int, int] = {}
    for item in catalog.findings.all():
        asset_id = item.finding.asset_id
        if asset_id is not None:
            counts[asset_id] = counts.get(asset_id, 0) + 1
    return counts


def asset_detail(catalog: Catalog, asset_id: int, may_see_secrets: bool) -> dict[str, Any]:
    """One asset in full: sensitivity reasons, files, open findings, history and seals."""
    asset = catalog.assets.get(str(asset_id))
    prefix = asset.uri.rstrip("/") + "/"
    files = [
        {
            "path": f.path.removeprefix(prefix) or f.name,
            "format": f.format,
            "kind": f.kind.value,
            "size": f.size,
            "mode": f"{f.mode:04o}",
            "owner": f.owner,
            "digest": f"{f.digest_algorithm}:{f.digest}" if f.digest else None,
            "columns": f.columns,
        }
        for f in catalog.files.of_asset(asset.id)
    ]
    seals = []
    for version in catalog.seals.versions(asset.id):
        seal = version.to_dict()
        seal["verifications"] = catalog.seals.verifications(version.id)
        seals.append(seal)
    document = {
        **asset.to_dict(),
        "files": files,
        "findings": [
            finding_for(f.to_dict(), may_see_secrets)
            for f in catalog.findings.all(
                FindingQuery(
                    asset_ids=(asset.id,), statuses=(TriageStatus.OPEN, TriageStatus.ACCEPTED)
                )
            )
        ],
        "history": [h.to_dict() for h in catalog.assets.history(asset.id)],
        "seals": seals,
    }
    return withhold_secrets(document, may_see_secrets)
