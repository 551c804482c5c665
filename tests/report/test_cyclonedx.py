"""The inventory as CycloneDX 1.6, validated against the official schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow
import pyarrow.parquet
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from labwarden.checks.modelfile.samples import safetensors
from labwarden.core.workspace import Workspace
from labwarden.inventory.policy import load_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.report.cyclonedx import build_bom
from labwarden.store.catalog import Catalog


def small_lab(root: Path) -> Path:
    """A language model folder and a pseudonymized trial table, built by hand."""
    model = root / "models" / "protein-lm-v3"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"model_type": "esm", "hidden_size": 8}')
    (model / "vocab.txt").write_text("<cls>\n<pad>\nA\nC\nD\n")
    (model / "model.safetensors").write_bytes(safetensors({"w": (2, 2)}, b"\x00\x01"))
    trial = root / "trials" / "ONC-204"
    trial.mkdir(parents=True)
    table = pyarrow.table(
        {
            "subject_id": ["S-001", "S-002"],
            "date_of_birth": ["1961-02-03", "1975-11-30"],
            "diagnosis": ["C50.9", "C34.1"],
            "zip": ["02139", "94110"],
        }
    )
    pyarrow.parquet.write_table(table, trial / "subjects_pseudonymized.parquet")
    return root


def test_lab_bom_is_valid_cyclonedx_1_6(tmp_path: Path) -> None:
    policy = load_policy(None)
    lab = small_lab(tmp_path / "lab")
    with Catalog.open(Workspace(tmp_path / ".labwarden")) as catalog:
        run_scan(catalog, LocalSource([str(lab)], policy.exclude), policy)
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


def test_every_field_of_a_dataset_and_a_model_is_written() -> None:
    import uuid
    from datetime import UTC, datetime

    from labwarden.core.asset import FileRecord, SensitivityReason
    from labwarden.core.values import AssetKind, Sensitivity
    from labwarden.store.assets import StoredAsset

    def asset(id_: int, uri: str, kind: AssetKind, reasons: list[SensitivityReason]) -> StoredAsset:
        return StoredAsset(
            id_, uri, uri.rsplit("/", 1)[-1], kind, "file", Sensitivity.RESTRICTED, reasons,
            ["csv"], 1, 10, None, 1, 1, None,
        )  # fmt: skip

    def record(id_: int, path: str) -> FileRecord:
        return FileRecord(
            path, 10, 0, 0, 0o640, 0, "me", AssetKind.DATASET, "csv", "ab" * 32, "sha256", id=id_
        )

    reasons = [
        SensitivityReason("kind:data", Sensitivity.CONFIDENTIAL, "datasets"),
        SensitivityReason("columns:phi", Sensitivity.RESTRICTED, "PHI columns"),
    ]
    table = asset(1, "/lab/dm.csv", AssetKind.DATASET, reasons)
    model = asset(2, "/lab/model", AssetKind.MODEL, [])
    when = datetime(2026, 10, 1, 8, 0, 0, 123, tzinfo=UTC)
    serial = uuid.UUID(int=7)
    document = build_bom(
        [(table, [record(1, "/lab/dm.csv")]), (model, [record(2, "/lab/model/w.bin")])],
        serial=serial,
        timestamp=when,
    )
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(document)) is None
    assert document["serialNumber"] == serial.urn
    assert document["metadata"]["timestamp"] == "2026-10-01T08:00:00+00:00"
    assert document["metadata"]["tools"]["components"][0]["name"] == "labwarden"
    data, ml = sorted(document["components"], key=lambda c: str(c["bom-ref"]))
    assert data["type"] == "data" and data["description"] == "dataset asset (file) at /lab/dm.csv"
    assert data["hashes"] == [{"alg": "SHA-256", "content": "ab" * 32}]
    assert {(p["name"], p["value"]) for p in data["properties"]} == {
        ("labwarden:kind", "dataset"),
        ("labwarden:sensitivity", "restricted"),
        ("labwarden:uri", "/lab/dm.csv"),
        ("labwarden:size", "10"),
        ("labwarden:files", "1"),
        ("labwarden:formats", "csv"),
        ("labwarden:reason", "confidential kind:data: datasets"),
        ("labwarden:reason", "restricted columns:phi: PHI columns"),
    }
    assert data["data"] == [
        {
            "type": "dataset",
            "name": "dm.csv",
            "classification": "restricted",
            "contents": {"url": "file:///lab/dm.csv"},
            "sensitiveData": ["PHI columns"],
        }
    ]
    assert ml["type"] == "machine-learning-model" and "data" not in ml
    (weights,) = ml["components"]
    assert weights["bom-ref"] == "labwarden:asset:2:file:2" and weights["name"] == "w.bin"
    assert {(p["name"], p["value"]) for p in weights["properties"]} == {
        ("labwarden:format", "csv"),
        ("labwarden:size", "10"),
    }
