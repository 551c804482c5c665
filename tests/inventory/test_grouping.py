"""Files grouped into the assets a security engineer would name."""

from __future__ import annotations

from pathlib import Path

from labwarden.core.asset import Asset, FileRecord
from labwarden.core.values import AssetKind
from labwarden.core.workspace import Workspace
from labwarden.inventory.formats import by_name
from labwarden.inventory.grouping import group_assets
from labwarden.inventory.policy import workspace_policy
from labwarden.inventory.scan import run_scan
from labwarden.inventory.sources.local import LocalSource
from labwarden.store.catalog import Catalog
from tests.conftest import corpora_path

ROOT = "/lab"


def rec(path: str) -> FileRecord:
    name = path.rsplit("/", 1)[-1]
    guess = by_name(name) or (AssetKind.OTHER, "binary")
    return FileRecord(f"{ROOT}/{path}", 10, 0, 0, 0o640, 0, "root", guess[0], guess[1])


def grouped(paths: list[str], markers: dict[str, set[str]] | None = None) -> dict[str, Asset]:
    assets = group_assets([rec(p) for p in paths], [ROOT], markers)
    return {a.uri.removeprefix(ROOT + "/"): a for a in assets}


def summary(assets: dict[str, Asset]) -> dict[str, tuple[str, int]]:
    return {uri: (a.kind.value, len(a.files)) for uri, a in assets.items()}


def test_hugging_face_model_folder_is_one_model() -> None:
    found = grouped(
        [
            "models/bert/config.json",
            "models/bert/tokenizer.json",
            "models/bert/model.safetensors",
            "models/bert/README.md",
            "models/llama/model-00001-of-00002.safetensors",
            "models/llama/model-00002-of-00002.safetensors",
        ]
    )
    assert summary(found) == {"models/bert": ("model", 4), "models/llama": ("model", 2)}
    assert found["models/bert"].grouping == "model-folder"


def test_diffusers_and_savedmodel_take_their_subfolders() -> None:
    found = grouped(
        [
            "sd/model_index.json",
            "sd/unet/config.json",
            "sd/unet/diffusion_pytorch_model.safetensors",
            "sd/vae/config.json",
            "tf/saved_model.pb",
            "tf/variables/variables.index",
            "tf/variables/variables.data-00000-of-00001",
        ]
    )
    assert summary(found) == {"sd": ("model", 4), "tf": ("model", 3)}


def test_checkpoint_series_is_one_model() -> None:
    found = grouped(["ckpt/run1/epoch_010.pt", "ckpt/run1/epoch_020.pt", "ckpt/other/final.pt"])
    assert summary(found) == {"ckpt/run1": ("model", 2), "ckpt/other/final.pt": ("model", 1)}


def test_sharded_partitioned_and_hf_datasets() -> None:
    found = grouped(
        [
            "data/screen/part-00000.parquet",
            "data/screen/part-00001.parquet",
            "data/events/day=2026-10-01/x.parquet",
            "data/events/day=2026-10-02/y.parquet",
            "data/hf/dataset_info.json",
            "data/hf/data-00000-of-00001.arrow",
            "data/lonely.csv",
            "data/other.csv",
        ]
    )
    assert summary(found) == {
        "data/screen": ("dataset", 2),
        "data/events": ("dataset", 2),
        "data/hf": ("dataset", 2),
        "data/lonely.csv": ("dataset", 1),
        "data/other.csv": ("dataset", 1),
    }


def test_git_repository_is_one_code_asset_but_keeps_secrets_and_models_apart() -> None:
    found = grouped(
        [
            "repo/src/train.py",
            "repo/src/data.py",
            "repo/README.md",
            "repo/configs/train.yaml",
            "repo/.env",
            "repo/weights/model.pt",
        ],
        markers={f"{ROOT}/repo": {".git"}},
    )
    assert summary(found) == {
        "repo": ("code", 4),
        "repo/.env": ("credentials", 1),
        "repo/weights/model.pt": ("model", 1),
    }
    assert found["repo"].grouping == "code-repository"


def test_log_folders_climb_date_folders() -> None:
    found = grouped(
        [
            "logs/trail/us-east-1/2026/10/01/a.log",
            "logs/trail/us-east-1/2026/10/02/b.log",
            "logs/host/auth.log",
            "logs/host/auth.log.1",
            "logs/single/app.log",
        ]
    )
    assert summary(found) == {
        "logs/trail/us-east-1": ("log", 2),
        "logs/host": ("log", 2),
        "logs/single/app.log": ("log", 1),
    }


def test_loose_code_is_grouped_per_folder() -> None:
    found = grouped(["scripts/a.py", "scripts/b.sh", "tools/one.py", "notes.md"])
    assert summary(found) == {
        "scripts": ("code", 2),
        "tools/one.py": ("code", 1),
        "notes.md": ("document", 1),
    }


def test_single_file_scan_root() -> None:
    assets = group_assets(
        [FileRecord("/x/m.pkl", 1, 0, 0, 0, 0, "r", AssetKind.MODEL, "pickle")], ["/x/m.pkl"]
    )
    assert [(a.uri, a.kind) for a in assets] == [("/x/m.pkl", AssetKind.MODEL)]


def test_a_licence_readme_or_checksum_does_not_split_a_log_folder() -> None:
    found = grouped(
        [
            *(f"trail/{n}.log" for n in "abcdef"),
            "trail/LICENSE",
            "trail/README.md",
            "trail/SHA256SUMS",
            "trail/.gitkeep",
            "trail/.env",
        ]
    )
    assert summary(found) == {"trail": ("log", 10), "trail/.env": ("credentials", 1)}
    # a folder that is mostly something else is no log folder
    mixed = grouped(["misc/a.log", "misc/b.log", "misc/LICENSE", "misc/NOTICE", "misc/README"])
    assert "misc" not in mixed
    with_data = grouped(["run/a.log", "run/b.log", "run/results.csv"])
    assert "run" not in with_data


def test_the_real_cloudtrail_folder_with_its_licence_is_one_log_asset(tmp_path: Path) -> None:
    logs = corpora_path("logs", "cloudtrail-invictus")
    workspace = Workspace(tmp_path / ".labwarden").ensure()
    policy = workspace_policy(workspace.policy_path)
    with Catalog.open(workspace) as catalog:
        run_scan(catalog, LocalSource([str(logs)]), policy)
        found = catalog.assets.find()
    assert [(a.kind, a.uri, a.file_count) for a in found] == [
        (AssetKind.LOG, str(logs), len([p for p in logs.iterdir() if p.is_file()]))
    ]
