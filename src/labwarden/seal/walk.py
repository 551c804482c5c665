"""List the files of a folder to seal or verify, never following links, hiding nothing.

Everything that is not hashed is returned as an :class:`Excluded` entry with its reason, so that
the manifest can list it: ignored paths, symbolic links, special files, undecodable names.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from labwarden.seal.errors import HashingError

DEFAULT_IGNORES: tuple[str, ...] = (".git", ".gitattributes", ".github", ".gitignore")
"""Paths model-signing ignores by default; we list them too so both tools agree."""

_SPECIAL = {
    stat.S_IFIFO: "FIFO (named pipe)",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFSOCK: "socket",
}


@dataclass(frozen=True, slots=True)
class Excluded:
    """A path that is not part of the seal, and why."""

    path: str
    reason: str
    kind: str = "ignored"
    """``ignored`` (by configuration), ``symlink``, ``special`` or ``name``."""
    target: str | None = None
    """For a symbolic link: its target as stored in the link."""

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dictionary."""
        out = {"path": self.path, "reason": self.reason, "kind": self.kind}
        if self.target is not None:
            out["target"] = self.target
        return out


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A regular file to hash: its name relative to the root and its OS path."""

    name: str
    os_path: bytes
    size: int


@dataclass(slots=True)
class Listing:
    """What a walk found below one root."""

    root: Path
    single_file: bool
    files: list[FileEntry] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    outside_links: list[Excluded] = field(default_factory=list)
    """Symbolic links whose target leaves the root (or is broken): also in ``excluded``."""


def ignored_by(name: str, ignore: Mapping[str, str]) -> str | None:
    """Why relative ``name`` is ignored (it is one of ``ignore`` or below one), or ``None``."""
    for path, reason in ignore.items():
        if name == path or name.startswith(path.rstrip("/") + "/"):
            return reason
    return None


def walk(root: Path, ignore: Mapping[str, str]) -> Listing:
    """List ``root`` (a folder or one file); ``ignore`` maps paths relative to it to reasons."""
    raw_root = os.fsencode(os.path.abspath(root))  # noqa: PTH100
    try:
        st = os.lstat(raw_root)
    except FileNotFoundError:
        raise HashingError(f"{root}: no such file or folder") from None
    except OSError as exc:
        raise HashingError(f"{root}: cannot stat: {exc.strerror}") from exc
    if stat.S_ISLNK(st.st_mode):
        raise HashingError(
            f"{root}: is a symbolic link; seal or verify the real folder "
            f"({os.path.realpath(root)}) instead"
        )
    listing = Listing(Path(os.fsdecode(raw_root)), single_file=not stat.S_ISDIR(st.st_mode))
    if listing.single_file:
        if not stat.S_ISREG(st.st_mode):
            raise HashingError(f"{root}: not a regular file or folder")
        listing.files.append(FileEntry(".", raw_root, st.st_size))
        return listing
    _walk_dir(raw_root, raw_root, ignore, listing, {(st.st_dev, st.st_ino)})
    listing.files.sort(key=lambda f: f.name)
    return listing


def _walk_dir(
    root: bytes,
    folder: bytes,
    ignore: Mapping[str, str],
    listing: Listing,
    seen: set[tuple[int, int]],
    prefix: str = "",
) -> None:
    try:
        with os.scandir(folder) as it:
            children = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        shown = os.fsdecode(folder)
        raise HashingError(f"{shown}: cannot list the folder: {exc.strerror}") from exc
    for child in children:
        try:
            rel = prefix + child.name.decode("utf-8")
        except UnicodeDecodeError:
            shown = prefix + child.name.decode("utf-8", "backslashreplace")
            listing.excluded.append(
                Excluded(shown, "file name is not valid UTF-8; rename it to seal it", "name")
            )
            continue
        if ignore and (reason := ignored_by(rel, ignore)) is not None:
            listing.excluded.append(Excluded(rel, reason))
            continue
        try:
            st = child.stat(follow_symlinks=False)
        except OSError as exc:
            raise HashingError(f"{os.fsdecode(child.path)}: cannot stat: {exc.strerror}") from exc
        if stat.S_ISLNK(st.st_mode):
            _link(root, child.path, rel, listing)
        elif stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in seen:
                listing.excluded.append(Excluded(rel, "folder loop (bind mount)", "special"))
                continue
            _walk_dir(root, child.path, ignore, listing, seen | {key}, rel + "/")
        elif stat.S_ISREG(st.st_mode):
            listing.files.append(FileEntry(rel, child.path, st.st_size))
        else:
            kind = _SPECIAL.get(stat.S_IFMT(st.st_mode), "special file")
            listing.excluded.append(Excluded(rel, f"{kind}, not a regular file", "special"))


def _link(root: bytes, path: bytes, rel: str, listing: Listing) -> None:
    target = os.fsdecode(os.readlink(path))  # noqa: PTH115 (bytes path)
    try:
        real = os.path.realpath(path, strict=True)
    except OSError:
        entry = Excluded(rel, f"broken symbolic link to {target}", "symlink", target)
        listing.excluded.append(entry)
        listing.outside_links.append(entry)
        return
    if real == root or real.startswith(root + b"/"):
        inside = os.fsdecode(os.path.relpath(real, root))
        reason = f"symbolic link to {inside} inside the folder (sealed in its own place)"
        listing.excluded.append(Excluded(rel, reason, "symlink", target))
        return
    entry = Excluded(
        rel, f"symbolic link leaving the folder, to {os.fsdecode(real)}", "symlink", target
    )
    listing.excluded.append(entry)
    listing.outside_links.append(entry)
