"""Canary alerts and traces join the scope of open incidents."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.incident import IncidentDraft
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.trace.canaries.kinds import CanaryKind
from labwarden.trace.canaries.plant import PlantRequest, plant
from labwarden.trace.canaries.sweep import sweep
from labwarden.trace.fingerprint.share import share
from labwarden.trace.incidents import attach_trace
from labwarden.trace.service import trace_path
from tests.trace.canaries.helpers import ingest_trail, trail
from tests.trace.fingerprint.helpers import clinical, leak


def test_canary_alerts_join_open_incidents_only(tmp_path: Path, workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        plant(catalog, PlantRequest(CanaryKind.OBJECT, name="d", matches=["s3://lab/decoy/"]))
        open_one = catalog.incidents.open(IncidentDraft("exfiltration"), "lead").id
        closed = catalog.incidents.open(IncidentDraft("old"), "lead").id
        catalog.incidents.set_status(closed, "closed", "lead", resolution="done")
    ingest_trail(
        tmp_path / "logs",
        workspace,
        [trail(5, "GetObject", requestParameters={"bucketName": "lab", "key": "decoy/a.csv"})],
    )
    with Catalog.open(workspace) as catalog:
        result = sweep(workspace, catalog)
        assert result.incidents == [open_one]
        incident = catalog.incidents.get(open_one)
        (alert,) = catalog.alerts.find()
        assert [link.id for link in incident.alerts] == [alert.id]
        assert ("principal", "mallory") in {(s.kind, s.value) for s in incident.selectors}
        assert ("source_ip", "203.0.113.9") in {(s.kind, s.value) for s in incident.selectors}
        assert catalog.incidents.get(closed).alerts == []
        sweep(workspace, catalog)
        assert len(catalog.incidents.get(open_one).alerts) == 1


def test_trace_attaches_sample_assets_and_verdict(tmp_path: Path, workspace: Workspace) -> None:
    source = clinical(tmp_path / "trial.csv", rows=2000)
    with Catalog.open(workspace) as catalog:
        for name in ("alice", "bob"):
            share(workspace, catalog, source, name, tmp_path / f"{name}.csv")
        incident = catalog.incidents.open(IncidentDraft("leak on a forum"), "lead").id
        leaked = leak(tmp_path / "bob.csv", tmp_path / "sample.csv", fraction=0.5)
        report = trace_path(workspace, catalog, leaked)
        assert attach_trace(catalog, report, leaked) == [incident]
        stored = catalog.incidents.get(incident)
    (attachment,) = stored.attachments
    assert attachment.path == str(leaked) and attachment.label == "leaked sample (attributed)"
    assert len(attachment.sha256) == 64 and attachment.size == leaked.stat().st_size
    (note,) = stored.notes
    assert "the copy shared with bob" in note.text and note.author == "labwarden trace"
