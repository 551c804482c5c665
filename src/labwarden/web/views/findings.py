"""Findings: open (or all) findings with filters, as a viewer or analyst may see them."""

from __future__ import annotations

from typing import Any

from labwarden.core.values import Severity
from labwarden.store.catalog import Catalog
from labwarden.web.views.paging import Page
from labwarden.web.views.redact import finding_for


def list_findings(
    catalog: Catalog,
    page: Page,
    may_see_secrets: bool,
    *,
    severity: Severity | None = None,
    check: str | None = None,
    asset_id: int | None = None,
    include_resolved: bool = False,
) -> dict[str, Any]:
    """One page of findings, most severe first."""
    found = catalog.findings.find(
        asset_id=asset_id, min_severity=severity, include_resolved=include_resolved
    )
    if check:
        found = [f for f in found if f.check == check]
    items = [finding_for(f.to_dict(), may_see_secrets) for f in page.of(found)]
    return page.document(items, len(found))
