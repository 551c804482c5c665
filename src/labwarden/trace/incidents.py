"""Canary alerts and traces into incidents: what was touched or leaked joins the scope of the
open incidents (or the one named), with a note a person can read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from labwarden.core.incident import AttachmentRecord, Scope
from labwarden.seal.hashing import digest_file
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog
from labwarden.trace.service import TraceReport

ACTOR = "labwarden trace"
_SELECTORS = (("actor_user", "principal"), ("access_key", "access_key"), ("src_ip", "source_ip"))


def targets(catalog: Catalog, incident: int | None) -> list[int]:
    """The incident named (checked), else every open incident."""
    if incident is not None:
        return [catalog.incidents.get(incident).id]
    return [i.id for i in catalog.incidents.find(status="open")]


def attach_alerts(
    catalog: Catalog, alerts: Sequence[AlertRecord], incident: int | None = None
) -> list[int]:
    """Add canary alerts, and who and where they came from, to the incidents; their ids."""
    ids = catalog.canaries.alert_ids([a.fingerprint for a in alerts])
    chosen = targets(catalog, incident) if ids else []
    selectors = sorted(
        {
            (kind, str(event[column]))
            for alert in alerts
            for event in alert.evidence
            for column, kind in _SELECTORS
            if event.get(column)
        }
    )
    for incident_id in chosen:
        catalog.incidents.add(incident_id, Scope(selectors=selectors, alerts=ids), ACTOR)
    return chosen


def attach_trace(
    catalog: Catalog, report: TraceReport, path: Path, incident: int | None = None
) -> list[int]:
    """Attach the leaked sample (by SHA-256), the assets it comes from and the verdict to the
    incidents; their ids."""
    chosen = targets(catalog, incident)
    if not chosen:
        return []
    assets = sorted({int(c["asset_id"]) for c in report.candidates if c.get("asset_id")})
    attachments: list[AttachmentRecord] = []
    if path.is_file():
        attachments.append(
            AttachmentRecord(
                kind="file",
                path=str(path.absolute()),
                sha256=digest_file(str(path), "sha256"),
                size=path.stat().st_size,
                label=f"leaked sample ({report.verdict})",
            )
        )
    for incident_id in chosen:
        catalog.incidents.add(incident_id, Scope(assets=assets, attachments=attachments), ACTOR)
        catalog.incidents.note(incident_id, f"trace: {report.summary()}", ACTOR)
    return chosen
