"""The demo lab's planted problems, found by the checks that should find them and by nothing
else (the checks' own tests use files of their own; these pin the demo's story)."""

from __future__ import annotations

import json

from labwarden.checks.interface import CheckContext
from labwarden.checks.pii import PiiCheck
from labwarden.checks.privacy import ReidentificationCheck
from labwarden.checks.registry import all_checks
from labwarden.checks.standalone import inspect_paths
from labwarden.core.values import Sensitivity, Severity
from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab
from labwarden.inventory.policy import load_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog
from tests.checks.privacy.test_check import _asset
from tests.checks.secrets.test_check import findings


def test_demo_lab_phi_log(demo_lab: Lab) -> None:
    log = demo_lab.root / demo_lab.facts["phi_log"]
    result = inspect_paths([str(log)], [PiiCheck()])
    by_rule = {f.rule: f for f in result.findings}
    assert set(by_rule) == {"log-person", "log-mrn", "log-date-of-birth", "log-site-id"}
    person = by_rule["log-person"]
    assert person.location.line == 2
    assert person.evidence["lines"][:3] == [2, 4, 6]
    assert person.raises is Sensitivity.RESTRICTED
    assert "Maria" not in json.dumps([f.to_dict() for f in result.findings])


def test_demo_lab_has_no_pii_in_code_models_or_assays(demo_lab: Lab) -> None:
    result = inspect_paths([str(demo_lab.root)], [PiiCheck()])
    paths = {f.location.path.removeprefix(str(demo_lab.root) + "/") for f in result.findings}
    assert all(p.startswith(("data/trials/", "logs/services/inference-api.log")) for p in paths), (
        paths
    )


def test_demo_lab_secrets_without_false_positives(demo_lab: Lab) -> None:
    got = findings(demo_lab.root)
    rules = {(name, rule) for name, rule, _, _ in got}
    assert ("sync_weights.py", "aws-access-key-id") in rules
    assert ("sync_weights.py", "aws-secret-access-key") in rules
    assert (".env", "wandb-api-key") in rules
    assert (".env", "database-url-password") in rules
    assert ("id_ed25519", "private-key") in rules
    assert ("service-account-pipeline.json", "gcp-service-account") in rules
    flagged = {name for name, _, _, _ in got}
    # SMILES strings, hashes, UUIDs, logs and datasets of the lab hold no secrets
    assert flagged <= {
        "sync_weights.py",
        ".env",
        "id_ed25519",
        "credentials",
        "service-account-pipeline.json",
        "kubeconfig",
    }


def test_demo_scan_finds_planted_problems(demo_lab: Lab, workspace: Workspace) -> None:
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


def test_demo_trial_table_is_above_threshold(demo_lab: Lab) -> None:
    path = demo_lab.root / demo_lab.facts["trial_table"]
    asset = _asset(path, "parquet")
    check = ReidentificationCheck()
    assert check.applies_to(asset)
    found = list(check.run(asset, CheckContext()))
    assert len(found) == 1
    finding = found[0]
    assert finding.rule == "reidentification-risk"
    assert finding.severity is Severity.HIGH
    assert set(demo_lab.facts["trial_quasi_identifiers"]) <= set(
        finding.evidence["quasi_identifiers"]
    )
    assert "subject_pseudonym" in finding.evidence["direct_identifiers"]
    assert "labwarden privacy anonymize" in finding.remediation
