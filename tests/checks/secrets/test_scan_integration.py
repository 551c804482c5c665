"""``labwarden scan`` runs the secrets, PII and permission checks and raises sensitivities."""

from __future__ import annotations

from labwarden.checks.registry import all_checks
from labwarden.core.values import Sensitivity
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import load_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog


def test_demo_scan_finds_planted_problems(demo_lab, workspace: Workspace) -> None:  # type: ignore[no-untyped-def]
    names = {c.name for c in all_checks()}
    assert {"secrets", "pii", "permissions"} <= names
    policy = load_policy(None)
    with Catalog.open(workspace.ensure()) as catalog:
        result = run_scan(
            catalog,
            LocalSource([str(demo_lab.root)], exclude=policy.exclude),
            policy,
            checks=[c for c in all_checks() if c.name in ("secrets", "pii", "permissions")],
        )
        assert result.check_errors == []
        rules = {(f.check, f.rule) for f in result.findings}
        assert ("secrets", "aws-access-key-id") in rules
        assert ("pii", "log-person") in rules
        assert ("permissions", "private-key-loose-mode") in rules
        assert ("permissions", "world-writable-model-folder") in rules
        assert ("permissions", "restricted-world-readable") in rules
        phi_log = str(demo_lab.root / demo_lab.facts["phi_log"])
        log_asset = next(a for a in catalog.assets.find() if phi_log.startswith(a.uri + "/"))
        assert log_asset.sensitivity is Sensitivity.RESTRICTED
        assert any(r.rule == "check:pii/log-person" for r in log_asset.reasons)


def test_scan_honours_the_workspace_baseline(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from labwarden.checks.secrets.baseline import write_baseline

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
