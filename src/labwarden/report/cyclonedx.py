"""The inventory as a CycloneDX 1.6 JSON BOM, built with cyclonedx-python-lib.

Models are ``machine-learning-model`` components, datasets ``data`` components (with a
``data`` entry carrying the sensitivity as its classification), code ``application``
components and everything else ``file`` components. Each asset's files are nested components
with their hashes; the asset's sensitivity and reasons are ``labwarden:`` properties.

The library writes everything but the ``data`` entries of dataset components, which it does not
model yet (CycloneDX/cyclonedx-python-lib#913): those are added to its output, which the tests
validate against the official schema.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6

from labwarden import __version__
from labwarden.core.asset import FileRecord
from labwarden.core.values import AssetKind
from labwarden.store.assets import StoredAsset

_TYPES = {
    AssetKind.MODEL: ComponentType.MACHINE_LEARNING_MODEL,
    AssetKind.DATASET: ComponentType.DATA,
    AssetKind.CODE: ComponentType.APPLICATION,
}
_HASHES = {"blake3": HashAlgorithm.BLAKE3, "sha256": HashAlgorithm.SHA_256}


def build_bom(
    assets: Sequence[tuple[StoredAsset, Sequence[FileRecord]]],
    *,
    serial: uuid.UUID | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A CycloneDX 1.6 document for ``assets`` (each with its files)."""
    bom = Bom(serial_number=serial or uuid.uuid4())
    bom.metadata.timestamp = (timestamp or datetime.now(UTC)).replace(microsecond=0)
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="labwarden", version=__version__)
    )
    for asset, files in assets:
        bom.components.add(_component(asset, files))
    document: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
    datasets = {_ref(asset): asset for asset, _ in assets if _type(asset) is ComponentType.DATA}
    for component in document.get("components", []):
        dataset = datasets.get(component.get("bom-ref", ""))
        if dataset is not None:
            component["data"] = [_data(dataset)]
    return document


def _type(asset: StoredAsset) -> ComponentType:
    return _TYPES.get(asset.kind, ComponentType.FILE)


def _ref(asset: StoredAsset) -> str:
    return f"labwarden:asset:{asset.id}"


def _component(asset: StoredAsset, files: Sequence[FileRecord]) -> Component:
    component = Component(
        type=_type(asset),
        name=asset.name,
        bom_ref=_ref(asset),
        description=f"{asset.kind.value} asset ({asset.grouping}) at {asset.uri}",
        properties=_properties(asset),
    )
    if len(files) == 1 and files[0].path == asset.uri:
        component.hashes.update(_hashes(files[0]))
    else:
        component.components.update(_file_component(asset, f) for f in files)
    return component


def _data(asset: StoredAsset) -> dict[str, Any]:
    """The ``data`` entry of a dataset component: its classification and why."""
    kind = _type(asset).value
    return {
        "type": "dataset",
        "name": asset.name,
        "classification": asset.sensitivity.value,
        "contents": {"url": _file_url(asset.uri)},
        "sensitiveData": [r.reason for r in asset.reasons if r.rule != f"kind:{kind}"],
    }


def _file_component(asset: StoredAsset, record: FileRecord) -> Component:
    return Component(
        type=ComponentType.FILE,
        name=record.path.removeprefix(asset.uri.rstrip("/") + "/"),
        bom_ref=f"{_ref(asset)}:file:{record.id}",
        properties=[
            Property(name="labwarden:format", value=record.format),
            Property(name="labwarden:size", value=str(record.size)),
        ],
        hashes=_hashes(record),
    )


def _hashes(record: FileRecord) -> list[HashType]:
    algorithm = _HASHES.get(record.digest_algorithm or "")
    if record.digest and algorithm is not None:
        return [HashType(alg=algorithm, content=record.digest)]
    return []


def _properties(asset: StoredAsset) -> list[Property]:
    props = [
        Property(name="labwarden:kind", value=asset.kind.value),
        Property(name="labwarden:sensitivity", value=asset.sensitivity.value),
        Property(name="labwarden:uri", value=asset.uri),
        Property(name="labwarden:size", value=str(asset.size)),
        Property(name="labwarden:files", value=str(asset.file_count)),
        Property(name="labwarden:formats", value=",".join(asset.formats)),
    ]
    props.extend(
        Property(name="labwarden:reason", value=f"{r.sensitivity.value} {r.rule}: {r.reason}")
        for r in asset.reasons
    )
    return props


def _file_url(uri: str) -> str:
    return uri if "://" in uri else "file://" + uri
