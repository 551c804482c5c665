"""Alerts: detections stored in the catalog with their evidence events, ranked by risk.

Risk (0-100, the scale analytics alerts share) is banded by severity, so that a rule never
ranks under an alert of a lower severity: critical 80-100, high 60-79, medium 40-59, low 20-39,
informational 0-19 (the same bands analytics alerts get their severity from). Inside its band
an alert rises with the sensitivity of the most sensitive asset its evidence touched (a canary
counts as restricted): reading a restricted dataset outranks the same detection on a public
bucket. The parts of the score are stored with the alert (``detail.risk``) and shown by
``alerts show``. Storing the same detection again (a re-run of ``detect``) updates its alert
instead of adding one.
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

RISK_BANDS: dict[Severity, tuple[int, int]] = {
    Severity.INFO: (0, 19),
    Severity.LOW: (20, 39),
    Severity.MEDIUM: (40, 59),
    Severity.HIGH: (60, 79),
    Severity.CRITICAL: (80, 100),
}
"""Risk range of each severity, shared by rule and analytics alerts."""
SENSITIVITY_LIFT = {"public": 0.0, "internal": 0.25, "confidential": 0.6, "restricted": 1.0}
"""How far up its band an alert goes for the most sensitive asset it touched."""
UNKNOWN_LIFT = 0.1


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


def risk_parts(
    level: str, sensitivity: Sensitivity | None, *, canary: bool = False
) -> dict[str, Any]:
    """The risk of a rule alert and its parts: the severity's band and the lift inside it."""
    severity = severity_of(level)
    low, high = RISK_BANDS[severity]
    if canary:
        lift, why = 1.0, "a canary was touched"
    elif sensitivity is None:
        lift, why = UNKNOWN_LIFT, "no asset of known sensitivity"
    else:
        lift, why = (
            SENSITIVITY_LIFT.get(sensitivity.value, UNKNOWN_LIFT),
            (f"most sensitive asset: {sensitivity.value}"),
        )
    risk = round(low + lift * (high - low))
    return {
        "risk": risk,
        "band": f"{severity.value} {low}-{high}",
        "base": low,
        "sensitivity_points": risk - low,
        "sensitivity": why,
    }


def risk_of(level: str, sensitivity: Sensitivity | None) -> int:
    """Risk on the shared 0-100 scale (see :func:`risk_parts`)."""
    return int(risk_parts(level, sensitivity)["risk"])


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


def role_of(evidence: Sequence[dict[str, Any]]) -> str | None:
    """The role (peer group) the evidence's principal acted through, when there is one."""
    roles = sorted({str(e["actor_role"]) for e in evidence if e.get("actor_role")})
    return ", ".join(roles) if roles else None


def record_of(catalog: Catalog, detection: Detection) -> AlertRecord:
    """What a rule detection stores as an alert."""
    sensitivity = top_sensitivity(detection.evidence)
    canary = any(e.get("asset_canary") for e in detection.evidence)
    if canary:
        sensitivity = Sensitivity.RESTRICTED
    level = detection.rule.level
    parts = risk_parts(level, sensitivity, canary=canary)
    detail: dict[str, Any] = {"risk": parts}
    role = role_of(detection.evidence)
    if role:
        detail["role"] = role
    reasons = sorted({str(e["asset_reason"]) for e in detection.evidence if e.get("asset_reason")})
    if reasons:
        detail["sensitivity_reasons"] = reasons[:5]
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
        risk=int(parts["risk"]),
        detail=detail,
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
        "role": str(alert.detail.get("role") or "-"),
        "first_seen": alert.first_seen[: 16 if minutes else 19],
        "events": alert.event_count,
        "assets": ", ".join(alert.assets[:assets]),
        "status": alert.status,
    }


ALERT_COLUMNS = [
    "id",
    "risk",
    "severity",
    "rule",
    "principal",
    "role",
    "first_seen",
    "events",
    "assets",
]
"""The columns of :func:`alert_row` a list shows (``status`` too when several are listed)."""
