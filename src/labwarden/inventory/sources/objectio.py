"""A seekable, read-only file over ranged GETs, with a byte budget.

Format detection reads the first and last bytes; checks read what they need (a pickle's
opcodes) up to the budget; nothing downloads a whole 10 GiB blob by accident: a read past the
budget is an ``OSError`` naming the object, which the scan records as a note or a finding.
"""

from __future__ import annotations

import errno
import io
from collections.abc import Callable

DEFAULT_BUDGET = 64 * 1024 * 1024
"""Bytes one open object may read before reads fail."""
BLOCK = 1024 * 1024


class BudgetExceeded(OSError):
    """A read would pass the byte budget of one open object."""


class RangedReader(io.RawIOBase):
    """Reads ``size`` bytes of an object through ``fetch(start, end_inclusive) -> bytes``."""

    def __init__(
        self, name: str, size: int, fetch: Callable[[int, int], bytes], budget: int = DEFAULT_BUDGET
    ) -> None:
        super().__init__()
        self.name = name
        self.size = size
        self._fetch = fetch
        self._pos = 0
        self.budget = budget
        self.fetched = 0

    def readable(self) -> bool:
        """Always."""
        return True

    def seekable(self) -> bool:
        """Always."""
        return True

    def tell(self) -> int:
        """The current offset."""
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move within the object (past the end reads nothing)."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        target = base + offset
        if target < 0:
            raise OSError(errno.EINVAL, f"{self.name}: negative seek position {target}")
        self._pos = target
        return self._pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        """Fill ``buffer`` from the current offset with one ranged GET."""
        want = min(len(buffer), self.size - self._pos)
        if want <= 0:
            return 0
        if self.fetched + want > self.budget:
            raise BudgetExceeded(
                errno.EFBIG,
                f"{self.name}: reading more than the {self.budget >> 20} MiB byte budget "
                "of an object-store file",
            )
        data = self._fetch(self._pos, self._pos + want - 1)
        got = len(data)
        buffer[:got] = data
        self._pos += got
        self.fetched += got
        return got


def open_ranged(
    name: str, size: int, fetch: Callable[[int, int], bytes], budget: int = DEFAULT_BUDGET
) -> io.BufferedReader:
    """A buffered reader (1 MiB blocks) over :class:`RangedReader`."""
    return io.BufferedReader(RangedReader(name, size, fetch, budget), buffer_size=BLOCK)
