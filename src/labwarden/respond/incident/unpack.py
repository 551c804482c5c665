"""Unpack a triage evidence archive (``labwarden triage`` output) for reading, and check it.

The archive is untrusted input: members are never extracted by ``tarfile``'s own extraction
(which follows names and links as the archive says); only regular files under
``<top>/evidence/`` are copied, each to a name made safe here, with limits on each member, on
the whole and on the number of files. Every file is hashed as it is copied and compared with
the archive's manifest, so that what the timeline shows is known to be what triage collected,
or known not to be.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from labwarden.core.errors import InputError

MEMBER_LIMIT = 1 << 30
"""Largest member copied (triage keeps at most 256 MiB of a history, 64 MiB of other files)."""
TOTAL_LIMIT = 8 << 30
"""Most bytes copied out of one archive."""
COUNT_LIMIT = 200_000
"""Most files copied out of one archive."""
MANIFEST_FORMAT = "labwarden-triage-manifest/1"
SEAL_NAME = "evidence.sigstore.json"
SEAL_LIMIT = 1 << 20
_CHUNK = 1 << 20


@dataclass(slots=True)
class Unpacked:
    """The evidence folder of an archive, its documents and what is wrong with it."""

    folder: Path
    manifest: dict[str, Any]
    acquisition: dict[str, Any]
    findings: list[dict[str, Any]]
    digests: dict[str, str] = field(default_factory=dict)
    """SHA-256 of every copied file, by its path inside the evidence folder."""
    problems: list[str] = field(default_factory=list)
    """Members that do not match the manifest, are missing, too large or unsafe."""
    seal: Path | None = None
    """The seal over the evidence (``evidence.sigstore.json``), when the archive has one."""

    @property
    def intact(self) -> bool:
        """Every file the manifest lists is present with its digest, and nothing else is."""
        return not self.problems


def _relative(name: str) -> str | None:
    """The member's path inside ``evidence/`` (``None`` when it is not in there or unsafe)."""
    parts = PurePosixPath(name).parts
    if len(parts) < 3 or parts[1] != "evidence":
        return None
    rest = parts[2:]
    if any(p in ("", ".", "..") or "\0" in p for p in rest):
        return None
    return "/".join(rest)


def _copy(archive: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> str:
    source = archive.extractfile(member)
    if source is None:
        raise InputError(f"{member.name}: cannot be read")
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with source, target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _is_seal(member: tarfile.TarInfo) -> bool:
    parts = PurePosixPath(member.name).parts
    return len(parts) == 2 and parts[1] == SEAL_NAME and member.isfile()


def _members(path: Path, folder: Path, problems: list[str]) -> dict[str, str]:
    copied: dict[str, str] = {}
    total = 0
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if _is_seal(member) and member.size <= SEAL_LIMIT:
                _copy(archive, member, folder / SEAL_NAME)
                continue
            rel = _relative(member.name)
            if rel is None or not member.isfile():
                if not member.isdir():
                    problems.append(f"{member.name}: not a file of the evidence; ignored")
                continue
            if member.size > MEMBER_LIMIT or total + member.size > TOTAL_LIMIT:
                problems.append(f"{rel}: {member.size} bytes, over the limit; not read")
                continue
            if len(copied) >= COUNT_LIMIT:
                problems.append(f"more than {COUNT_LIMIT} files; the rest not read")
                break
            total += member.size
            copied[rel] = _copy(archive, member, folder / "evidence" / rel)
    return copied


def _document(folder: Path, name: str, archive: Path) -> Any:
    target = folder / "evidence" / name
    if not target.is_file():
        raise InputError(f"{archive}: not a labwarden triage archive (no evidence/{name})")
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{archive}: evidence/{name} is not JSON: {exc}") from None


def _compare(manifest: dict[str, Any], copied: dict[str, str], problems: list[str]) -> None:
    listed: set[str] = set()
    for item in manifest.get("files") or []:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            problems.append("the manifest holds an entry without a path")
            continue
        rel = item["path"]
        listed.add(rel)
        if rel not in copied:
            problems.append(f"{rel}: listed in the manifest, absent from the archive")
        elif copied[rel] != item.get("sha256"):
            problems.append(f"{rel}: its SHA-256 is not the manifest's (changed after triage)")
    problems.extend(
        f"{rel}: in the archive, not in the manifest (added after triage)"
        for rel in sorted(set(copied) - listed - {"manifest.json"})
    )


def unpack(path: Path, folder: Path) -> Unpacked:
    """Copy the evidence of archive ``path`` into ``folder`` and check it against its manifest.

    :class:`InputError` when the file is not a readable triage archive; an archive that reads
    but does not match its manifest is :class:`Unpacked` with ``problems``.
    """
    problems: list[str] = []
    try:
        copied = _members(path, folder, problems)
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: not a readable triage archive (.tar.gz): {exc}") from None
    manifest = _document(folder, "manifest.json", path)
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise InputError(f"{path}: evidence/manifest.json is not a triage manifest")
    acquisition = _document(folder, "acquisition.json", path)
    findings = _document(folder, "findings.json", path)
    if not isinstance(acquisition, dict) or not isinstance(findings, list):
        raise InputError(f"{path}: acquisition.json or findings.json has the wrong shape")
    _compare(manifest, copied, problems)
    seal = folder / SEAL_NAME
    return Unpacked(
        folder / "evidence",
        manifest,
        acquisition,
        [f for f in findings if isinstance(f, dict)],
        copied,
        problems,
        seal if seal.is_file() else None,
    )
