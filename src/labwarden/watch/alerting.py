"""Alerts: detections stored in the catalog with their evidence events, ranked by risk.

Risk (0-100, the scale analytics alerts share) is the rule's level weighted by the sensitivity
of the most sensitive asset the evidence touched (a canary counts as restricted): reading a
restricted dataset outranks the same anomaly on a public bucket. Storing the same detection
again (a re-run of ``detect``) updates its alert instead of adding one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from labwarden.core.values import Sensitivity, Severity
from labwarden.store.alerts import AlertRecord, StoredAlert
from labwarden.store.catalog import Catalog

if TYPE_CHECKING:
    from labwarden.watch.detect.run import Detection

LEVEL_WEIGHT = {"informational": 1, "info": 1, "low": 2, "medium": 4, "high": 7, "critical": 10}
SENSITIVITY_WEIGHT = {"public": 1, "internal": 2, "confidential": 3, "restricted": 5}


def severity_of(level: str) -> Severity:
    """A Sigma level as a labwarden severity."""
    if level in ("informational", "info"):
        return Severity.INFO
    try:
        return Severity.parse(level)
    except ValueError:
        return Severity.MEDIUM


def top_sensitivity(evidence: Sequence[dict[str, Any]]) -> Sensitivity | None:
    """The highest sensitivity among the evidence's assets (canaries count as restricted)."""
    best: Sensitivity | None = None
    for event in evidence:
        value = event.get("asset_sensitivity")
        if not value:
            continue
        try:
            found = Sensitivity.parse(str(value))
        except ValueError:
            continue
        if best is None or found > best:
            best = found
    return best


def risk_of(level: str, sensitivity: Sensitivity | None) -> int:
    """Risk on the shared 0-100 scale: level weight (1-10) times sensitivity weight (1-5; 1
    when no asset is known), times 2."""
    weight = SENSITIVITY_WEIGHT.get(sensitivity.value, 1) if sensitivity else 1
    return 2 * LEVEL_WEIGHT.get(level, 4) * weight


def _iso(value: datetime) -> str:
    return value.isoformat()


def _principal(detection: Detection) -> str | None:
    for key in ("actor_user", "actor_uid", "access_key", "src_ip"):
        value = detection.group.get(key)
        if value:
            return str(value)
    users = {e.get("actor_user") for e in detection.evidence if e.get("actor_user")}
    return str(next(iter(users))) if len(users) == 1 else None


def _asset_id(catalog: Catalog, evidence: Sequence[dict[str, Any]]) -> int | None:
    ids = {e.get("asset_id") for e in evidence if e.get("asset_id") is not None}
    for asset_id in sorted(int(i) for i in ids if i is not None):
        if catalog.assets.exists(asset_id):
            return asset_id
    return None


def record_of(catalog: Catalog, detection: Detection) -> AlertRecord:
    """What a rule detection stores as an alert."""
    sensitivity = top_sensitivity(detection.evidence)
    if any(e.get("asset_canary") for e in detection.evidence):
        sensitivity = Sensitivity.RESTRICTED
    level = detection.rule.level
    return AlertRecord(
        fingerprint=detection.fingerprint,
        rule_id=detection.rule.id,
        rule_title=detection.rule.title,
        rule_path=detection.rule.path,
        kind=detection.rule.kind,
        severity=severity_of(level),
        tags=detection.rule.tags,
        group=dict(sorted(detection.group.items())),
        principal=_principal(detection),
        first_seen=_iso(detection.first_seen),
        last_seen=_iso(detection.last_seen),
        event_count=detection.count,
        asset_id=_asset_id(catalog, detection.evidence),
        assets=detection.assets,
        sensitivity=sensitivity.value if sensitivity else None,
        risk=risk_of(level, sensitivity),
        evidence=detection.evidence,
    )


def store(catalog: Catalog, detections: Sequence[Detection]) -> tuple[int, int]:
    """Insert new alerts and refresh known ones in one transaction; ``(new, updated)``."""
    return catalog.alerts.upsert([record_of(catalog, d) for d in detections])


def alert_row(alert: StoredAlert, *, minutes: bool = False, assets: int = 3) -> dict[str, Any]:
    """One line of an alert list: what ``labwarden alerts`` and the demo show."""
    return {
        "id": alert.id,
        "risk": alert.risk,
        "severity": alert.severity.value,
        "rule": alert.rule_title,
        "principal": alert.principal or "-",
        "first_seen": alert.first_seen[: 16 if minutes else 19],
        "events": alert.event_count,
        "assets": ", ".join(alert.assets[:assets]),
        "status": alert.status,
    }


ALERT_COLUMNS = ["id", "risk", "severity", "rule", "principal", "first_seen", "events", "assets"]
"""The columns of :func:`alert_row` a list shows (``status`` too when several are listed)."""
