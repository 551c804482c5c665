"""Findings: lists with filters and triage state, one finding with its history, and triage."""

from __future__ import annotations

from typing import Any

from labwarden.core.errors import InputError
from labwarden.core.values import AssetKind, Severity
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery, StoredFinding, TriageStatus
from labwarden.web.views.paging import Page
from labwarden.web.views.redact import finding_for

STATUS_NAMES = ("open", "accepted", "fixed", "all")


def statuses(name: str) -> tuple[TriageStatus, ...]:
    """The triage statuses a ``status`` filter means (``all``: every one)."""
    return () if name == "all" else (TriageStatus(name),)


def _document(item: StoredFinding, may_see_secrets: bool) -> dict[str, Any]:
    return finding_for(item.to_dict(), may_see_secrets)


def list_findings(
    catalog: Catalog,
    page: Page,
    may_see_secrets: bool,
    *,
    status: str = "open",
    severity: Severity | None = None,
    check: str | None = None,
    asset_id: int | None = None,
    kind: AssetKind | None = None,
    new_since: str | None = None,
) -> dict[str, Any]:
    """One page of findings, most severe first."""
    query = FindingQuery(
        min_severity=severity,
        checks=(check,) if check else (),
        asset_ids=(asset_id,) if asset_id is not None else (),
        kinds=(kind,) if kind else (),
        statuses=statuses(status),
        new_since=new_since,
    )
    found = catalog.findings.query(query, limit=page.limit, offset=page.offset)
    items = [_document(f, may_see_secrets) for f in found.items]
    return page.document(items, found.total)


def _ref(ref: str) -> str:
    """``ref`` if it can name a finding (an id or hex fingerprint): :class:`InputError` for
    anything else, before the store parses it."""
    if not (ref.isascii() and ref.isalnum()) or len(ref) > 64:
        raise InputError(f"no finding {ref!r}: give an id or a fingerprint")
    return ref


def finding_detail(catalog: Catalog, ref: str, may_see_secrets: bool) -> dict[str, Any]:
    """One finding (by id or fingerprint) with its triage history."""
    item = catalog.findings.get(_ref(ref))
    document = _document(item, may_see_secrets)
    document["history"] = [e.to_dict() for e in catalog.findings.history(item.fingerprint)]
    return document


def triage_finding(
    catalog: Catalog,
    ref: str,
    status: str,
    actor: str,
    reason: str = "",
    expires: str | None = None,
) -> tuple[str, str]:
    """Accept (a reason is required), mark fixed or reopen one finding; ``(before, after)``."""
    fingerprint = catalog.findings.resolve(_ref(ref))
    before = catalog.findings.get(fingerprint).status.value
    if status == "accepted":
        after = catalog.findings.accept([fingerprint], reason=reason, actor=actor, expires=expires)
    else:
        after = catalog.findings.triage(
            [fingerprint], TriageStatus(status), reason=reason, actor=actor
        )
    return before, after[0].status.value


def resolve(catalog: Catalog, ref: str) -> str:
    """The fingerprint ``ref`` names (:class:`InputError` when none)."""
    return catalog.findings.resolve(_ref(ref))
