"""Three-valued logic: a condition the request context cannot decide is neither true nor false."""

from __future__ import annotations

from enum import Enum


class Tri(Enum):
    """Yes, no, or "depends on something we cannot evaluate"."""

    NO = 0
    MAYBE = 1
    YES = 2

    def __and__(self, other: Tri) -> Tri:
        return Tri(min(self.value, other.value))

    def __or__(self, other: Tri) -> Tri:
        return Tri(max(self.value, other.value))

    def __invert__(self) -> Tri:
        return Tri(2 - self.value)

    @staticmethod
    def of(value: bool) -> Tri:
        """``YES`` or ``NO``."""
        return Tri.YES if value else Tri.NO
