"""Seals as catalog asset versions: versions, backups, swapped records and drift findings."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.seal import keys
from labwarden.seal.errors import SignatureError
from labwarden.seal.sign import SealOptions
from labwarden.seal.workflow import (
    parse_ref,
    resolve_asset,
    seal_asset,
    verify_all,
    verify_seal_file,
    verify_version,
    version_for,
)
from labwarden.store.catalog import Catalog
from tests.seal.conftest import PASSPHRASE, flip_tensor_byte, write_model


def _scan(catalog: Catalog, workspace: Workspace, path: Path) -> None:
    policy = workspace_policy(workspace.policy_path)
    run_scan(catalog, LocalSource([str(path)], exclude=policy.exclude), policy)


def _edit_bundle(catalog: Catalog, version_id: int, bundle: str) -> None:
    """Change a stored seal behind labwarden's back, as someone with the database file could."""
    db = sqlite3.connect(catalog.path)
    with db:
        db.execute("UPDATE asset_versions SET bundle = ? WHERE id = ?", (bundle, version_id))
    db.close()


@pytest.fixture
def catalog(signing_workspace: Workspace) -> Iterator[Catalog]:
    with Catalog.open(signing_workspace) as opened:
        yield opened


def test_seals_are_numbered_versions_with_who_and_when(
    signing_workspace: Workspace, catalog: Catalog, model_dir: Path
) -> None:
    asset = resolve_asset(catalog, str(model_dir), lambda p: _scan(catalog, signing_workspace, p))
    assert asset.uri == str(model_dir)
    first = seal_asset(
        signing_workspace,
        catalog,
        asset,
        "default",
        lambda: PASSPHRASE,
        SealOptions(),
        by="ann@lab",
    )
    (model_dir / "notes.txt").write_text("v2\n")
    second = seal_asset(
        signing_workspace, catalog, asset, "default", lambda: PASSPHRASE, SealOptions()
    )
    assert (first.version.version, second.version.version) == (1, 2)
    assert first.version.sealed_by == "ann@lab"
    assert second.version.file_count == first.version.file_count + 1
    assert Path(second.version.seal_path).is_file()
    assert [v.ref for v in catalog.seals.versions(asset.id)] == [f"{asset.id}@v1", f"{asset.id}@v2"]
    history = [e.change for e in catalog.assets.history(asset.id)]
    assert history.count("sealed") == 2
    found, version = version_for(catalog, f"{asset.id}@v1")
    assert (found.id, version.version) == (asset.id, 1)
    # The folder now matches v2 but not v1.
    trusted = keys.trusted_keys(signing_workspace, [])
    assert verify_version(catalog, asset, second.version, trusted).verified
    old = verify_version(catalog, asset, first.version, trusted)
    assert [(c.kind, c.path) for c in old.changes] == [("added", "notes.txt")]
    assert [v["outcome"] for v in catalog.seals.verifications(first.version.id)] == ["mismatch"]


def test_parse_ref() -> None:
    assert parse_ref("12@v3") == ("12", 3)
    assert parse_ref("esm-test@4") == ("esm-test", 4)
    assert parse_ref("12") == ("12", None)


def test_backup_proof_and_a_swapped_catalog_record(
    signing_workspace: Workspace, catalog: Catalog, model_dir: Path, tmp_path: Path
) -> None:
    asset = resolve_asset(catalog, str(model_dir), lambda p: _scan(catalog, signing_workspace, p))
    sealed = seal_asset(
        signing_workspace, catalog, asset, "default", lambda: PASSPHRASE, SealOptions()
    )
    backup = tmp_path / "backup"
    shutil.copytree(model_dir, backup)
    trusted = keys.trusted_keys(signing_workspace, [])
    assert verify_version(catalog, asset, sealed.version, trusted, backup).verified
    # A second asset's seal put in place of the first one's record is caught.
    other_dir = tmp_path / "models" / "other-model"
    shutil.copytree(model_dir, other_dir)
    other = resolve_asset(catalog, str(other_dir), lambda p: _scan(catalog, signing_workspace, p))
    other_seal = seal_asset(
        signing_workspace, catalog, other, "default", lambda: PASSPHRASE, SealOptions()
    )
    _edit_bundle(catalog, sealed.version.id, other_seal.version.bundle)
    _, tampered_record = version_for(catalog, sealed.version.ref)
    with pytest.raises(SignatureError, match="catalog record was swapped"):
        verify_version(catalog, asset, tampered_record, trusted, backup)


def test_verify_all_turns_drift_into_findings_and_resolves_them(
    signing_workspace: Workspace, catalog: Catalog, model_dir: Path
) -> None:
    asset = resolve_asset(catalog, str(model_dir), lambda p: _scan(catalog, signing_workspace, p))
    seal_asset(signing_workspace, catalog, asset, "default", lambda: PASSPHRASE, SealOptions())
    trusted = keys.trusted_keys(signing_workspace, [])
    assert all(c.ok for c in verify_all(catalog, trusted))
    shard = model_dir / "model-00001-of-00002.safetensors"
    original = shard.read_bytes()
    flip_tensor_byte(shard, "layer.1.key")
    checks = verify_all(catalog, trusted)
    assert [c.ok for c in checks] == [False]
    stored = [f for f in catalog.findings.find(asset_id=asset.id) if f.check == "seal"]
    assert [(f.rule, f.location.member) for f in stored] == [("seal.modified", "layer.1.key")]
    assert "tensors changed: layer.1.key" in stored[0].message
    shard.write_bytes(original)
    assert all(c.ok for c in verify_all(catalog, trusted))
    assert [f for f in catalog.findings.find(asset_id=asset.id) if f.check == "seal"] == []


def test_verify_all_reports_a_bad_signature_as_a_critical_finding(
    signing_workspace: Workspace, catalog: Catalog, model_dir: Path
) -> None:
    asset = resolve_asset(catalog, str(model_dir), lambda p: _scan(catalog, signing_workspace, p))
    sealed = seal_asset(
        signing_workspace, catalog, asset, "default", lambda: PASSPHRASE, SealOptions()
    )
    document = json.loads(sealed.version.bundle)
    document["dsseEnvelope"]["signatures"][0]["sig"] = "MEUCIQ" + "A" * 90
    _edit_bundle(catalog, sealed.version.id, json.dumps(document))
    checks = verify_all(catalog, keys.trusted_keys(signing_workspace, []))
    assert checks[0].error is not None
    finding = checks[0].findings[0]
    assert (finding.rule, finding.severity.value) == ("seal.signature", "critical")


def test_a_seal_file_of_another_catalog_asset_is_refused(
    signing_workspace: Workspace, catalog: Catalog, model_dir: Path, tmp_path: Path
) -> None:
    scan = lambda p: _scan(catalog, signing_workspace, p)  # noqa: E731
    first = resolve_asset(catalog, str(model_dir), scan)
    other_dir = tmp_path / "models" / "twin"
    shutil.copytree(model_dir, other_dir)
    other = resolve_asset(catalog, str(other_dir), scan)
    sealed = seal_asset(
        signing_workspace, catalog, first, "default", lambda: PASSPHRASE, SealOptions()
    )
    trusted = keys.trusted_keys(signing_workspace, [])
    # Same bytes, but the seal names asset `first`: verifying `other` with it is an error...
    with pytest.raises(SignatureError, match=f"not for asset {other.id}"):
        verify_seal_file(catalog, other_dir, sealed.seal_path, trusted)
    # ...while a backup copy outside the catalog is checked against it.
    backup = tmp_path / "backup"
    shutil.copytree(model_dir, backup)
    assert verify_seal_file(catalog, backup, sealed.seal_path, trusted).verified


def test_seal_by_name_and_an_unknown_asset(
    signing_workspace: Workspace, catalog: Catalog, model_dir: Path
) -> None:
    _scan(catalog, signing_workspace, model_dir)
    asset = resolve_asset(catalog, "esm-test")
    assert asset.uri == str(model_dir)
    with pytest.raises(InputError, match="no asset 'nope'"):
        resolve_asset(catalog, "nope")
    with pytest.raises(InputError, match="no version v3"):
        version_for(catalog, f"{asset.id}@v3")


def test_the_workspace_and_seal_copy_inside_the_folder_are_listed_not_sealed(
    tmp_path: Path,
) -> None:
    lab = tmp_path / "lab"
    model = lab / "models" / "esm-test"
    write_model(model)
    workspace = Workspace(model / ".labwarden")
    keys.generate(workspace, "default", keys.KeyType.ECDSA_P256, PASSPHRASE)
    with Catalog.open(workspace) as catalog:
        asset = resolve_asset(catalog, str(model), lambda p: _scan(catalog, workspace, p))
        outcome = seal_asset(
            workspace,
            catalog,
            asset,
            "default",
            lambda: PASSPHRASE,
            SealOptions(),
            output=model / "model.sig",
        )
        reasons = {e.path: e.reason for e in outcome.manifest.excluded}
        assert reasons[".labwarden"] == "the labwarden workspace"
        assert "model.sig" in outcome.manifest.ignore_paths
        trusted = keys.trusted_keys(workspace, [])
        # Sealing wrote into the workspace and the folder; the seal still verifies.
        assert verify_version(catalog, asset, outcome.version, trusted).verified
