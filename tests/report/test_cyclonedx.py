"""The inventory as CycloneDX 1.6, validated against the official schema."""

from __future__ import annotations

import json
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab
from labwarden.inventory.policy import load_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.report.cyclonedx import build_bom
from labwarden.store.catalog import Catalog


def test_demo_lab_bom_is_valid_cyclonedx_1_6(demo_lab: Lab, tmp_path: Path) -> None:
    policy = load_policy(None)
    with Catalog.open(Workspace(tmp_path / ".labwarden")) as catalog:
        run_scan(catalog, LocalSource([str(demo_lab.root)], policy.exclude), policy)
        assets = [(a, catalog.files.of_asset(a.id)) for a in catalog.assets.find()]
    document = build_bom(assets)
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document))
    assert errors is None, errors
    by_name = {c["name"]: c for c in document["components"]}
    model = by_name["protein-lm-v3"]
    assert model["type"] == "machine-learning-model"
    assert {c["name"] for c in model["components"]} >= {"config.json", "vocab.txt"}
    trial = by_name["subjects_pseudonymized.parquet"]
    assert trial["type"] == "data"
    assert trial["data"][0]["classification"] == "restricted"
    assert trial["hashes"][0]["alg"] == "BLAKE3"
