"""Reading the examined host: the running system (``/``) or a mounted image (``--root DIR``).

Collectors name paths as the examined host sees them (``/etc/passwd``). :meth:`Host.resolve`
maps such a path into the root one component at a time, reading each symbolic link itself and
interpreting its target as the examined host would (an absolute target starts again at the
root, ``..`` stops at the root), so that no link leads outside ``--root`` and a loop of links is
reported instead of followed forever.

Reading never changes what is read: files are opened with ``O_NOATIME`` where the kernel allows
it (the owner, or root), ``O_NONBLOCK`` so that a FIFO planted under a familiar name cannot
block the run, and ``O_NOFOLLOW``; only regular files are read (a device could rewind a tape).
Every problem is an :class:`Unreadable` carrying the reason, which the caller notes in the
acquisition log before going on.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import stat
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_LINKS = 40
"""Links followed while resolving one path (as the kernel's own limit)."""
_CHUNK = 1 << 20


class Unreadable(Exception):
    """A path that could not be read, and why (a note for the acquisition log)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def reason_of(exc: OSError) -> str:
    """A short reason for an OS error, the same for the same cause."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)


@dataclass(frozen=True, slots=True)
class Opened:
    """A regular file open for reading."""

    path: str
    """The host path, resolved."""
    fd: int
    stat: os.stat_result


class Host:
    """The examined host, read through one root folder."""

    def __init__(self, root: Path | None = None) -> None:
        self.live = root is None
        self.root = Path("/") if root is None else root.absolute()
        self._noatime = getattr(os, "O_NOATIME", 0)

    def real(self, path: str) -> Path:
        """Where host path ``path`` (already resolved) is on this machine."""
        return self.root / path.lstrip("/")

    def resolve(self, path: str, *, follow_last: bool = True) -> str:
        """The host path that ``path`` names once every link is read, inside the root.

        Raises :class:`Unreadable` for a missing component, a loop or an unreadable link.
        """
        parts = deque(path.split("/"))
        current: list[str] = []
        links = 0
        while parts:
            name = parts.popleft()
            if name in ("", "."):
                continue
            if name == "..":
                if current:
                    current.pop()
                continue
            candidate = [*current, name]
            real = self.root.joinpath(*candidate)
            try:
                info = real.lstat()
            except OSError as exc:
                raise Unreadable(path, reason_of(exc)) from None
            if stat.S_ISLNK(info.st_mode) and (parts or follow_last):
                links += 1
                if links > MAX_LINKS:
                    raise Unreadable(path, "symbolic link loop")
                try:
                    target = str(real.readlink())
                except OSError as exc:
                    raise Unreadable(path, reason_of(exc)) from None
                if target.startswith("/"):
                    current = []
                parts.extendleft(reversed(target.split("/")))
                continue
            current = candidate
        return "/" + "/".join(current)

    def lstat(self, path: str) -> os.stat_result:
        """The status of ``path`` itself (its last component is not followed)."""
        resolved = self.resolve(path, follow_last=False)
        try:
            return self.real(resolved).lstat()
        except OSError as exc:
            raise Unreadable(path, reason_of(exc)) from None

    def stat(self, path: str) -> os.stat_result:
        """The status of what ``path`` names, links followed inside the root."""
        resolved = self.resolve(path)
        try:
            return self.real(resolved).lstat()
        except OSError as exc:
            raise Unreadable(path, reason_of(exc)) from None

    def open(self, path: str) -> Opened:
        """Open a regular file for reading without touching its access time."""
        resolved = self.resolve(path)
        real = self.real(resolved)
        try:
            before = real.lstat()
        except OSError as exc:
            raise Unreadable(path, reason_of(exc)) from None
        if not stat.S_ISREG(before.st_mode):
            raise Unreadable(path, f"not a regular file ({_kind(before.st_mode)})")
        fd = self._open_fd(real, path)
        after = os.fstat(fd)
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(
            after.st_mode
        ):
            os.close(fd)
            raise Unreadable(path, "replaced while being opened")
        return Opened(resolved, fd, after)

    def _open_fd(self, real: Path, path: str) -> int:
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        if self._noatime:
            try:
                return os.open(real, flags | self._noatime)
            except PermissionError as exc:
                if exc.errno != errno.EPERM:  # EPERM: not the owner, O_NOATIME refused
                    raise Unreadable(path, reason_of(exc)) from None
            except OSError as exc:
                raise Unreadable(path, reason_of(exc)) from None
        try:
            return os.open(real, flags)
        except OSError as exc:
            raise Unreadable(path, reason_of(exc)) from None

    def read(self, path: str, limit: int = 64 << 20) -> bytes:
        """Up to ``limit`` bytes of a regular file (pseudo files of /proc are read to the end)."""
        opened = self.open(path)
        try:
            return read_fd(opened.fd, limit, path)
        finally:
            os.close(opened.fd)

    def listdir(self, path: str) -> list[str]:
        """Names in a folder, sorted."""
        resolved = self.resolve(path)
        try:
            return sorted(entry.name for entry in self.real(resolved).iterdir())
        except OSError as exc:
            raise Unreadable(path, reason_of(exc)) from None

    def link_target(self, path: str) -> str | None:
        """What a link at ``path`` points to as stored (``None``: not a link)."""
        resolved = self.resolve(path, follow_last=False)
        real = self.real(resolved)
        try:
            if not real.is_symlink():
                return None
            return str(real.readlink())
        except OSError as exc:
            raise Unreadable(path, reason_of(exc)) from None

    def readlink(self, path: str) -> str:
        """The target of a link as stored (for /proc's ``exe`` and ``cwd``, never resolved)."""
        try:
            return str(self.real(path).readlink())
        except OSError as exc:
            raise Unreadable(path, reason_of(exc)) from None

    def glob(self, pattern: str) -> Iterator[str]:
        """Host paths matching a pattern of ``*``, ``?`` and ``[...]`` per component.

        ``**`` as a whole component matches any number of folders (links to folders are not
        descended, so a loop cannot recurse). Hidden names match only a pattern that starts
        with a dot, as in the shell.
        """
        yield from self._glob(pattern.strip("/").split("/"), "")

    def _glob(self, parts: list[str], base: str) -> Iterator[str]:
        if not parts:
            try:
                self.lstat(base or "/")
            except Unreadable as exc:
                if exc.reason == "no such file":
                    return
            yield base or "/"
            return
        head, rest = parts[0], parts[1:]
        if head == "**":
            yield from self._glob(rest, base)
            for name in self._names(base):
                child = f"{base}/{name}"
                with contextlib.suppress(Unreadable):
                    if stat.S_ISDIR(self.lstat(child).st_mode):
                        yield from self._glob(parts, child)
            return
        if not _magic(head):
            yield from self._glob(rest, f"{base}/{head}")
            return
        for name in self._names(base):
            if (name.startswith(".") and not head.startswith(".")) or not fnmatch.fnmatchcase(
                name, head
            ):
                continue
            yield from self._glob(rest, f"{base}/{name}")

    def _names(self, base: str) -> list[str]:
        try:
            return self.listdir(base or "/")
        except Unreadable:
            return []


def read_fd(fd: int, limit: int, path: str) -> bytes:
    """Read from an open file descriptor until its end or ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    try:
        while total < limit:
            chunk = os.read(fd, min(_CHUNK, limit - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except BlockingIOError:
        pass
    except OSError as exc:
        raise Unreadable(path, reason_of(exc)) from None
    return b"".join(chunks)


def _magic(part: str) -> bool:
    return any(c in part for c in "*?[")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return name
    return "special file"
