"""Sensitivity of unmapped resources: the file policy applied to buckets, keys and ARNs, with
its reason; the catalog and resources.toml override it; nothing is resolved by a bare name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labwarden.core.values import AssetKind, Sensitivity
from labwarden.core.workspace import Workspace
from labwarden.engines.duckdb import connect, create_events_view
from labwarden.inventory.policy import default_policy, parse_policy
from labwarden.store.assets import AssetChange
from labwarden.store.catalog import Catalog
from labwarden.store.lake import Lake
from labwarden.watch.ingest import Ingestor
from labwarden.watch.resources import load_resolver
from labwarden.watch.sensitivity import Inferrer


@pytest.mark.parametrize(
    ("uri", "sensitivity", "rule"),
    [
        # CDISC domain file in a trial bucket: restricted, and the reason says why.
        ("s3://acme-trial-sdtm/sdtm/dm.xpt", "restricted", "cdisc-domain-file"),
        ("s3://acme-trial-sdtm/sdtm/define.xml", "restricted", "clinical-trial-location"),
        # The bucket's words count as folders: `trial-sdtm` is a trial data location.
        ("s3://acme-trial-sdtm/readme.parquet", "restricted", "clinical-trial-location"),
        ("s3://lab-data/cohort/patients_pseudonymized.csv", "restricted", "pseudonymized-name"),
        (
            "s3://acme-models-prod/protein-lm/model.safetensors",
            "confidential",
            "private-model-weights",
        ),
        (
            "s3://acme-models-prod/checkpoints/step-100/shard",
            "confidential",
            "private-model-weights",
        ),
        ("gs://web-assets/public/logo.png", "public", "public-release"),
        ("s3://web-assets/img/logo.png", "internal", "kind:other"),
        (
            "arn:aws:ssm:us-east-1:1:parameter/credentials/stratus-red-team/credentials-17",
            "restricted",
            "kind:credentials",
        ),
        ("arn:aws:secretsmanager:us-east-1:1:secret:db-pass-AbCdEf", "restricted", None),
    ],
)
def test_unmapped_resources_classified_by_the_file_policy(
    uri: str, sensitivity: str, rule: str | None
) -> None:
    found = Inferrer(default_policy()).infer(uri)
    assert found is not None
    assert found.sensitivity == sensitivity
    assert found.reason.startswith("inferred")
    if rule is not None:
        assert f"({rule})" in found.reason


def test_same_prefix_is_one_asset() -> None:
    infer = Inferrer(default_policy()).infer
    names = {
        infer(f"s3://acme-datasets/assays/part-{i:05d}.parquet").name  # type: ignore[union-attr]
        for i in range(3)
    }
    assert names == {"s3://acme-datasets/assays/"}
    assert infer("ml-researcher") is None and infer(None) is None


def test_workspace_policy_decides(tmp_path: Path) -> None:
    text = (
        'version = 1\n[kinds]\nother = { sensitivity = "public", reason = "r" }\n'
        '[[rules]]\nid = "images"\nsensitivity = "confidential"\nreason = "scans"\n'
        'path_glob = ["*/radiology/*"]\n'
    )
    import tomllib

    policy = parse_policy(tomllib.loads(text), "test")
    found = Inferrer(policy).infer("s3://b/radiology/x.png")
    assert found is not None and found.sensitivity == "confidential"
    assert "scans" in found.reason


RECORD: dict[str, Any] = {
    "eventVersion": "1.09",
    "userIdentity": {"type": "IAMUser", "userName": "alice", "arn": "arn:aws:iam::1:user/alice"},
    "eventTime": "2026-10-01T08:00:00Z",
    "eventSource": "s3.amazonaws.com",
    "eventName": "GetObject",
    "sourceIPAddress": "198.51.100.7",
}


def _record(uid: str, bucket: str, key: str) -> dict[str, Any]:
    return {**RECORD, "eventID": uid, "requestParameters": {"bucketName": bucket, "key": key}}


def _catalogue(catalog: Catalog, uri: str, name: str, kind: AssetKind, level: Sensitivity) -> int:
    scan = catalog.scans.start([uri], "blake3")
    change = AssetChange(
        uri=uri,
        name=name,
        kind=kind,
        grouping="folder",
        sensitivity=level,
        reasons=[],
        formats=[],
        file_paths=[],
        size=0,
        content_digest="d",
    )
    return catalog.assets.save(change, scan, "added", {})


def test_catalog_and_resources_override_inference(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path / ".labwarden").ensure()
    (workspace.root / "resources.toml").write_text(
        '[[resource]]\nmatch = "s3://acme-trial-sdtm/synthetic/"\nsensitivity = "public"\n'
    )
    with Catalog.open(workspace) as catalog:
        asset_id = _catalogue(
            catalog,
            "s3://acme-trial-sdtm/adam",
            "adam-export",
            AssetKind.DATASET,
            Sensitivity.CONFIDENTIAL,
        )
        resolver = load_resolver(workspace.root, catalog)
    src = tmp_path / "t.json"
    records = [
        _record("e-1", "acme-trial-sdtm", "sdtm/dm.xpt"),
        _record("e-2", "acme-trial-sdtm", "synthetic/dm.xpt"),
        _record("e-3", "acme-trial-sdtm", "adam/adsl.xpt"),
    ]
    src.write_text(json.dumps({"Records": records}))
    lake = Lake(tmp_path / "lake")
    ingestor = Ingestor(lake, resolver)
    ingestor.run([src])
    ingestor.close()
    con = connect()
    create_events_view(con, lake.root)
    rows = {
        r[0]: r[1:]
        for r in con.rows("SELECT event_uid, asset_sensitivity, asset_reason, asset_id FROM events")
    }
    assert rows["e-1"][0] == "restricted" and "cdisc-domain-file" in rows["e-1"][1]
    assert rows["e-2"][:2] == ("public", "resources.toml: s3://acme-trial-sdtm/synthetic/")
    # The catalog knows the prefix: its verdict, not the policy's.
    assert rows["e-3"] == ("confidential", f"catalog asset {asset_id}", asset_id)


def test_no_resolution_by_bare_name(tmp_path: Path) -> None:
    """A parameter `.../credentials/x` is not the local file asset named `credentials`."""
    workspace = Workspace(tmp_path / ".labwarden").ensure()
    local = tmp_path / "home" / "credentials"
    with Catalog.open(workspace) as catalog:
        _catalogue(
            catalog, str(local), "credentials", AssetKind.CREDENTIALS, Sensitivity.RESTRICTED
        )
        resolver = load_resolver(workspace.root, catalog)
    arn = "arn:aws:ssm:us-east-1:1:parameter/credentials/stratus-red-team/credentials-17"
    assert resolver.exact(arn) is None
    assert resolver.folder(arn.rsplit("/", 1)[0] + "/") is None
    assert resolver.folder("s3://b/models/credentials/") is None
