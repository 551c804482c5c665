"""Opening incidents from alerts: the alert's principal, keys, addresses and assets follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.core.values import Severity
from labwarden.core.workspace import Workspace
from labwarden.respond.incident import IncidentRequest, current_actor, open_incident
from labwarden.respond.incident.cases import widen_incident
from labwarden.store.alerts import AlertRecord
from labwarden.store.catalog import Catalog


def _record(fingerprint: str, severity: Severity, first: str, last: str) -> AlertRecord:
    return AlertRecord(
        fingerprint=fingerprint,
        rule_id=fingerprint,
        rule_title="bulk read of restricted data",
        rule_path="",
        kind="detection",
        severity=severity,
        tags=[],
        group={},
        principal="svc-train",
        first_seen=first,
        last_seen=last,
        event_count=2,
        asset_id=None,
        assets=[],
        sensitivity="restricted",
        risk=80,
        evidence=[
            {
                "time": first,
                "actor_user": "svc-train",
                "access_key": "AKIAEXAMPLE",
                "src_ip": "198.51.100.7",
                "asset_id": 12345,
            },
            {
                "time": last,
                "actor_user": "svc-train",
                "access_key": "AKIAEXAMPLE",
                "src_ip": "198.51.100.8",
            },
        ],
    )


def test_alerts_give_selectors_window_and_severity(workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        catalog.alerts.upsert(
            [
                _record(
                    "a", Severity.MEDIUM, "2026-03-01T10:00:00+00:00", "2026-03-01T11:00:00+00:00"
                ),
                _record(
                    "b", Severity.CRITICAL, "2026-03-01T09:30:00+00:00", "2026-03-01T10:30:00+00:00"
                ),
            ]
        )
        ids = [a.id for a in catalog.alerts.find()]
        incident = open_incident(
            catalog, "exfiltration", IncidentRequest(alerts=ids, hosts=["gpu-01"]), "alice"
        )
        assert incident.severity is Severity.CRITICAL
        assert incident.since == "2026-03-01T09:30:00+00:00"
        assert incident.until == "2026-03-01T11:00:00+00:00"
        assert sorted(incident.alert_ids) == sorted(ids)
        assert incident.selected("principal") == ["svc-train"]
        assert incident.selected("access_key") == ["AKIAEXAMPLE"]
        assert incident.selected("source_ip") == ["198.51.100.7", "198.51.100.8"]
        assert incident.selected("host") == ["gpu-01"]
        assert incident.assets == []  # asset 12345 is not in the catalog: not linked

        bare = open_incident(
            catalog, "only the alert", IncidentRequest(alerts=ids[:1], derive=False), "alice"
        )
        assert bare.selectors == []


def test_triage_archive_is_attached_by_hash(workspace: Workspace, tmp_path: Path) -> None:
    archive = tmp_path / "host.tar.gz"
    archive.write_bytes(b"not really an archive, but a file with a digest")
    with Catalog.open(workspace) as catalog:
        incident = open_incident(catalog, "t", IncidentRequest(), "alice")
        added = widen_incident(catalog, incident.id, IncidentRequest(triage=[archive]), "bob")
        assert added["attachments"] == 1
        attached = catalog.incidents.get(incident.id).attachments[0]
        assert attached.size == archive.stat().st_size
        assert attached.path == str(archive.resolve())
        with pytest.raises(InputError, match="no such triage archive"):
            widen_incident(catalog, incident.id, IncidentRequest(triage=[tmp_path / "gone"]), "bob")


def test_actor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABWARDEN_ACTOR", "from-env")
    assert current_actor(" given ") == "given"
    assert current_actor(None) == "from-env"
    monkeypatch.delenv("LABWARDEN_ACTOR")
    assert current_actor(None)
