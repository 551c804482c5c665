"""Planting canaries: decoys written where asked, registered, never flagged as malicious."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from labwarden.checks.modelfile.check import ModelFileCheck
from labwarden.checks.standalone import inspect_paths
from labwarden.core.errors import InputError
from labwarden.core.workspace import Workspace
from labwarden.store.catalog import Catalog
from labwarden.trace.canaries.kinds import CanaryKind
from labwarden.trace.canaries.plant import PlantRequest, plant, retire


def test_model_decoy_is_valid_and_clean(tmp_path: Path, workspace: Workspace) -> None:
    folder = tmp_path / "models" / "protein-lm-v4-internal"
    with Catalog.open(workspace) as catalog:
        canary = plant(
            catalog,
            PlantRequest(CanaryKind.MODEL, into=folder, beacon_base="http://beacon.lab:8787"),
        )
        assert canary.matches[0] == f"{folder}/"
        assert f"/c/{canary.token}" in canary.matches
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["README.md", "config.json", "model.safetensors", "tokenizer_config.json"]
    assert f"http://beacon.lab:8787/c/{canary.token}" in (folder / "README.md").read_text()
    blob = (folder / "model.safetensors").read_bytes()
    size = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + size])
    assert header["layers.0.weight"]["shape"] == [64, 32]
    assert len(blob) == 8 + size + header["layers.0.bias"]["data_offsets"][1]
    report = inspect_paths([str(folder)], [ModelFileCheck()])
    assert [f for f in report.findings if f.severity.rank >= 3] == []


def test_dataset_credentials_beacon_object(tmp_path: Path, workspace: Workspace) -> None:
    with Catalog.open(workspace) as catalog:
        data = plant(
            catalog,
            PlantRequest(
                CanaryKind.DATASET, into=tmp_path / "subjects.csv", domain="lab.example", rows=5
            ),
        )
        env = plant(catalog, PlantRequest(CanaryKind.CREDENTIALS, into=tmp_path / "prod.env"))
        doc = plant(catalog, PlantRequest(CanaryKind.BEACON, into=tmp_path / "eval.ipynb"))
        obj = plant(
            catalog, PlantRequest(CanaryKind.OBJECT, matches=["s3://lab-data/decoy/keys.csv"])
        )
        assert {c.name for c in catalog.canaries.find()} == {
            data.name,
            env.name,
            doc.name,
            obj.name,
        }
    rows = list(csv.DictReader((tmp_path / "subjects.csv").open()))
    assert len(rows) == 5 and all(r["email"].endswith("@lab.example") for r in rows)
    assert len({r["subject_id"] for r in rows}) == 5
    assert all(data.token[:8] in r["email"] for r in rows)
    assert f"lwr_{env.token}" in (tmp_path / "prod.env").read_text()
    assert (tmp_path / "prod.env").stat().st_mode & 0o077 == 0
    notebook = json.loads((tmp_path / "eval.ipynb").read_text())
    assert f"/c/{doc.token})" in notebook["cells"][0]["source"][1]
    assert obj.location == "s3://lab-data/decoy/keys.csv"


def test_refusals(tmp_path: Path, workspace: Workspace) -> None:
    real = tmp_path / "real.env"
    real.write_text("KEEP=1\n")
    with Catalog.open(workspace) as catalog:
        with pytest.raises(InputError, match="never overwrites"):
            plant(catalog, PlantRequest(CanaryKind.CREDENTIALS, into=real))
        assert real.read_text() == "KEEP=1\n"
        with pytest.raises(InputError, match="--into"):
            plant(catalog, PlantRequest(CanaryKind.MODEL))
        with pytest.raises(InputError, match="not an AWS access key id"):
            plant(catalog, PlantRequest(CanaryKind.AWS_KEY, access_key_id="hello"))
        plant(
            catalog,
            PlantRequest(CanaryKind.AWS_KEY, name="k", access_key_id="AKIAIOSFODNN7CANARY1"),
        )
        with pytest.raises(InputError, match="exists already"):
            plant(catalog, PlantRequest(CanaryKind.OBJECT, name="k", matches=["s3://b/k"]))
        with pytest.raises(InputError, match="registered as a canary already"):
            plant(catalog, PlantRequest(CanaryKind.AWS_KEY, access_key_id="AKIAIOSFODNN7CANARY1"))
        with pytest.raises(InputError, match="--delete-key"):
            retire(catalog, "k", delete_key=True)
        assert retire(catalog, "k").status == "retired"
        assert catalog.canaries.find() == []
        assert len(catalog.canaries.find(status=None)) == 1
        assert catalog.canaries.find(status=None)[0].kind == "aws-key"
        assert catalog.canaries.find(status=None)[0].retired_at is not None
