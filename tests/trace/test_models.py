"""Leaked model files traced against seals: whole files, and tensors of a re-packed shard."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from labwarden.cli.app import app


def _safetensors(tensors: dict[str, bytes]) -> bytes:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, data in tensors.items():
        header[name] = {
            "dtype": "F32",
            "shape": [len(data) // 4],
            "data_offsets": [offset, offset + len(data)],
        }
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(tensors.values())


def _tensor(seed: int) -> bytes:
    return struct.pack("<64f", *(float(seed * 100 + i) for i in range(64)))


def test_partial_shard_names_the_sealed_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABWARDEN_KEY_PASSPHRASE", "test-passphrase-1234")
    runner = CliRunner()
    ws = ["--workspace", str(tmp_path / ".labwarden")]
    model = tmp_path / "models" / "protein-lm"
    model.mkdir(parents=True)
    (model / "config.json").write_text('{"model_type": "esm"}\n')
    for shard in (1, 2):
        tensors = {f"layer.{shard}.{p}": _tensor(shard * 10 + i) for i, p in enumerate("qkv")}
        (model / f"model-0000{shard}-of-00002.safetensors").write_bytes(_safetensors(tensors))
    for args in (
        ["scan", str(model.parent)],
        ["keys", "generate", "default"],
        ["seal", str(model)],
    ):
        done = runner.invoke(app, [*ws, *args])
        assert done.exit_code in (0, 1), (args, done.output)
    repacked = tmp_path / "loot" / "shard.safetensors"
    repacked.parent.mkdir()
    repacked.write_bytes(_safetensors({"q": _tensor(10), "v": _tensor(12), "extra": _tensor(99)}))
    traced = runner.invoke(app, [*ws, "trace", str(repacked), "-f", "json"])
    assert traced.exit_code == 0, traced.output
    report = json.loads(traced.stdout)
    best = report["candidates"][0]
    assert best["kind"] == "model" and best["asset"] == "protein-lm"
    assert best["version"].endswith("@v1")
    assert (best["tensors_matched"], best["tensors_in_version"]) == (2, 6)
    assert best["files_matched"] == 0
    whole = runner.invoke(app, [*ws, "trace", str(model / "config.json"), "-f", "json"])
    first = json.loads(whole.stdout)["candidates"][0]
    assert first["kind"] == "model" and first["files_matched"] == 1
