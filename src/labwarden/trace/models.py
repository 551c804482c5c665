"""Tracing leaked model files against seals: whole files by digest, tensors by the digest of
their raw bytes whatever format they were re-saved in (safetensors, NumPy, PyTorch, GGUF), and
tensors whose values were cast (F32 to F16 or BF16 and back) or transposed, against the sealed
files still on disk, so that a partial, re-packed, converted or truncated shard still names the
sealed asset version it came from."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.errors import LabwardenError
from labwarden.seal import bundle
from labwarden.seal.hashing import HEADER_ENTRY, Algorithm, digest_bytes
from labwarden.seal.manifest import parse_statement
from labwarden.store.catalog import Catalog
from labwarden.trace.nearness import Original, near_matches
from labwarden.trace.tensorfile import Tensor, read_tensors

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sealed:
    """Where a digest appears in a seal."""

    asset_id: int
    version: int
    file: str
    tensor: str | None


@dataclass(slots=True)
class SealIndex:
    """Every file and tensor digest of every sealed version, and the sealed files."""

    files: dict[str, list[Sealed]]
    tensors: dict[str, list[Sealed]]
    tensor_counts: dict[tuple[int, int], int]
    algorithms: set[Algorithm]
    sealed_files: list[tuple[Sealed, str, Algorithm]] = field(default_factory=list)
    """Each sealed file with its digest, for reading the ones still on disk."""


def seal_index(catalog: Catalog) -> SealIndex:
    """Read every seal recorded in the catalog (a damaged one is skipped with a log line)."""
    index = SealIndex(defaultdict(list), defaultdict(list), {}, set())
    for version in catalog.seals.versions():
        try:
            parsed = bundle.parse(version.bundle.encode(), version.seal_path)
            manifest = parse_statement(json.loads(parsed.payload), version.seal_path)
        except (LabwardenError, ValueError) as exc:
            log.warning("seal %s unreadable: %s", version.ref, exc)
            continue
        index.algorithms.add(manifest.algorithm)
        count = 0
        for item in manifest.files:
            where = Sealed(version.asset_id, version.version, item.name, None)
            if item.digest:
                index.files[item.digest].append(where)
                index.sealed_files.append((where, item.digest, manifest.algorithm))
            for name, digest in (item.tensors or {}).items():
                if name == HEADER_ENTRY:  # the header: a re-packed shard never keeps it
                    continue
                index.tensors[digest].append(
                    Sealed(version.asset_id, version.version, item.name, name)
                )
                count += 1
        index.tensor_counts[(version.asset_id, version.version)] = count
    return index


@dataclass(slots=True)
class _Hits:
    """What the leak holds of each sealed version."""

    index: SealIndex
    found: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)

    def entry(self, asset_id: int, version: int) -> dict[str, Any]:
        return self.found.setdefault(
            (asset_id, version),
            {
                "kind": "model",
                "asset_id": asset_id,
                "version": f"{asset_id}@v{version}",
                "source": None,
                "files_matched": set(),
                "tensors_matched": set(),
                "tensors_near": set(),
                "tensors_in_version": self.index.tensor_counts.get((asset_id, version), 0),
                "transformations": set(),
                "matches": [],
            },
        )


def _local(catalog: Catalog, sealed: Sealed) -> Path | None:
    try:
        uri = catalog.assets.get(str(sealed.asset_id)).uri
    except LabwardenError:
        return None
    if "://" in uri and not uri.startswith("file://"):
        return None
    root = Path(uri.removeprefix("file://"))
    return root / sealed.file if root.is_dir() else root


def _originals(catalog: Catalog, index: SealIndex, counts: set[int]) -> list[Original]:
    """Tensors of the sealed files still on disk (unchanged since sealed) of the sizes the
    leak's unmatched tensors have."""
    out: list[Original] = []
    read: dict[Path, bytes | None] = {}
    for sealed, digest, algorithm in index.sealed_files:
        path = _local(catalog, sealed)
        if path is None:
            continue
        if path not in read:
            try:
                read[path] = path.read_bytes() if path.is_file() else None
            except OSError:
                read[path] = None
        data = read[path]
        if data is None or digest_bytes(data, algorithm) != digest:
            continue
        tensors = read_tensors(data, str(path))
        for tensor in tensors.tensors if tensors else []:
            if tensor.count in counts:
                out.append(Original(sealed.asset_id, sealed.version, sealed.file, tensor))
    return out


_FLOATS = ("F16", "BF16", "F32", "F64")


def _exact(hits: _Hits, name: str, data: bytes, notes: list[str]) -> list[Tensor]:
    """Record the file and tensor digests of one leaked file found in seals; the floating-point
    tensors found in none (for the comparison by value)."""
    index = hits.index
    for algorithm in sorted(index.algorithms):
        for sealed in index.files.get(digest_bytes(data, algorithm), []):
            hit = hits.entry(sealed.asset_id, sealed.version)
            hit["files_matched"].add(sealed.file)
            hit["matches"].append({"leaked": name, "sealed": sealed.file})
    tensors = read_tensors(data, name)
    if tensors is None:
        return []
    notes += tensors.notes
    unmatched = []
    for tensor in tensors.tensors:
        found = index.tensors.get(digest_bytes(tensor.data, "blake3"), [])
        for sealed in found:
            hit = hits.entry(sealed.asset_id, sealed.version)
            hit["tensors_matched"].add((sealed.file, sealed.tensor))
            hit["matches"].append(
                {"leaked": f"{name}:{tensor.name}", "sealed": f"{sealed.file}:{sealed.tensor}"}
            )
        if not found and tensor.dtype in _FLOATS and tensor.count >= 16:
            unmatched.append(tensor)
    return unmatched


def _near(catalog: Catalog, hits: _Hits, unmatched: list[tuple[str, Tensor]]) -> None:
    originals = _originals(catalog, hits.index, {t.count for _, t in unmatched})
    for name, tensor in unmatched:
        for original, how in near_matches(tensor, originals):
            hit = hits.entry(original.asset_id, original.version)
            hit["tensors_near"].add((original.file, original.tensor.name))
            hit["transformations"].add(how)
            hit["matches"].append(
                {
                    "leaked": f"{name}:{tensor.name}",
                    "sealed": f"{original.file}:{original.tensor.name}",
                    "how": how,
                }
            )


def trace_models(
    catalog: Catalog, items: Iterable[tuple[str, bytes]], notes: list[str] | None = None
) -> list[dict[str, Any]]:
    """Sealed asset versions whose files or tensors the leaked ``(name, bytes)`` items hold,
    best first."""
    index = seal_index(catalog)
    if not index.files and not index.tensors:
        return []
    hits = _Hits(index)
    unmatched: list[tuple[str, Tensor]] = []
    for name, data in items:
        unmatched += [
            (name, t) for t in _exact(hits, name, data, notes if notes is not None else [])
        ]
    if unmatched:
        _near(catalog, hits, unmatched)
    return [_finish(catalog, item) for item in _ranked(hits.found)]


def _ranked(hits: dict[tuple[int, int], dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        hits.values(),
        key=lambda e: (
            -len(e["tensors_matched"]) - len(e["tensors_near"]),
            -len(e["files_matched"]),
            e["version"],
        ),
    )


def _finish(catalog: Catalog, item: dict[str, Any]) -> dict[str, Any]:
    asset = catalog.assets.get(str(item["asset_id"]))
    tensors = len(item["tensors_matched"])
    near = len(item["tensors_near"] - item["tensors_matched"])
    total = int(item["tensors_in_version"])
    return {
        **item,
        "asset": asset.name,
        "source": asset.uri,
        "files_matched": len(item["files_matched"]),
        "tensors_matched": tensors,
        "tensors_near": near,
        "transformations": sorted(item["transformations"]),
        "fraction_of_tensors": min(1.0, (tensors + near) / total) if total else None,
        "matches": item["matches"][:50],
    }
