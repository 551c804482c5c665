"""The demo's incident step: the stolen key's alerts and the server's triage archive as one
incident, its breach report written, and a second run reusing it."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab
from labwarden.demo.run import DemoContext, _steps
from labwarden.demo.steps.incident import TITLE, incident_step
from labwarden.demo.steps.seals import _demo_key
from labwarden.demo.steps.triage import triage_step
from labwarden.demo.steps.watch import watch_step
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog


def test_demo_step_is_registered_after_triage() -> None:
    steps = _steps()
    assert steps.index(incident_step) > steps.index(triage_step)


def test_the_intrusion_becomes_one_incident_with_a_report(demo_lab: Lab, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws").ensure()
    policy = workspace_policy(workspace.policy_path)
    with Catalog.open(workspace) as catalog:
        scan = run_scan(catalog, LocalSource([str(demo_lab.root)], exclude=policy.exclude), policy)
        context = DemoContext(demo_lab, workspace, catalog, scan)
        _demo_key(context)
        watch_step(context)
        triage_step(context)
        incident_step(context)
        triage_step(context)  # rebuilds the archive
        incident_step(context)  # reuses the incident, swaps in the new archive
        incidents = catalog.incidents.find()
    assert [i.title for i in incidents] == [TITLE]
    incident = incidents[0]
    assert incident.status == "contained" and incident.alerts
    assert len([a for a in incident.attachments if a.kind == "triage"]) == 1
    section = next(s for s in context.sections if s.title.startswith("Incident 1"))
    values = {r["measure"]: r["value"] for r in section.rows}
    assert values["data subjects"] and values["data subjects"] > 0
    assert values["assets read"] >= 3
    page = Path(str(values["report"]))
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert (page.parent / "incident-1.md").read_text().startswith("# Personal data breach")
