"""The demo's seal step: it seals the lab's models, proves a backup, catches a tampered copy."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab
from labwarden.demo.run import DemoContext
from labwarden.demo.steps.seals import seal_step
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog


def test_demo_step_catches_the_tampered_copy_by_tensor_name(demo_lab: Lab, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws").ensure()
    policy = workspace_policy(workspace.policy_path)
    models = str(demo_lab.root / "models")
    with Catalog.open(workspace) as catalog:
        scan = run_scan(catalog, LocalSource([models], exclude=policy.exclude), policy)
        context = DemoContext(demo_lab, workspace, catalog, scan)
        seal_step(context)
    sections = {s.title: s for s in context.sections}
    sealed = next(s for t, s in sections.items() if t.startswith("Sealed models"))
    assert {"protein-lm-v3", "tox-classifier"} <= {r["asset"] for r in sealed.rows}
    proof = next(s for t, s in sections.items() if t.startswith("Backup proof"))
    verdicts = {r["copy"]: (r["verdict"], r["changes"]) for r in proof.rows}
    assert verdicts["backup copy"] == ("verified", "9 files byte-identical")
    assert verdicts["suspect copy"][0] == "TAMPERED"
    assert "tensors changed: esm.layer.1.value" in verdicts["suspect copy"][1]
    assert any("verify --all" in c for c in context.next_commands)
