"""What the package manager installed: dpkg's file lists, checksums and conffiles.

An entry that a package installed and that still has the package's checksum is stock; one no
package installed, or whose bytes differ from the package's, is what an intruder leaves. Paths
are compared with and without ``/usr`` (merged-/usr hosts install ``/lib/...`` paths under
``/usr/lib/...``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

_MERGED = ("bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/")


def alternates(path: str) -> tuple[str, ...]:
    """``path`` and its merged-/usr twin."""
    if path.startswith("/usr/") and path[5:].startswith(_MERGED):
        return path, path[4:]
    if path[1:].startswith(_MERGED):
        return path, "/usr" + path
    return (path,)


@dataclass(slots=True)
class PackageIndex:
    """Owners and checksums of installed files (empty when the host has no dpkg database)."""

    owners: dict[str, str] = field(default_factory=dict)
    md5: dict[str, str] = field(default_factory=dict)
    packages: int = 0

    @property
    def available(self) -> bool:
        """Whether a package database was read."""
        return bool(self.owners)

    def add_list(self, package: str, lines: Iterable[str]) -> None:
        """A ``<package>.list`` file: one installed path a line."""
        self.packages += 1
        for line in lines:
            path = line.strip()
            if path.startswith("/") and path != "/.":
                self.owners.setdefault(path, package)

    def add_md5sums(self, lines: Iterable[str]) -> None:
        """A ``<package>.md5sums`` file: ``<md5>  <path without the leading />``."""
        for line in lines:
            digest, _, path = line.strip().partition(" ")
            if len(digest) == 32 and path.strip():
                self.md5["/" + path.strip().lstrip("/")] = digest.lower()

    def add_status(self, lines: Iterable[str]) -> None:
        """The ``Conffiles:`` of /var/lib/dpkg/status (configuration files and their md5)."""
        inside = False
        for line in lines:
            if line.startswith("Conffiles:"):
                inside = True
                continue
            if inside and line.startswith(" "):
                fields = line.split()
                if len(fields) >= 2 and fields[0].startswith("/") and len(fields[1]) == 32:
                    self.md5.setdefault(fields[0], fields[1].lower())
                continue
            inside = False

    def owner(self, path: str) -> str | None:
        """The package that installed ``path``."""
        for candidate in alternates(path):
            found = self.owners.get(candidate)
            if found:
                return found
        return None

    def expected_md5(self, path: str) -> str | None:
        """The checksum the package recorded for ``path``."""
        for candidate in alternates(path):
            found = self.md5.get(candidate)
            if found:
                return found
        return None

    def verdict(self, path: str, data: bytes | None) -> str:
        """``stock`` (installed and unchanged, or unchanged unknown), ``modified`` or
        ``unowned``; ``unknown`` without a package database."""
        if not self.available:
            return "unknown"
        if self.owner(path) is None:
            return "unowned"
        expected = self.expected_md5(path)
        if expected is None or data is None:
            return "stock"
        actual = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return "stock" if actual == expected else "modified"
