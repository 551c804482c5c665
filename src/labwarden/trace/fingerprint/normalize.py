"""What a leaker did to a table's columns, undone for matching.

Columns are paired by name (case, spaces and punctuation ignored), then unpaired ones by their
values. For each pair, a canonical form makes the original's value and the leaked value equal
when the leak is the same value transformed: numbers compare as numbers (``34``, ``34.0``), text
ignores case and surrounding space; a numeric column whose leaked values all sit on a coarser
grid (rounded to 5, 10, 0.1...) is compared after the same rounding (the rounding rule, nearest
or down or up, is the one whose result looks like the leak); a numeric column leaked as ranges
(``30-39``, ``[30, 40)``) is compared as the range holding the original value.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from labwarden.trace.fingerprint.frame import F64, Column, Frame

Canon = Callable[[str], str]

_STEPS = sorted({m * 10.0**k for m in (1, 2, 2.5, 5) for k in range(-4, 10)})
_RANGE = re.compile(
    r"^\s*([\[(]?)\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|,|to|\.\.)\s*(-?\d+(?:\.\d+)?)\s*([\])]?)\s*$"
)
_ON_GRID = 0.98


def name_key(name: str) -> str:
    """A column name without case, spaces or punctuation."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def text_canon(text: str) -> str:
    """The canonical form of a cell: a number as a number, text without case or outer space."""
    stripped = text.strip()
    try:
        value = float(stripped)
    except ValueError:
        return stripped.casefold()
    return repr(value + 0.0) if math.isfinite(value) else stripped.casefold()


def _overlap(a: Column, b: Column) -> float:
    left = {text_canon(v) for v in a.values if v.strip()}
    right = {text_canon(v) for v in b.values if v.strip()}
    return len(left & right) / max(1, len(left))


def pair_columns(leaked: Frame, original: Frame) -> list[tuple[int, int]]:
    """``(leaked index, original index)`` of the columns the two tables share."""
    by_name = {name_key(c.name): i for i, c in enumerate(original.columns)}
    pairs: dict[int, int] = {}
    for index, column in enumerate(leaked.columns):
        found = by_name.get(name_key(column.name))
        if found is not None and found not in pairs.values():
            pairs[index] = found
    for index, column in enumerate(leaked.columns):
        if index in pairs:
            continue
        scores = [
            (_overlap(column, other), j)
            for j, other in enumerate(original.columns)
            if j not in pairs.values()
        ]
        best = max(scores, default=(0.0, -1))
        if best[0] >= 0.5:
            pairs[index] = best[1]
    return sorted(pairs.items())


def _weighted(column: Column) -> tuple[F64, F64]:
    """The column's numbers and how many rows hold each (empty values left out)."""
    assert column.numbers is not None
    counts = np.bincount(column.codes, minlength=len(column.values)).astype(np.float64)
    keep = ~np.isnan(column.numbers)
    return column.numbers[keep], counts[keep]


def _on_grid(numbers: F64, weights: F64, step: float) -> float:
    ratio = numbers / step
    hit = np.abs(ratio - np.round(ratio)) <= 1e-6 * np.maximum(1.0, np.abs(ratio))
    return float(weights[hit].sum() / max(1.0, weights.sum()))


_MODES: dict[str, Callable[[F64], F64]] = {
    "nearest": lambda r: np.floor(r + 0.5),
    "half-even": np.round,
    "down": np.floor,
    "up": np.ceil,
}


def _histogram_distance(a: F64, wa: F64, b: F64, wb: F64) -> float:
    keys = np.union1d(a, b)
    ha = np.zeros(len(keys))
    hb = np.zeros(len(keys))
    np.add.at(ha, np.searchsorted(keys, a), wa / max(1.0, wa.sum()))
    np.add.at(hb, np.searchsorted(keys, b), wb / max(1.0, wb.sum()))
    return float(np.abs(ha - hb).sum())


@dataclass(frozen=True, slots=True)
class Rounding:
    """A grid the leak's values were put on."""

    step: float
    mode: str

    def apply(self, value: float) -> float:
        """``value`` on the grid."""
        return float(_MODES[self.mode](np.asarray([value / self.step]))[0] * self.step)


def detect_rounding(original: Column, leaked: Column) -> Rounding | None:
    """The grid the leaked numbers sit on and the original's do not, with its rounding rule."""
    if original.numbers is None or leaked.numbers is None:
        return None
    numbers, weights = _weighted(leaked)
    base, base_weights = _weighted(original)
    if not len(numbers) or not len(base):
        return None
    unit = 10.0 ** (-original.decimals)
    top = float(np.max(np.abs(numbers))) or 1.0
    for step in reversed(_STEPS):
        if step <= unit * 1.000001 or step > top:
            continue
        if _on_grid(numbers, weights, step) >= _ON_GRID > _on_grid(base, base_weights, step):
            best = min(
                _MODES,
                key=lambda m: _histogram_distance(
                    _MODES[m](base / step) * step, base_weights, numbers, weights
                ),
            )
            return Rounding(step, best)
    return None


@dataclass(frozen=True, slots=True)
class Ranges:
    """Ranges the leak's values were coarsened to (``30-39``)."""

    bounds: list[tuple[float, float, str]]
    half_open: bool

    def label(self, value: float) -> str | None:
        """The range holding ``value``."""
        for low, high, text in self.bounds:
            if low <= value < high or (not self.half_open and value == high):
                return text
        return None


def detect_ranges(original: Column, leaked: Column) -> Ranges | None:
    """The ranges a numeric column was leaked as, when most leaked values are ranges."""
    if original.numbers is None or leaked.numbers is not None:
        return None
    found: list[tuple[float, float, str]] = []
    half_open = False
    values = [v for v in leaked.values if v.strip()]
    for text in values:
        match = _RANGE.match(text)
        if match:
            low, high = float(match.group(2)), float(match.group(3))
            found.append((low, high, text_canon(text)))
            half_open |= match.group(4) == ")"
    if not values or len(found) < 0.9 * len(values):
        return None
    found.sort()
    shares_ends = any(a[1] == b[0] for a, b in itertools.pairwise(found))
    return Ranges(found, half_open or shares_ends)


@dataclass(frozen=True, slots=True)
class Pair:
    """A shared column and how to compare it."""

    leaked: int
    original: int
    canon: Canon
    rounding: Rounding | None = None
    ranges: Ranges | None = None

    def describe(self) -> str:
        """What the leak did to this column, in words."""
        if self.rounding is not None:
            return f"rounded to {self.rounding.step:g} ({self.rounding.mode})"
        if self.ranges is not None:
            return f"coarsened to {len(self.ranges.bounds)} ranges"
        return "as is"


def _numeric_canon(rounding: Rounding | None, ranges: Ranges | None) -> Canon:
    def canon(text: str) -> str:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            return stripped.casefold()
        if not math.isfinite(value):
            return stripped.casefold()
        if ranges is not None:
            return ranges.label(value) or repr(value + 0.0)
        if rounding is not None:
            value = rounding.apply(value)
        return repr(round(value, 9) + 0.0)

    return canon


def pair(leaked: Frame, original: Frame, li: int, oi: int) -> Pair:
    """How leaked column ``li`` compares with original column ``oi``."""
    theirs, ours = leaked.columns[li], original.columns[oi]
    rounding = detect_rounding(ours, theirs)
    ranges = None if rounding else detect_ranges(ours, theirs)
    if rounding is None and ranges is None:
        return Pair(li, oi, text_canon)
    return Pair(li, oi, _numeric_canon(rounding, ranges), rounding, ranges)


def pairs_of(leaked: Frame, original: Frame) -> list[Pair]:
    """Every shared column of the two tables with its comparison."""
    return [pair(leaked, original, li, oi) for li, oi in pair_columns(leaked, original)]
