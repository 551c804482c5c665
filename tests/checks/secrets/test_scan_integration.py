"""``labwarden scan`` runs the secrets check with the workspace's baseline (the demo lab's
planted problems are ``tests/demo/test_lab_findings.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from labwarden.checks.registry import all_checks
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import load_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog


def test_scan_honours_the_workspace_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from labwarden.checks.secrets.accept import write_baseline

    project = tmp_path / "proj"
    (project / "src").mkdir(parents=True)
    (project / "src" / "a.py").write_text('KEY = "AKIAQ3EGRE7LQWXYZ2PN"\n', encoding="utf-8")
    (project / "src" / "b.py").write_text("x = 1\n", encoding="utf-8")
    workspace = Workspace(project / ".labwarden").ensure()
    assert write_baseline(workspace.root / "secrets-baseline.json", [str(project / "src")])[0] == 1
    (project / "src" / "b.py").write_text('OTHER = "AKIAZ7KQ3LMNPQRST2XY"\n', encoding="utf-8")
    monkeypatch.delenv("LABWARDEN_WORKSPACE", raising=False)
    policy = load_policy(None)
    with Catalog.open(workspace) as catalog:
        result = run_scan(
            catalog,
            LocalSource([str(project / "src")], exclude=policy.exclude),
            policy,
            checks=[c for c in all_checks() if c.name == "secrets"],
        )
    found = [(f.location.path.rsplit("/", 1)[-1], f.rule) for f in result.findings]
    assert found == [("b.py", "aws-access-key-id")]
