"""Leaked model files re-saved in another format, cast to another dtype, transposed or cut
short still name the sealed asset version they come from; unrelated weights name nothing."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from labwarden.cli.app import app
from tests.trace import modelfiles

Array = modelfiles.Array


def _weights(seed: int) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    return {
        f"layers.{seed}.attn.q": rng.normal(0, 0.02, (48, 32)).astype(np.float32),
        f"layers.{seed}.attn.k": rng.normal(0, 0.02, (48, 32)).astype(np.float32),
        f"layers.{seed}.mlp.up": rng.normal(0, 0.02, (32, 96)).astype(np.float32),
        f"layers.{seed}.norm": (1 + rng.normal(0, 0.01, 32)).astype(np.float32),
    }


class Lab:
    """A sealed two-shard model (v1), resealed with one tensor changed (v2)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.ws = ["--workspace", str(root / ".labwarden")]
        self.model = root / "models" / "protein-lm"
        self.shards = {1: _weights(1), 2: _weights(2)}
        self.tokenizer = json.dumps({"vocab": {f"tok{i}": i for i in range(400)}}).encode()

    def write(self) -> None:
        self.model.mkdir(parents=True, exist_ok=True)
        (self.model / "tokenizer.json").write_bytes(self.tokenizer)
        for shard, tensors in self.shards.items():
            name = f"model-0000{shard}-of-00002.safetensors"
            (self.model / name).write_bytes(modelfiles.safetensors(tensors))

    def cli(self, *args: str) -> Any:
        done = CliRunner().invoke(app, [*self.ws, *args])
        assert done.exit_code in (0, 1), (args, done.output)
        return done

    def trace(self, name: str, data: bytes) -> dict[str, Any]:
        leaked = self.root / "loot" / name
        leaked.parent.mkdir(exist_ok=True)
        leaked.write_bytes(data)
        done = self.cli("trace", str(leaked), "-f", "json", "--no-incident")
        return dict(json.loads(done.stdout))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    os.environ["LABWARDEN_KEY_PASSPHRASE"] = "test-passphrase-1234"
    lab = Lab(tmp_path_factory.mktemp("sealed"))
    lab.write()
    lab.cli("scan", str(lab.model.parent))
    lab.cli("keys", "generate", "default")
    lab.cli("seal", str(lab.model))
    try:
        yield lab
    finally:
        del os.environ["LABWARDEN_KEY_PASSPHRASE"]


def _one(lab: Lab, *names: str) -> dict[str, Array]:
    both = lab.shards[1] | lab.shards[2]
    return {n: both[n] for n in names}


def _cut(data: bytes, share: float) -> bytes:
    return data[: int(len(data) * share)]


_Q1, _K1, _UP2, _N2 = "layers.1.attn.q", "layers.1.attn.k", "layers.2.mlp.up", "layers.2.norm"

CASES: list[tuple[str, str, Callable[[Lab], bytes], int, int, str]] = [
    ("npz", "weights.npz", lambda lab: modelfiles.npz(_one(lab, _Q1, _UP2)), 2, 0, ""),
    ("npy", "q.npy", lambda lab: modelfiles.npy(_one(lab, _Q1)[_Q1]), 1, 0, ""),
    (
        "pytorch",
        "pytorch_model.bin",
        lambda lab: modelfiles.torch_zip(_one(lab, _Q1, _K1, _N2)),
        3,
        0,
        "",
    ),
    (
        "pytorch cut short",
        "pytorch_model.bin",
        lambda lab: _cut(modelfiles.torch_zip(_one(lab, _Q1, _K1, _UP2, _N2)), 3 / 4),
        2,
        0,
        "",
    ),
    ("gguf", "model.gguf", lambda lab: modelfiles.gguf(_one(lab, _Q1, _N2)), 2, 0, ""),
    (
        "cast to F16",
        "model-fp16.safetensors",
        lambda lab: modelfiles.safetensors(
            {k: v.astype(np.float16) for k, v in _one(lab, _Q1, _K1, _UP2).items()}
        ),
        0,
        3,
        "cast F32 to F16",
    ),
    (
        "transposed, F16",
        "kernel.npy",
        lambda lab: modelfiles.npy(_one(lab, _UP2)[_UP2].T.astype(np.float16).copy()),
        0,
        1,
        "cast F32 to F16, transposed",
    ),
    (
        "safetensors cut short",
        "shard.safetensors",
        lambda lab: _cut(modelfiles.safetensors(lab.shards[1]), 2 / 3),
        2,
        0,
        "",
    ),
]


@pytest.mark.parametrize(
    ("label", "name", "make", "exact", "near", "how"), CASES, ids=[c[0] for c in CASES]
)
def test_converted_leak_names_the_sealed_version(
    lab: Lab,
    label: str,
    name: str,
    make: Callable[[Lab], bytes],
    exact: int,
    near: int,
    how: str,
) -> None:
    report = lab.trace(name, make(lab))
    best = report["candidates"][0]
    assert best["kind"] == "model" and best["asset"] == "protein-lm", label
    assert best["version"].endswith("@v1")
    assert (best["tensors_matched"], best["tensors_near"]) == (exact, near), best
    if how:
        assert how in best["transformations"]


def test_unrelated_weights_and_zeros_match_nothing(lab: Lab) -> None:
    other = _weights(7)
    zeros = {"z": np.zeros((48, 32), np.float32)}
    report = lab.trace("other.safetensors", modelfiles.safetensors(other | zeros))
    assert report["verdict"] == "no match", report["candidates"]
    half: dict[str, Array] = {k: v.astype(np.float16) for k, v in other.items()}
    assert lab.trace("other16.npz", modelfiles.npz(half))["verdict"] == "no match"


def test_truncated_file_is_the_start_of_a_catalogued_file(lab: Lab) -> None:
    report = lab.trace("tokenizer.json", lab.tokenizer[: len(lab.tokenizer) // 2])
    best = report["candidates"][0]
    assert best["kind"] == "truncated file"
    assert best["source"] == str(lab.model / "tokenizer.json")
    assert 0.49 < best["fraction_of_original"] < 0.51
    assert lab.trace("other.json", b"{" + b" " * 2000)["verdict"] == "no match"


def test_a_leak_of_the_new_version_names_it(lab: Lab, tmp_path: Path) -> None:
    shard = lab.model / "model-00002-of-00002.safetensors"
    before = shard.read_bytes()
    changed = dict(lab.shards[2])
    changed[_UP2] = np.asarray(changed[_UP2], dtype=np.float32) * np.float32(1.5)
    try:
        shard.write_bytes(modelfiles.safetensors(changed))
        lab.cli("scan", str(lab.model.parent))
        lab.cli("seal", str(lab.model))
        report = lab.trace("new.npz", modelfiles.npz({"up": changed[_UP2]}))
        assert report["candidates"][0]["version"].endswith("@v2")
        old = lab.trace("old-fp16.npz", modelfiles.npz({"up": lab.shards[2][_UP2]}))
        assert old["candidates"][0]["version"].endswith("@v1")
    finally:
        shard.write_bytes(before)
