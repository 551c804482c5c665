"""Writing enriched events to the lake: one part per day, holding one or more named batches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from labwarden.core.events import LAKE_SCHEMA
from labwarden.store.lake import Lake


@dataclass(slots=True)
class Written:
    """What :func:`write_days` stored."""

    parts: int = 0
    """Parts written (batches already in the lake are not written again)."""
    rows_by_group: dict[int, int] = field(default_factory=dict)
    """Rows per group number, whether written now or found stored."""


def day_numbers(table: pa.Table) -> np.ndarray:
    """The UTC day of each event, as days since 1970-01-01."""
    days = table.column("time").cast(pa.date32()).cast(pa.int32())
    return np.asarray(days.to_numpy(zero_copy_only=False), dtype=np.int64)


def sort_order(table: pa.Table, groups: np.ndarray) -> np.ndarray:
    """Row order by day, group and position, as :func:`write_days` needs it."""
    lines = np.asarray(table.column("origin_line").to_numpy(zero_copy_only=False), np.int64)
    return np.lexsort((lines, groups, day_numbers(table)))


def write_days(
    lake: Lake, source: str, table: pa.Table, groups: np.ndarray, name_of: Callable[[int], str]
) -> Written:
    """Store ``table`` as one part per day, made of the batches that are not stored yet.

    ``table`` holds lake columns, sorted by :func:`sort_order`; ``groups`` gives each row's
    group number, which ``name_of`` maps to its batch name (the unit of idempotency: a batch
    stored before, alone or within another part, is left out).
    """
    written = Written()
    rows = table.num_rows
    if rows == 0:
        return written
    table = table.select(LAKE_SCHEMA.names).cast(LAKE_SCHEMA)
    days = day_numbers(table)
    change = np.flatnonzero((np.diff(groups) != 0) | (np.diff(days) != 0)) + 1
    starts = np.concatenate(([0], change)).tolist()
    ends = np.concatenate((change, [rows])).tolist()
    counts = written.rows_by_group
    by_day: dict[int, list[tuple[str, int, int]]] = {}
    for start, end in zip(starts, ends, strict=True):
        group = int(groups[start])
        counts[group] = counts.get(group, 0) + end - start
        by_day.setdefault(int(days[start]), []).append((name_of(group), start, end))
    for day_number, runs in by_day.items():
        day = str(np.datetime64(day_number, "D"))
        fresh = [run for run in runs if not lake.has_part(source, day, run[0])]
        if not fresh:
            continue
        part = pa.concat_tables(table.slice(start, end - start) for _, start, end in fresh)
        if lake.write_group(source, day, [name for name, _, _ in fresh], part):
            written.parts += 1
    return written
