"""A table as dictionary-encoded text columns, the form marking and matching work on.

Every cell is text (the file's own text for CSV; numbers printed without a trailing ``.0`` for
Parquet); each column keeps its distinct values once and a code per row, so that work per
distinct value (parsing numbers, hashing) is done once and work per row is numpy.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from labwarden.privacy.io import read_table

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(slots=True)
class Column:
    """One column: its distinct values, a code per row, and the values as numbers when every
    non-empty value is one."""

    name: str
    values: list[str]
    codes: I64
    numbers: F64 | None = None
    decimals: int = 0

    @property
    def numeric(self) -> bool:
        """Whether every non-empty value is a number."""
        return self.numbers is not None

    def cells(self) -> list[str]:
        """The column's cells, in row order."""
        values = self.values
        return [values[i] for i in self.codes.tolist()]


@dataclass(slots=True)
class Frame:
    """A table's columns (all of the same length)."""

    columns: list[Column]
    rows: int
    source: str = ""
    by_name: dict[str, int] = field(default_factory=dict)
    _rows: set[tuple[str, ...]] | None = None

    def __post_init__(self) -> None:
        self.by_name = {c.name: i for i, c in enumerate(self.columns)}

    def row_set(self) -> set[tuple[str, ...]]:
        """Every row as a tuple of texts (computed once)."""
        if self._rows is None:
            self._rows = set(zip(*(c.cells() for c in self.columns), strict=True))
        return self._rows


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _decimals(text: str) -> int:
    if "e" in text.lower() or "." not in text:
        return 0
    return len(text.rsplit(".", 1)[1])


def profile(name: str, values: list[str], codes: I64) -> Column:
    """A column, with its numbers when every non-empty value parses as one."""
    numbers = np.full(len(values), np.nan)
    decimals = 0
    for index, text in enumerate(values):
        stripped = text.strip()
        if not stripped:
            continue
        value = _number(stripped)
        if value is None:
            return Column(name, values, codes)
        numbers[index] = value
        decimals = max(decimals, _decimals(stripped))
    if np.all(np.isnan(numbers)):
        return Column(name, values, codes)
    return Column(name, values, codes, numbers, decimals)


def from_arrow(table: pa.Table, source: str = "") -> Frame:
    """A frame of ``table`` (every column read as text; nulls become empty text)."""
    columns = []
    for name, chunked in zip(table.column_names, table.columns, strict=True):
        text = pc.fill_null(chunked.cast(pa.string()), "")
        encoded = pc.dictionary_encode(text).combine_chunks()
        values = [str(v) for v in encoded.dictionary.to_pylist()]
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        columns.append(profile(str(name), values, codes))
    return Frame(columns, table.num_rows, source)


def read_frame(path: Path) -> Frame:
    """Read a CSV/TSV/Parquet/XPT table as a frame (errors name the file)."""
    return from_arrow(read_table(path, text=True), str(path))


def hash_values(values: list[str], salt: bytes = b"") -> U64:
    """A 64-bit hash of each text (BLAKE2b, keyed with ``salt``)."""
    out = np.empty(len(values), dtype=np.uint64)
    for index, text in enumerate(values):
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, key=salt)
        out[index] = int.from_bytes(digest.digest(), "little")
    return out


def format_number(value: float, decimals: int) -> str:
    """``value`` printed with ``decimals`` places (integers without a point)."""
    if decimals <= 0:
        return str(round(value))
    return f"{value:.{decimals}f}"
