"""The overview: assets by kind and sensitivity, open findings and alerts by severity, what to
look at first, and trends over time."""

from __future__ import annotations

from typing import Any

from labwarden.core.values import AssetKind, Sensitivity, Severity
from labwarden.report.overview import priorities
from labwarden.store.catalog import Catalog
from labwarden.store.findings import TriageStatus
from labwarden.web.views.redact import withhold_secrets


def overview(catalog: Catalog, may_see_secrets: bool) -> dict[str, Any]:
    """Everything the overview page shows, as one JSON-ready document (the secrets quoted in
    priorities withheld unless ``may_see_secrets``)."""
    counts = catalog.assets.counts()
    by_kind = {
        kind.value: {s.value: counts.get((kind.value, s.value), 0) for s in Sensitivity}
        for kind in AssetKind
        if any(counts.get((kind.value, s.value), 0) for s in Sensitivity)
    }
    findings: dict[str, int] = {}
    for (status, severity), count in catalog.findings.counts().items():
        if status is TriageStatus.OPEN:
            findings[severity.value] = findings.get(severity.value, 0) + count
    alerts = catalog.dashboard.alerts_by_severity()
    order = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]
    return {
        "assets": {
            "total": sum(counts.values()),
            "by_kind": by_kind,
            "by_sensitivity": {
                s.value: sum(n for (_, sens), n in counts.items() if sens == s.value)
                for s in sorted(Sensitivity, key=lambda s: -s.rank)
            },
        },
        "findings": {"open": sum(findings.values()), "by_severity": _ordered(findings, order)},
        "alerts": {"open": sum(alerts.values()), "by_severity": _ordered(alerts, order)},
        "priorities": withhold_secrets([p.to_dict() for p in priorities(catalog)], may_see_secrets),
        "trends": {
            "findings_per_day": [
                {"day": d, "count": n} for d, n in catalog.dashboard.findings_trend()
            ],
            "alerts_per_day": [{"day": d, "count": n} for d, n in catalog.dashboard.alerts_trend()],
        },
        "last_scan": catalog.dashboard.last_scan(),
    }


def _ordered(counts: dict[str, int], order: list[str]) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in order}
