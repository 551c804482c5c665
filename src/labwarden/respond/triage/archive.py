"""The evidence archive: the staged folder packed into one ``.tar.gz``, written atomically and
hashed as it is written.

Layout inside the archive (``NAME`` is the archive's name without ``.tar.gz``)::

    NAME/evidence/manifest.json        every file of the evidence with its SHA-256
    NAME/evidence/acquisition.json     the acquisition log
    NAME/evidence/findings.json        what triage judged
    NAME/evidence/artifacts/...        every artifact as it was read
    NAME/evidence.sigstore.json        the seal over NAME/evidence (when a key exists)

Beside it, ``ARCHIVE.sha256`` (``sha256sum -c`` reads it) and, when sealed,
``ARCHIVE.sigstore.json``.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isal import igzip

from labwarden.store.atomic import atomic_binary, atomic_write

SUFFIXES = (".tar.gz", ".tgz")


def archive_name(output: Path) -> str:
    """The top folder inside the archive: its file name without the suffix."""
    for suffix in SUFFIXES:
        if output.name.endswith(suffix):
            return output.name[: -len(suffix)]
    return output.name


class _Hashing:
    """A binary writer that hashes what passes through it."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return int(self.sink.write(data))

    def flush(self) -> None:
        self.sink.flush()


@dataclass(frozen=True, slots=True)
class Packed:
    """The written archive."""

    path: Path
    size: int
    sha256: str


def write_json(path: Path, document: Any) -> tuple[int, str]:
    """Write a JSON document into the staging folder; its size and SHA-256."""
    data = (json.dumps(document, indent=1, ensure_ascii=True, default=str) + "\n").encode()
    path.write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


def pack(staging: Path, output: Path) -> Packed:
    """Pack every file of ``staging`` under the archive's top folder, in a stable order."""
    top = archive_name(output)
    files = sorted(p for p in staging.rglob("*") if p.is_file() and not p.is_symlink())
    with atomic_binary(output) as handle:
        hashing = _Hashing(handle)
        with (
            igzip.IGzipFile(fileobj=hashing, mode="wb", compresslevel=2) as gz,  # type: ignore[no-untyped-call]
            tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar,
        ):
            for path in files:
                info = tar.gettarinfo(str(path), arcname=f"{top}/{path.relative_to(staging)}")
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                with path.open("rb") as source:
                    tar.addfile(info, source)
    packed = Packed(output, hashing.size, hashing.digest.hexdigest())
    atomic_write(output.with_name(output.name + ".sha256"), f"{packed.sha256}  {output.name}\n")
    return packed
