"""Keyed marks: which cells of a table a recipient's copy changes, and to what.

Each row draws 128 pseudo-random bits from AES-128 (the recipient's key) applied to the row
number: the first 32 bits select about ``rate`` of the rows, the next choose one of the
markable columns, the next the replacement. A categorical cell becomes one of the column's
``ALTERNATIVES`` most frequent other values; a numeric cell moves by ``delta`` up or down, where
``delta`` is the largest step of the column's precision within half the relative bound (a cell
whose smallest step would exceed the bound is left alone). Identifier columns (most values
distinct) are never changed. Nothing else changes.

The plan is a pure function of the key and the original table, so attribution recomputes it
instead of storing the marked copies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from labwarden.trace.fingerprint.frame import F64, I64, Column, Frame, format_number

ALTERNATIVES = 32
DEFAULT_RATE = 0.05
DEFAULT_BOUND = 0.05
IDENTIFIER_SHARE = 0.5
"""A text column with more distinct values than this share of its rows is an identifier."""


def prf(key: bytes, count: int) -> npt.NDArray[np.uint32]:
    """``count`` x 4 pseudo-random 32-bit words: AES-128 of each row number under ``key``."""
    blocks = np.zeros((count, 4), dtype=np.uint32)
    index = np.arange(count, dtype=np.uint64)
    blocks[:, 0] = (index & 0xFFFFFFFF).astype(np.uint32)
    blocks[:, 1] = (index >> np.uint64(32)).astype(np.uint32)
    blocks[:, 2] = 0x6C776D6B  # domain separation from other uses of the key
    encryptor = Cipher(algorithms.AES(key[:16]), modes.ECB()).encryptor()  # noqa: S305
    out = encryptor.update(blocks.tobytes()) + encryptor.finalize()
    return np.frombuffer(out, dtype=np.uint32).reshape(count, 4)


def alternatives(column: Column) -> I64 | None:
    """For a categorical column, the codes of the alternatives of each value (one row per
    value code); ``None`` when the column cannot be marked: fewer than two values, or an
    identifier (most values seen once), whose change would corrupt joins."""
    counts = np.bincount(column.codes, minlength=len(column.values))
    if len(column.values) > IDENTIFIER_SHARE * max(1, len(column.codes)):
        return None
    for index, text in enumerate(column.values):
        if not text.strip():
            counts[index] = 0
    order = [int(i) for i in np.argsort(-counts, kind="stable") if counts[i] > 0]
    top = order[: ALTERNATIVES + 1]
    width = min(ALTERNATIVES, len(top) - 1)
    if width < 1:
        return None
    table = np.tile(np.asarray(top[:width], dtype=np.int64), (len(column.values), 1))
    for position, code in enumerate(top):
        table[code] = np.asarray([t for j, t in enumerate(top) if j != position][:width])
    return table


def deltas(numbers: F64, decimals: int, bound: float) -> F64:
    """The step of each numeric value (``nan`` where a value may not move)."""
    unit = 10.0 ** (-decimals)
    size = np.abs(numbers)
    with np.errstate(invalid="ignore"):
        steps = unit * np.maximum(1.0, np.floor(0.5 * bound * size / unit))
        steps[~(steps <= bound * size) | (size == 0) | np.isnan(numbers)] = np.nan
    return steps


@dataclass(frozen=True, slots=True)
class MarkSpec:
    """What of a table can be marked: the columns and each one's alternatives."""

    markable: list[int]
    choices: dict[int, I64]
    steps: dict[int, F64]
    bound: float

    def width(self, column: int) -> int:
        """How many replacements a cell of ``column`` chooses among."""
        return int(self.choices[column].shape[1]) if column in self.choices else 2

    @property
    def total_width(self) -> int:
        """The sum of the markable columns' widths."""
        return sum(self.width(c) for c in self.markable)

    def probability(self, column: int) -> float:
        """The chance that a marked row's mark goes to ``column`` (proportional to its width,
        so that every (column, replacement) is equally likely)."""
        return self.width(column) / max(1, self.total_width) if column in self.markable else 0.0

    def choose(self, words: npt.NDArray[np.uint32]) -> I64:
        """The column of each marked row from 32 random bits."""
        cumulative = np.cumsum([self.width(c) for c in self.markable])
        point = (words.astype(np.uint64) * np.uint64(cumulative[-1])) >> np.uint64(32)
        at = np.searchsorted(cumulative, point.astype(np.int64), side="right")
        return np.asarray(self.markable, dtype=np.int64)[at]


def spec_of(frame: Frame, bound: float = DEFAULT_BOUND) -> MarkSpec:
    """The mark spec of ``frame`` (the same at share and at trace time)."""
    markable: list[int] = []
    choices: dict[int, I64] = {}
    steps: dict[int, F64] = {}
    for index, column in enumerate(frame.columns):
        if column.numbers is not None:
            step = deltas(column.numbers, column.decimals, bound)
            if np.count_nonzero(~np.isnan(step)) >= 1 and len(column.values) >= 2:
                markable.append(index)
                steps[index] = step
            continue
        table = alternatives(column)
        if table is not None:
            markable.append(index)
            choices[index] = table
    return MarkSpec(markable, choices, steps, bound)


@dataclass(frozen=True, slots=True)
class Marks:
    """The cells a recipient's copy changes: row, column, old and new text."""

    rows: I64
    columns: I64
    old: list[str]
    new: list[str]

    def __len__(self) -> int:
        return len(self.old)


def _mark_column(
    frame: Frame, spec: MarkSpec, index: int, rows: I64, bits: npt.NDArray[np.uint32]
) -> tuple[I64, list[str], list[str]]:
    column = frame.columns[index]
    codes = column.codes[rows]
    if index in spec.choices:
        table = spec.choices[index]
        keep = np.asarray([bool(column.values[c].strip()) for c in codes.tolist()], dtype=bool)
        rows, codes, bits = rows[keep], codes[keep], bits[keep]
        picked = table[codes, bits[:, 2] % np.uint32(table.shape[1])]
        return rows, [column.values[c] for c in codes.tolist()], [column.values[c] for c in picked]
    assert column.numbers is not None
    step = spec.steps[index][codes]
    keep = ~np.isnan(step)
    rows, codes, bits, step = rows[keep], codes[keep], bits[keep], step[keep]
    sign = np.where(bits[:, 3] & np.uint32(1), 1.0, -1.0)
    moved = column.numbers[codes] + sign * step
    new = [format_number(v, column.decimals) for v in moved.tolist()]
    return rows, [column.values[c] for c in codes.tolist()], new


def plan(frame: Frame, spec: MarkSpec, key: bytes, rate: float = DEFAULT_RATE) -> Marks:
    """The marks of the copy under ``key``."""
    if not spec.markable or frame.rows == 0:
        return Marks(np.zeros(0, np.int64), np.zeros(0, np.int64), [], [])
    bits = prf(key, frame.rows)
    threshold = np.uint32(min(0xFFFFFFFF, int(rate * 2**32)))
    rows = np.flatnonzero(bits[:, 0] < threshold).astype(np.int64)
    chosen = spec.choose(bits[rows, 1])
    out_rows: list[I64] = []
    out_cols: list[I64] = []
    old: list[str] = []
    new: list[str] = []
    for index in spec.markable:
        subset = rows[chosen == index]
        marked, before, after = _mark_column(frame, spec, index, subset, bits[subset])
        out_rows.append(marked)
        out_cols.append(np.full(len(marked), index, dtype=np.int64))
        old += before
        new += after
    return Marks(np.concatenate(out_rows), np.concatenate(out_cols), old, new)
