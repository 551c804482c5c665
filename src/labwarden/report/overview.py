"""What a user should look at first after a scan: severe findings, then restricted assets."""

from __future__ import annotations

from dataclasses import dataclass

from labwarden.core.values import Sensitivity, Severity
from labwarden.store.assets import StoredAsset
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery


@dataclass(frozen=True, slots=True)
class Priority:
    """One line of the "look at this first" list."""

    rank: int
    level: str
    asset_id: int | None
    asset: str
    why: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "rank": self.rank,
            "level": self.level,
            "asset_id": self.asset_id,
            "asset": self.asset,
            "why": self.why,
        }


URGENCY = {"modelfile": 4, "secrets": 3, "permissions": 2, "seal": 2, "pii": 1}
"""Within one severity: code that runs when loaded, then live credentials, then exposure."""


def priorities(catalog: Catalog, limit: int = 15) -> list[Priority]:
    """Severe open findings first (critical, high; not accepted or fixed), then restricted
    assets with their top reason.

    Findings of one severity are ordered by :data:`URGENCY`, then by the asset's sensitivity.
    """
    assets = {a.id: a for a in catalog.assets.find(sensitivity=Sensitivity.RESTRICTED)}
    items: list[tuple[int, str, StoredAsset | None, str]] = []
    open_findings = catalog.findings.all(FindingQuery(min_severity=Severity.HIGH))
    for finding in (item.finding for item in open_findings):
        asset = None
        if finding.asset_id is not None:
            if finding.asset_id not in assets:
                assets[finding.asset_id] = catalog.assets.get(str(finding.asset_id))
            asset = assets[finding.asset_id]
        score = (
            1000
            + finding.severity.rank * 100
            + URGENCY.get(finding.check, 0) * 10
            + (asset.sensitivity.rank if asset else 0)
        )
        items.append((score, finding.severity.value, asset, f"{finding.message} [{finding.check}]"))
    flagged = {a.id for _, _, a, _ in items if a is not None}
    for asset in assets.values():
        if asset.sensitivity is Sensitivity.RESTRICTED and asset.id not in flagged:
            top = max(asset.reasons, key=lambda r: r.sensitivity.rank, default=None)
            why = top.reason if top else "restricted by policy"
            items.append((50, asset.sensitivity.value, asset, why))
    items.sort(key=lambda item: (-item[0], item[2].uri if item[2] else ""))
    return [
        Priority(
            rank=i + 1,
            level=level,
            asset_id=asset.id if asset else None,
            asset=f"{asset.kind.value} {asset.name}" if asset else "",
            why=why,
        )
        for i, (_, level, asset, why) in enumerate(items[:limit])
    ]
