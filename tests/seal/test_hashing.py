"""Parallel hashing: digests equal the reference implementations at every size threshold."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import blake3
import pytest

from labwarden.checks.modelfile.samples import safetensors
from labwarden.seal.errors import HashingError
from labwarden.seal.hashing import (
    HEADER_ENTRY,
    Algorithm,
    digest_bytes,
    digest_file,
    digest_handle,
    hash_file,
    hash_files,
    parse_algorithm,
    shard_bounds,
)
from labwarden.seal.walk import FileEntry

SIZES = [0, 1, 4096, 1024 * 1024 + 1, 5 * 1024 * 1024 + 7, 17 * 1024 * 1024 + 3]


def entry(path: Path) -> FileEntry:
    return FileEntry(path.name, os.fsencode(path), path.stat().st_size)


@pytest.fixture(scope="module")
def sized_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("sizes")
    out = []
    for size in SIZES:
        path = folder / f"f{size}.bin"
        path.write_bytes(os.urandom(size))
        out.append(path)
    return out


@pytest.mark.parametrize("algorithm", ["sha256", "blake3"])
def test_whole_file_digests_match_the_reference(sized_files: list[Path], algorithm: str) -> None:
    hashed = hash_files([entry(p) for p in sized_files], algorithm, workers=2)  # type: ignore[arg-type]
    for path, result in zip(sized_files, hashed, strict=True):
        data = path.read_bytes()
        expected = (
            hashlib.sha256(data).hexdigest()
            if algorithm == "sha256"
            else blake3.blake3(data).hexdigest()
        )
        assert result.digest == expected, path.name
        assert result.size == len(data)


def test_shards_tile_the_file_and_match_sha256_of_each_range(sized_files: list[Path]) -> None:
    shard = 2 * 1024 * 1024
    hashed = hash_files([entry(p) for p in sized_files], "sha256", shard_size=shard, workers=2)
    for path, result in zip(sized_files, hashed, strict=True):
        data = path.read_bytes()
        assert result.digest is None
        assert [(s.start, s.end) for s in result.shards] == shard_bounds(len(data), shard)
        for s in result.shards:
            assert s.digest == hashlib.sha256(data[s.start : s.end]).hexdigest()


def test_shards_are_only_for_sha256(sized_files: list[Path]) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        hash_files([entry(sized_files[0])], "blake3", shard_size=1024)


@pytest.mark.parametrize("size", [(8, 8), (1200, 1024)])
def test_tensor_digests_cover_every_tensor(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "m.safetensors"
    data = safetensors({"w": size, "b": (size[0],)}, os.urandom(4096))
    path.write_bytes(data)
    result = hash_file(entry(path), "sha256")
    assert result.digest == hashlib.sha256(data).hexdigest()
    assert result.tensors is not None
    assert set(result.tensors) == {HEADER_ENTRY, "w", "b"}
    header_len = int.from_bytes(data[:8], "little")
    w_bytes = data[8 + header_len : 8 + header_len + size[0] * size[1] * 4]
    assert result.tensors["w"] == blake3.blake3(w_bytes).hexdigest()


def test_a_broken_safetensors_file_still_hashes_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "broken.safetensors"
    path.write_bytes(b"\xff" * 64)
    result = hash_file(entry(path), "sha256")
    assert result.digest == hashlib.sha256(b"\xff" * 64).hexdigest()
    assert result.tensors is None
    assert result.tensor_error is not None and "header" in result.tensor_error


def test_a_file_that_changes_while_hashed_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "growing.bin"
    path.write_bytes(os.urandom(9 * 1024 * 1024))

    def append_once(_n: int) -> None:
        if path.stat().st_size == 9 * 1024 * 1024:
            with path.open("ab") as handle:
                handle.write(b"more")

    with pytest.raises(HashingError, match="changed while being hashed"):
        hash_file(entry(path), "sha256", progress=append_once)


def test_a_file_replaced_by_a_link_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    target.write_bytes(b"outside")
    link = tmp_path / "weights.bin"
    link.symlink_to(target)
    with pytest.raises(HashingError, match="symbolic link"):
        hash_file(FileEntry("weights.bin", os.fsencode(link), 7), "sha256")


@pytest.mark.parametrize("algorithm", ["sha256", "blake3"])
def test_single_file_digests_equal_the_references(
    sized_files: list[Path], algorithm: Algorithm
) -> None:
    reference = hashlib.sha256 if algorithm == "sha256" else blake3.blake3
    for path in sized_files:
        data = path.read_bytes()
        expected = reference(data).hexdigest()
        assert digest_file(str(path), algorithm) == expected
        assert digest_bytes(data, algorithm) == expected
        with path.open("rb") as handle:
            handle.read(3)  # the whole file is hashed whatever the position
            assert digest_handle(handle, algorithm) == expected


def test_single_file_digest_never_follows_a_link(tmp_path: Path) -> None:
    (tmp_path / "target").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(OSError):
        digest_file(str(tmp_path / "link"))


@pytest.mark.parametrize(
    ("text", "expected"), [("blake3", "blake3"), ("SHA-256", "sha256"), ("Sha256", "sha256")]
)
def test_algorithm_names(text: str, expected: str) -> None:
    assert parse_algorithm(text) == expected


@pytest.mark.parametrize("text", ["md5", "", "sha-1", "blake2b"])
def test_unknown_algorithms_name_the_known_ones(text: str) -> None:
    with pytest.raises(ValueError, match="use blake3 or sha256"):
        parse_algorithm(text)
