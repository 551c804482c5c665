"""Paging of lists: ``limit``/``offset`` in, ``items``/``total``/``next_offset`` out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a list to return."""

    limit: int = 100
    offset: int = 0

    def of(self, items: Sequence[T]) -> list[T]:
        """The slice of ``items`` this page covers."""
        return list(items[self.offset : self.offset + self.limit])

    def document(self, items: list[dict[str, Any]], total: int) -> dict[str, Any]:
        """The JSON document of one page of a list."""
        after = self.offset + len(items)
        return {
            "items": items,
            "total": total,
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": after if after < total else None,
        }
