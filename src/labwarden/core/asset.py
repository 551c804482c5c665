"""Files and assets as the inventory sees them and the catalog stores them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labwarden.core.values import AssetKind, Sensitivity


@dataclass(slots=True)
class FileRecord:
    """One regular file seen by a source, with what the inventory learned about it."""

    path: str
    size: int
    mtime_ns: int
    inode: int
    mode: int
    uid: int
    owner: str
    kind: AssetKind
    format: str
    digest: str | None = None
    digest_algorithm: str | None = None
    columns: list[str] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    asset_id: int | None = None

    @property
    def name(self) -> str:
        """The last path component."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class SensitivityReason:
    """Why an asset got a sensitivity: which rule said what."""

    rule: str
    sensitivity: Sensitivity
    reason: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dictionary."""
        return {"rule": self.rule, "sensitivity": self.sensitivity.value, "reason": self.reason}


@dataclass(slots=True)
class Asset:
    """A logical asset: one model folder, one dataset, one repository, one log folder or a file."""

    uri: str
    name: str
    kind: AssetKind
    files: list[FileRecord] = field(default_factory=list)
    grouping: str = "file"
    sensitivity: Sensitivity = Sensitivity.INTERNAL
    reasons: list[SensitivityReason] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    id: int | None = None

    @property
    def size(self) -> int:
        """Total bytes of the asset's files."""
        return sum(f.size for f in self.files)
