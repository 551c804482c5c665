"""Local directories: a careful walk that never follows links out of the tree or loops."""

from __future__ import annotations

import errno
import logging
import os
import pwd
import re
import stat
from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import BinaryIO

from labwarden.core.errors import InputError
from labwarden.inventory.sources.interface import Entry, Note

log = logging.getLogger(__name__)

_GLOB = re.compile(r"[*?\[]")


def display_path(raw: bytes) -> str:
    """A path as UTF-8 text; bytes that are not UTF-8 become ``\\xNN`` escapes."""
    return raw.decode("utf-8", "backslashreplace")


@lru_cache(maxsize=4096)
def owner_name(uid: int) -> str:
    """The user name of ``uid``, or the number as text when the user is unknown."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


_SPECIAL = {
    stat.S_IFIFO: "FIFO (named pipe)",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFSOCK: "socket",
}


class LocalSource:
    """Files below one or more local folders (or single files).

    Symbolic links are not followed: a link to a file inside a scanned root is recorded as a
    note, since the target is scanned in its own place; broken links and links that leave the
    roots are noted too. Folders matching ``exclude`` globs are noted and not entered.
    """

    def __init__(self, paths: list[str], exclude: tuple[str, ...] = ()) -> None:
        roots: list[bytes] = []
        for given in paths:
            # Bytes paths keep names that are not UTF-8; pathlib would decode them.
            raw = os.fsencode(os.path.abspath(os.path.expanduser(given)))  # noqa: PTH100, PTH111
            if not os.path.lexists(raw):
                raise InputError(f"{given}: no such file or folder")
            roots.append(raw.rstrip(b"/") or b"/")
        self._roots = roots
        self.roots = tuple(display_path(r) for r in roots)
        self.exclude = exclude
        self._exclude_names = frozenset(p for p in exclude if not _GLOB.search(p))
        self._exclude_globs = tuple(p for p in exclude if _GLOB.search(p))

    def _excluded(self, name: str) -> bool:
        if name in self._exclude_names:
            return True
        return any(fnmatchcase(name, pattern) for pattern in self._exclude_globs)

    def walk(self) -> Iterator[Entry | Note]:
        """Yield files depth-first in name order, with notes for what cannot be taken."""
        for root in self._roots:
            try:
                st = os.lstat(root)
            except OSError as exc:
                yield Note(display_path(root), "skipped", f"cannot stat: {exc.strerror}")
                continue
            if stat.S_ISDIR(st.st_mode):
                yield from self._walk_dir(root, {(st.st_dev, st.st_ino)})
            else:
                yield from self._entry(root, st)

    def _walk_dir(self, folder: bytes, seen: set[tuple[int, int]]) -> Iterator[Entry | Note]:
        try:
            with os.scandir(folder) as it:
                children = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Note(display_path(folder), "skipped", f"cannot list folder: {exc.strerror}")
            return
        for child in children:
            name = display_path(child.name)
            path = child.path
            try:
                st = child.stat(follow_symlinks=False)
            except FileNotFoundError:
                yield Note(display_path(path), "skipped", "vanished during the scan")
                continue
            except OSError as exc:
                yield Note(display_path(path), "skipped", f"cannot stat: {exc.strerror}")
                continue
            if stat.S_ISDIR(st.st_mode):
                if self._excluded(name):
                    yield Note(display_path(path), "skipped", "folder excluded by policy")
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen:
                    yield Note(display_path(path), "skipped", "folder loop (bind mount)")
                    continue
                yield from self._walk_dir(path, seen | {key})
            elif self._excluded(name):
                yield Note(display_path(path), "skipped", "file excluded by policy")
            else:
                yield from self._entry(path, st)

    def _entry(self, path: bytes, st: os.stat_result) -> Iterator[Entry | Note]:
        shown = display_path(path)
        if shown != os.fsdecode(path):
            yield Note(shown, "scanned", "file name is not valid UTF-8 (shown with \\x escapes)")
        if stat.S_ISLNK(st.st_mode):
            yield self._link_note(path, shown)
            return
        if not stat.S_ISREG(st.st_mode):
            kind = _SPECIAL.get(stat.S_IFMT(st.st_mode), "special file")
            yield Note(shown, "skipped", f"{kind}, not a regular file")
            return
        yield Entry(
            path=shown,
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
            inode=st.st_ino,
            mode=stat.S_IMODE(st.st_mode),
            uid=st.st_uid,
            owner=owner_name(st.st_uid),
            handle=path,
        )

    def _link_note(self, path: bytes, shown: str) -> Note:
        try:
            target = os.path.realpath(path, strict=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return Note(shown, "skipped", "symbolic link loop")
            return Note(shown, "skipped", "broken symbolic link")
        inside = any(target == r or target.startswith(r + b"/") for r in self._roots)
        where = "inside the scanned tree" if inside else "outside the scanned tree"
        return Note(shown, "skipped", f"symbolic link to {display_path(target)} ({where})")

    def open(self, entry: Entry) -> BinaryIO:
        """Open the file without following a link that replaced it since the walk."""
        assert isinstance(entry.handle, bytes)
        fd = os.open(entry.handle, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        return os.fdopen(fd, "rb")

    def local_path(self, entry: Entry) -> bytes:
        """The OS path of the entry."""
        assert isinstance(entry.handle, bytes)
        return entry.handle

    def stat_again(self, entry: Entry) -> tuple[int, int] | None:
        """Current size and mtime, or ``None`` if the file is gone."""
        assert isinstance(entry.handle, bytes)
        try:
            st = os.lstat(entry.handle)
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def content_digest(self, entry: Entry) -> None:
        """Local files are hashed from their bytes."""
        return
