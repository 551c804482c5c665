"""Fixtures for seal tests: a workspace with a real encrypted key and small model folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from labwarden.checks.modelfile.samples import safetensors
from labwarden.core.workspace import Workspace
from labwarden.seal import keys

PASSPHRASE = "test-passphrase-1234"


@pytest.fixture
def signing_workspace(tmp_path: Path) -> Workspace:
    """A workspace holding an encrypted ECDSA P-256 key named ``default``."""
    workspace = Workspace(tmp_path / "ws")
    keys.generate(workspace, "default", keys.KeyType.ECDSA_P256, PASSPHRASE)
    return workspace


def write_model(folder: Path, *, fill: bytes = b"\x01\x02\x03\x04") -> Path:
    """A small Hugging Face-style model folder with two safetensors shards."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text('{"model_type": "esm"}\n')
    (folder / "README.md").write_text("# test model\n")
    (folder / "tokenizer").mkdir(exist_ok=True)
    (folder / "tokenizer" / "vocab.txt").write_text("a\nb\nc\n")
    for shard in (1, 2):
        tensors = {f"layer.{shard}.{p}": (8, 8) for p in ("query", "key", "value")}
        (folder / f"model-0000{shard}-of-00002.safetensors").write_bytes(
            safetensors(tensors, fill * shard)
        )
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """A fresh model folder."""
    return write_model(tmp_path / "models" / "esm-test")


def flip_tensor_byte(path: Path, tensor: str) -> None:
    """Change one byte inside ``tensor`` of a safetensors file."""
    from labwarden.seal.safetensors import parse_header

    data = bytearray(path.read_bytes())
    span = next(s for s in parse_header(bytes(data), len(data)) if s.name == tensor)
    data[span.start + 3] ^= 0xFF
    path.write_bytes(bytes(data))


Passphrase = Callable[[], str]


def passphrase() -> str:
    """The test key's passphrase."""
    return PASSPHRASE
