"""Tracing leaked model files against seals: file digests, and tensor digests for safetensors,
so that a re-packed or partial shard still names the sealed asset version it came from."""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labwarden.core.errors import LabwardenError
from labwarden.seal import bundle
from labwarden.seal.errors import HashingError
from labwarden.seal.hashing import HEADER_ENTRY, Algorithm, digest_file, tensor_digests
from labwarden.seal.manifest import parse_statement
from labwarden.seal.walk import FileEntry
from labwarden.store.catalog import Catalog

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
    """Every file and tensor digest of every sealed version."""

    files: dict[str, list[Sealed]]
    tensors: dict[str, list[Sealed]]
    tensor_counts: dict[tuple[int, int], int]
    algorithms: set[Algorithm]


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
            if item.digest:
                index.files[item.digest].append(
                    Sealed(version.asset_id, version.version, item.name, None)
                )
            for name, digest in (item.tensors or {}).items():
                if name == HEADER_ENTRY:  # the header: a re-packed shard never keeps it
                    continue
                index.tensors[digest].append(
                    Sealed(version.asset_id, version.version, item.name, name)
                )
                count += 1
        index.tensor_counts[(version.asset_id, version.version)] = count
    return index


def _tensors(path: Path) -> dict[str, str]:
    try:
        found, _ = tensor_digests(FileEntry(path.name, os.fsencode(path), path.stat().st_size))
    except (HashingError, OSError):
        return {}
    return found or {}


def trace_models(catalog: Catalog, files: list[Path]) -> list[dict[str, Any]]:
    """Sealed asset versions whose files or tensors the leaked ``files`` hold, best first."""
    index = seal_index(catalog)
    if not index.files and not index.tensors:
        return []
    hits: dict[tuple[int, int], dict[str, Any]] = {}

    def entry(sealed: Sealed) -> dict[str, Any]:
        return hits.setdefault(
            (sealed.asset_id, sealed.version),
            {
                "kind": "model",
                "asset_id": sealed.asset_id,
                "version": f"{sealed.asset_id}@v{sealed.version}",
                "source": None,
                "files_matched": set(),
                "tensors_matched": set(),
                "tensors_in_version": index.tensor_counts.get((sealed.asset_id, sealed.version), 0),
                "matches": [],
            },
        )

    for path in files:
        for algorithm in sorted(index.algorithms):
            for sealed in index.files.get(digest_file(str(path), algorithm), []):
                entry(sealed)["files_matched"].add(sealed.file)
                entry(sealed)["matches"].append({"leaked": str(path), "sealed": sealed.file})
        for name, digest in _tensors(path).items():
            if name == HEADER_ENTRY:
                continue
            for sealed in index.tensors.get(digest, []):
                entry(sealed)["tensors_matched"].add((sealed.file, sealed.tensor))
                entry(sealed)["matches"].append(
                    {"leaked": f"{path}:{name}", "sealed": f"{sealed.file}:{sealed.tensor}"}
                )
    return [_finish(catalog, item) for item in _ranked(hits)]


def _ranked(hits: dict[tuple[int, int], dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        hits.values(),
        key=lambda e: (-len(e["tensors_matched"]), -len(e["files_matched"]), e["version"]),
    )


def _finish(catalog: Catalog, item: dict[str, Any]) -> dict[str, Any]:
    asset = catalog.assets.get(str(item["asset_id"]))
    tensors = len(item["tensors_matched"])
    total = int(item["tensors_in_version"])
    return {
        **item,
        "asset": asset.name,
        "source": asset.uri,
        "files_matched": len(item["files_matched"]),
        "tensors_matched": tensors,
        "fraction_of_tensors": tensors / total if total else None,
        "matches": item["matches"][:50],
    }
