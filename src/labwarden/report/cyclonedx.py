"""The inventory as a CycloneDX 1.6 JSON BOM.

Models are ``machine-learning-model`` components, datasets ``data`` components (with a
``data`` entry carrying the sensitivity as its classification), code ``application``
components and everything else ``file`` components. Each asset's files are nested components
with their hashes; the asset's sensitivity and reasons are ``labwarden:`` properties.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from labwarden import __version__
from labwarden.core.asset import FileRecord
from labwarden.core.values import AssetKind
from labwarden.store.assets import StoredAsset

_TYPES = {
    AssetKind.MODEL: "machine-learning-model",
    AssetKind.DATASET: "data",
    AssetKind.CODE: "application",
}
_HASH_NAMES = {"blake3": "BLAKE3", "sha256": "SHA-256"}


def build_bom(
    assets: Sequence[tuple[StoredAsset, Sequence[FileRecord]]],
    *,
    serial: uuid.UUID | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A CycloneDX 1.6 document for ``assets`` (each with its files)."""
    when = (timestamp or datetime.now(UTC)).isoformat(timespec="seconds")
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": (serial or uuid.uuid4()).urn,
        "version": 1,
        "metadata": {
            "timestamp": when,
            "tools": {
                "components": [
                    {
                        "type": "application",
                        "name": "labwarden",
                        "version": __version__,
                    }
                ]
            },
        },
        "components": [_component(asset, files) for asset, files in assets],
    }


def _component(asset: StoredAsset, files: Sequence[FileRecord]) -> dict[str, Any]:
    kind = _TYPES.get(asset.kind, "file")
    component: dict[str, Any] = {
        "type": kind,
        "bom-ref": f"labwarden:asset:{asset.id}",
        "name": asset.name,
        "description": f"{asset.kind.value} asset ({asset.grouping}) at {asset.uri}",
        "properties": _properties(asset),
    }
    if len(files) == 1 and files[0].path == asset.uri:
        component["hashes"] = _hashes(files[0])
    else:
        component["components"] = [_file_component(asset, f) for f in files]
    if kind == "data":
        component["data"] = [
            {
                "type": "dataset",
                "name": asset.name,
                "classification": asset.sensitivity.value,
                "contents": {"url": _file_url(asset.uri)},
                "sensitiveData": [r.reason for r in asset.reasons if r.rule != f"kind:{kind}"],
            }
        ]
    return component


def _file_component(asset: StoredAsset, record: FileRecord) -> dict[str, Any]:
    relative = record.path.removeprefix(asset.uri.rstrip("/") + "/")
    component: dict[str, Any] = {
        "type": "file",
        "bom-ref": f"labwarden:asset:{asset.id}:file:{record.id}",
        "name": relative,
        "properties": [
            {"name": "labwarden:format", "value": record.format},
            {"name": "labwarden:size", "value": str(record.size)},
        ],
    }
    hashes = _hashes(record)
    if hashes:
        component["hashes"] = hashes
    return component


def _hashes(record: FileRecord) -> list[dict[str, str]]:
    if record.digest and record.digest_algorithm in _HASH_NAMES:
        return [{"alg": _HASH_NAMES[record.digest_algorithm], "content": record.digest}]
    return []


def _properties(asset: StoredAsset) -> list[dict[str, str]]:
    props = [
        {"name": "labwarden:kind", "value": asset.kind.value},
        {"name": "labwarden:sensitivity", "value": asset.sensitivity.value},
        {"name": "labwarden:uri", "value": asset.uri},
        {"name": "labwarden:size", "value": str(asset.size)},
        {"name": "labwarden:files", "value": str(asset.file_count)},
        {"name": "labwarden:formats", "value": ",".join(asset.formats)},
    ]
    props.extend(
        {"name": "labwarden:reason", "value": f"{r.sensitivity.value} {r.rule}: {r.reason}"}
        for r in asset.reasons
    )
    return props


def _file_url(uri: str) -> str:
    return uri if "://" in uri else "file://" + uri
