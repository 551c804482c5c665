"""Ordered enumerations used across labwarden: severity, sensitivity and asset kind."""

from __future__ import annotations

from enum import Enum
from typing import Self


class _Ranked(str, Enum):
    """A string enum whose members compare by their declaration order."""

    @classmethod
    def parse(cls, text: str) -> Self:
        """Return the member named ``text`` (case-insensitive) or raise ``ValueError``."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(m.value for m in cls)
            raise ValueError(f"{text!r} is not one of: {names}") from None

    @property
    def rank(self) -> int:
        """Position in declaration order, lowest first."""
        return list(type(self)).index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.rank < other.rank

    # Every comparison is defined here: str's own would compare the names alphabetically.
    def __le__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.rank >= other.rank

    def __str__(self) -> str:
        return str(self.value)


class Severity(_Ranked):
    """How bad a finding is; ordered from ``info`` to ``critical``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Sensitivity(_Ranked):
    """How sensitive an asset is; ordered from ``public`` to ``restricted``."""

    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


class AssetKind(str, Enum):
    """What an asset (or a single file) is."""

    MODEL = "model"
    DATASET = "dataset"
    CODE = "code"
    LOG = "log"
    CREDENTIALS = "credentials"
    DOCUMENT = "document"
    ARCHIVE = "archive"
    OTHER = "other"

    def __str__(self) -> str:
        return str(self.value)
