"""``incident scope --verify``: the models a breach touched are re-verified against the seal in
effect before the access, and the outcome changes the scope's integrity table."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from labwarden.core.incident import IncidentDraft, Scope
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.respond.incident.reverify import verify_scope
from labwarden.respond.incident.scope import build_scope
from labwarden.seal import keys
from labwarden.seal.sign import SealOptions
from labwarden.seal.workflow import seal_asset
from labwarden.store.catalog import Catalog
from labwarden.store.findings import FindingQuery
from tests.respond.incident.scenario import STOLEN_KEY, Scenario, build


def _sealed_scenario(tmp_path: Path) -> tuple[Scenario, int]:
    """The breach scenario with protein-lm sealed before the intruder's reads."""
    scenario = build(tmp_path)
    keys.generate(
        scenario.workspace, "default", keys.KeyType.ED25519, None, insecure_plaintext=True
    )
    with Catalog.open(scenario.workspace) as catalog:
        asset = catalog.assets.get("protein-lm")
        sealed = seal_asset(scenario.workspace, catalog, asset, "default", None, SealOptions())
        incident = catalog.incidents.open(
            IncidentDraft(title="t", scope=Scope(selectors=[("access_key", STOLEN_KEY)])), "t"
        )
    # The seal was made before the reads of March 2026 (the signed bundle is unchanged).
    db = sqlite3.connect(scenario.workspace.root / "catalog.db")
    with db:
        db.execute(
            "UPDATE asset_versions SET sealed_at = ? WHERE id = ?",
            ("2026-02-01T00:00:00+00:00", sealed.version.id),
        )
    db.close()
    return scenario, incident.id


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def test_verify_runs_what_the_scope_offers_and_updates_integrity(tmp_path: Path) -> None:
    scenario, incident_id = _sealed_scenario(tmp_path)
    trusted = keys.trusted_keys(scenario.workspace, [])
    with Catalog.open(scenario.workspace) as catalog:
        incident = catalog.incidents.get(incident_id)
        scope = build_scope(catalog, scenario.workspace, incident)
        [before] = scope.integrity
        assert (before.asset_name, before.state, before.must_verify) == (
            "protein-lm",
            "unknown",
            True,
        )
        # The intruder changed one shard: the re-verification finds it and records it.
        shard = sorted(Path(catalog.assets.get("protein-lm").uri).iterdir())[0]
        _flip_last_byte(shard)
        [done] = verify_scope(catalog, scope, trusted)
        assert (done.asset_name, done.version, done.outcome) == (
            "protein-lm",
            before.version,
            "mismatch",
        )
        assert "1 modified" in done.detail and done.findings == 1
        assert scope.integrity[0].state == "tampered" and scope.integrity[0].must_verify
        assert scope.to_dict()["reverified"][0]["outcome"] == "mismatch"
        drift = catalog.findings.all(FindingQuery(checks=("seal",)))
        assert [f.finding.rule for f in drift] == ["seal.modified"]
        assert shard.name in drift[0].finding.location.path
        # Restored from a good copy: verifying again shows it intact, and nothing is left to do.
        _flip_last_byte(shard)
        [again] = verify_scope(catalog, build_scope(catalog, scenario.workspace, incident), trusted)
        assert again.outcome == "verified"
        rebuilt = build_scope(catalog, scenario.workspace, incident)
        assert rebuilt.integrity[0].state == "intact" and not rebuilt.integrity[0].must_verify
        assert verify_scope(catalog, rebuilt, trusted) == []


def test_an_unsealed_model_is_not_verified_and_nothing_is_invented(tmp_path: Path) -> None:
    scenario = build(tmp_path)
    with Catalog.open(scenario.workspace) as catalog:
        incident = catalog.incidents.open(
            IncidentDraft(title="t", scope=Scope(selectors=[("access_key", STOLEN_KEY)])), "t"
        )
        scope = build_scope(catalog, scenario.workspace, incident)
        assert verify_scope(catalog, scope, []) == []
        assert [(i.state, i.command) for i in scope.integrity] == [("unsealed", None)]


def test_cli_offers_then_runs_the_verification(tmp_path: Path) -> None:
    scenario, incident_id = _sealed_scenario(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "labwarden", "-w", str(scenario.workspace.root), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    offered = run("incident", "scope", str(incident_id))
    assert offered.returncode == 0, offered.stderr
    assert f"labwarden incident scope {incident_id} --verify" in offered.stderr
    ran = run("incident", "scope", str(incident_id), "--verify", "--format", "json")
    assert ran.returncode == 0, ran.stderr
    document = json.loads(ran.stdout)
    assert [r["outcome"] for r in document["reverified"]] == ["verified"]
    assert document["integrity"][0]["state"] == "intact"
    assert "re-verified: 1 verified" in ran.stderr


def test_verification_changes_nothing_on_disk(tmp_path: Path) -> None:
    """A rescan after the verification keeps the asset (verification changes nothing on disk)."""
    scenario, incident_id = _sealed_scenario(tmp_path)
    with Catalog.open(scenario.workspace) as catalog:
        scope = build_scope(catalog, scenario.workspace, catalog.incidents.get(incident_id))
        verify_scope(catalog, scope, keys.trusted_keys(scenario.workspace, []))
        policy = workspace_policy(scenario.workspace.policy_path)
        result = run_scan(catalog, LocalSource([str(scenario.lab)], exclude=policy.exclude), policy)
    assert result.files_changed == 0
