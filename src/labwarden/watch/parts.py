"""Writing enriched events to the lake as parts: one Parquet file per part name and day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from labwarden.store.lake import Lake
from labwarden.watch.events import LAKE_SCHEMA


@dataclass(slots=True)
class Written:
    """What :func:`write_runs` stored."""

    parts: int = 0
    """Parts written (parts already in the lake are not written again)."""
    rows_by_group: dict[int, int] = field(default_factory=dict)
    """Rows per group number, whether written now or found stored."""


def day_numbers(table: pa.Table) -> np.ndarray:
    """The UTC day of each event, as days since 1970-01-01."""
    days = table.column("time").cast(pa.date32()).cast(pa.int32())
    return np.asarray(days.to_numpy(zero_copy_only=False), dtype=np.int64)


def write_runs(
    lake: Lake, source: str, table: pa.Table, groups: np.ndarray, name_of: Callable[[int], str]
) -> Written:
    """Store ``table`` as one part per run of rows with equal group number and day.

    ``table`` holds lake columns; ``groups`` gives each row's group number (``name_of`` maps it
    to the part name). Rows must come sorted by group and then day, so that each part is a
    zero-copy slice.
    """
    written = Written()
    rows = table.num_rows
    if rows == 0:
        return written
    table = table.select(LAKE_SCHEMA.names).cast(LAKE_SCHEMA)
    days = day_numbers(table)
    change = np.flatnonzero((np.diff(groups) != 0) | (np.diff(days) != 0)) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [rows]))
    counts = written.rows_by_group
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        group = int(groups[start])
        counts[group] = counts.get(group, 0) + end - start
        day = str(np.datetime64(int(days[start]), "D"))
        name = name_of(group)
        if lake.has_part(source, day, name):
            continue
        if lake.write_part(source, day, name, table.slice(start, end - start)):
            written.parts += 1
    return written
