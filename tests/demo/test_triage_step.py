"""The demo's triage step: the lab's compromised GPU server, triaged into a sealed archive,
its uploads of the lab's restricted trial data weighed by the catalog."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.workspace import Workspace
from labwarden.demo.access_logs import ATTACKER_NET
from labwarden.demo.lab import Lab
from labwarden.demo.run import DemoContext, _steps
from labwarden.demo.steps.seals import _demo_key
from labwarden.demo.steps.triage import triage_step
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.seal.keys import trusted_keys
from labwarden.seal.workflow import verify_seal_file
from labwarden.store.catalog import Catalog


def test_demo_step_is_registered() -> None:
    assert triage_step in _steps()


def test_the_server_image_is_triaged_and_its_evidence_sealed(demo_lab: Lab, tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / "ws").ensure()
    policy = workspace_policy(workspace.policy_path)
    with Catalog.open(workspace) as catalog:
        scan = run_scan(catalog, LocalSource([str(demo_lab.root)], exclude=policy.exclude), policy)
        context = DemoContext(demo_lab, workspace, catalog, scan)
        _demo_key(context)
        triage_step(context)
        triage_step(context)  # a second run rebuilds the image and the archive
    section = next(s for s in context.sections if s.title.startswith("Triage of the gpu-01"))
    assert "sealed with key demo" in section.title
    rules = {r["rule"] for r in section.rows}
    assert {"auth.guessing-then-login", "accounts.uid0", "persistence.preload",
            "persistence.cron", "exfil.history", "history.cleared"} <= rules  # fmt: skip
    trial = next(r for r in section.rows if r["rule"] == "exfil.history" and "aws s3" in r["what"])
    assert trial["severity"] == "critical" and "(restricted)" in trial["what"]
    breach = next(r for r in section.rows if r["rule"] == "auth.guessing-then-login")
    assert ATTACKER_NET in breach["what"]
    archive = workspace.root / "triage" / "gpu-01.tar.gz"
    verified = verify_seal_file(
        None, archive, Path(f"{archive}.sigstore.json"), trusted_keys(workspace, [])
    )
    assert verified.verified
    assert any("triage --root" in c for c in context.next_commands)
