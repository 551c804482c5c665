"""Where behaviour analytics keep their daily aggregates, beside the lake.

``lake/_analytics/{features,facts}/day=YYYY-MM-DD.parquet``: one file per day and kind, written
atomically, so that a killed run never leaves half a day and a day can be recomputed by
replacing its files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from labwarden.store.atomic import atomic_path

KINDS = ("features", "facts")


class FeatureStore:
    """The daily feature and fact files of one lake."""

    def __init__(self, lake_root: Path) -> None:
        self.root = lake_root / "_analytics"

    def path(self, kind: str, day: date) -> Path:
        """The file of ``kind`` for ``day``."""
        return self.root / kind / f"day={day.isoformat()}.parquet"

    def glob(self, kind: str) -> str:
        """A glob over every file of ``kind`` (for ``read_parquet``)."""
        return str(self.root / kind / "day=*.parquet")

    def days(self, kind: str = "features") -> list[date]:
        """Days that have a file of ``kind``, oldest first."""
        folder = self.root / kind
        if not folder.is_dir():
            return []
        found = [
            date.fromisoformat(p.name.removeprefix("day=").removesuffix(".parquet"))
            for p in folder.glob("day=*.parquet")
        ]
        return sorted(found)

    def has(self, kind: str) -> bool:
        """Whether any file of ``kind`` exists."""
        return bool(self.days(kind))

    def write(self, kind: str, day: date, table: pa.Table) -> Path:
        """Write ``table`` as the file of ``kind`` for ``day``, atomically."""
        target = self.path(kind, day)
        with atomic_path(target) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        return target
