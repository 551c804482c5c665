"""The demo lab: deterministic, realistic, and labelled as a security engineer would label it."""

from __future__ import annotations

import io
import pickletools
import zipfile
from pathlib import Path

import pytest

from labwarden.core.errors import InputError
from labwarden.core.values import AssetKind, Sensitivity
from labwarden.core.workspace import Workspace
from labwarden.demo.lab import Lab, build_lab
from labwarden.demo.run import run_demo
from labwarden.seal.hashing import digest_file


def digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): digest_file(str(p))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_builds_are_byte_identical(demo_lab: Lab, tmp_path: Path) -> None:
    again = build_lab(tmp_path / "again")
    assert digests(demo_lab.root) == digests(again.root)
    assert 200 <= len(demo_lab.written) <= 400


def test_pickles_are_well_formed_and_never_loaded(demo_lab: Lab) -> None:
    payload = (demo_lab.root / demo_lab.facts["malicious_pickle"]).read_bytes()
    opcodes = [op.name for op, _, _ in pickletools.genops(payload)]
    assert opcodes[:2] == ["PROTO", "GLOBAL"] and opcodes[-1] == "STOP"
    weights = demo_lab.root / "models" / "tox-classifier" / "pytorch_model.bin"
    with zipfile.ZipFile(weights) as archive:
        data = archive.read("archive/data.pkl")
    pickletools.dis(data, out=io.StringIO())  # parses every opcode; raises if malformed


def test_refuses_a_folder_that_is_not_a_demo_lab(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("precious")
    with pytest.raises(InputError, match="not a labwarden demo lab"):
        build_lab(tmp_path)


def test_demo_labels(tmp_path: Path) -> None:
    context = run_demo(tmp_path / "lab", Workspace(tmp_path / "lab" / ".labwarden"))
    try:
        assets = {
            a.uri.removeprefix(str(context.lab.root) + "/"): a
            for a in context.catalog.assets.find()
        }
    finally:
        context.catalog.close()

    def label(uri: str) -> tuple[AssetKind, Sensitivity, int]:
        a = assets[uri]
        return a.kind, a.sensitivity, a.file_count

    assert label("models/protein-lm-v3") == (AssetKind.MODEL, Sensitivity.CONFIDENTIAL, 9)
    assert label("models/tox-classifier") == (AssetKind.MODEL, Sensitivity.CONFIDENTIAL, 2)
    assert label("models/checkpoints/docking-run-7")[2] == 3
    assert label("data/assays/hts-screen-2026q3") == (AssetKind.DATASET, Sensitivity.INTERNAL, 24)
    assert label("data/hf/binding-affinity")[0] is AssetKind.DATASET
    for domain in ("dm", "ae", "lb"):
        assert label(f"data/trials/CTX-104/sdtm/{domain}.csv")[1] is Sensitivity.RESTRICTED
    trial = context.lab.facts["trial_table"]
    assert label(trial)[:2] == (AssetKind.DATASET, Sensitivity.RESTRICTED)
    repo = assets["code/drug-discovery-pipeline"]
    assert (repo.kind, repo.grouping) == (AssetKind.CODE, "code-repository")
    assert label("code/drug-discovery-pipeline/.env")[:2] == (
        AssetKind.CREDENTIALS,
        Sensitivity.RESTRICTED,
    )
    assert label("home/ci-runner/.ssh/id_ed25519")[0] is AssetKind.CREDENTIALS
    assert label("infra/gcp/service-account-pipeline.json")[0] is AssetKind.CREDENTIALS
    assert label("logs/training/docking-run-7") == (AssetKind.LOG, Sensitivity.CONFIDENTIAL, 30)
    assert label("logs/registry")[2] == 4
    assert label("docs/public/tox-classifier-model-card.md")[1] is Sensitivity.PUBLIC
    assert all(not uri.startswith(".labwarden") for uri in assets)
