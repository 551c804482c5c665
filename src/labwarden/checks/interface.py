"""The interface of every check, and what a check may use to read an asset's files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from labwarden.core.asset import Asset, FileRecord
from labwarden.core.finding import Finding


def os_path(record: FileRecord) -> str | bytes:
    """The real path of a file record; names that are not UTF-8 keep their original bytes."""
    raw = record.properties.get("os_path")
    if isinstance(raw, str):
        return os.fsencode(raw)
    return record.path


@dataclass(frozen=True, slots=True)
class CheckContext:
    """How a check reads files (by their local path), and the workspace a scan writes to."""

    workspace_root: Path | None = None
    """The workspace folder (``.labwarden``) of a scan; ``None`` for standalone inspections."""

    def open(self, record: FileRecord) -> BinaryIO:
        """Open a file of the asset for reading bytes (never follows a symbolic link)."""
        fd = os.open(self.local_path(record), os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(fd, "rb")

    def local_path(self, record: FileRecord) -> str | bytes:
        """The file's path on this machine (bytes when its name is not UTF-8)."""
        return os_path(record)


class Check(Protocol):
    """A check: a name, which assets it looks at, and what it finds in them."""

    name: str
    """Short identifier, e.g. ``modelfile``; also the ``labwarden inspect`` sub-command."""
    description: str
    """One line for ``--help`` and reports."""

    def applies_to(self, asset: Asset) -> bool:
        """Whether :meth:`run` has anything to look at in ``asset``."""
        ...

    def run(self, asset: Asset, context: CheckContext) -> Iterable[Finding]:
        """The findings for ``asset``; a file it cannot read is a finding, not an exception."""
        ...
