"""The interface every source implements (local folders now, S3-compatible stores later)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

if TYPE_CHECKING:
    from labwarden.store.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Entry:
    """One regular file as a source sees it, before anything reads its content."""

    path: str
    """Display path (and catalog key): absolute, UTF-8; undecodable bytes escaped as ``\\xNN``."""
    size: int
    mtime_ns: int
    inode: int
    mode: int
    uid: int
    owner: str
    handle: object
    """What the source needs to open the entry again (a real OS path, an object key...)."""
    version: str = ""
    """An object store's identity of this content (ETag and version id); a rescan reads an
    entry again when it differs. Empty for local files (size, mtime and inode decide)."""


@dataclass(frozen=True, slots=True)
class Note:
    """Something a source passed over or flagged: a broken link, a FIFO, an unreadable folder."""

    path: str
    action: str
    """``skipped`` (not in the catalog) or ``scanned`` (in the catalog, but worth knowing)."""
    reason: str


class Source(Protocol):
    """A place that holds files: it lists them and opens them, nothing more."""

    roots: tuple[str, ...]
    """Display paths this source covers; the catalog forgets files below them that vanish."""

    def walk(self) -> Iterator[Entry | Note]:
        """Yield every regular file, and a :class:`Note` for every entry it cannot take."""
        ...

    def open(self, entry: Entry) -> BinaryIO:
        """Open an entry for reading bytes; raises ``OSError`` if it vanished."""
        ...

    def local_path(self, entry: Entry) -> str | bytes | None:
        """The entry's path on the local file system, if it has one (for mmap hashing)."""
        ...

    def stat_again(self, entry: Entry) -> tuple[int, int] | None:
        """Current ``(size, mtime_ns)`` of an entry, or ``None`` if it is gone."""
        ...

    def content_digest(self, entry: Entry) -> tuple[str, str] | None:
        """``(algorithm, digest)`` the store already gives (an ETag), so the content is not
        read whole to hash it; ``None``: hash the bytes."""
        ...


@runtime_checkable
class Keeping(Protocol):
    """A source that learns more than files while it walks (an object store's versions and
    delete markers): the scan has it store that in batches, so that it is never all in memory."""

    def keep(self, catalog: Catalog, scan_id: int) -> None:
        """Store what the walk learned since the last call, and forget it."""
        ...
