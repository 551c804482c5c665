"""Generalization hierarchies: ARX's CSV format, and interval/date/mask hierarchies on request.

A hierarchy maps each value of a column to one more general value per level; level 0 is the
value itself and the last level is usually ``*``. ARX's format is one ``;``-separated line per
value, one column per level. Generated hierarchies are written as ``COL=interval:5,10,20``
(numeric bands whose widths nest), ``COL=date:month,year,decade`` (ISO dates),
``COL=mask:1,2,3`` (replace the last characters with ``*``, for postcodes) or ``COL=suppress``.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labwarden.core.errors import InputError

TOP = "*"


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Per level, the generalized code of every value code, and the labels of those codes."""

    column: str
    maps: list[np.ndarray]
    labels: list[list[str]]
    source: str

    @property
    def levels(self) -> int:
        """Number of levels, the original values included."""
        return len(self.maps)

    @property
    def max_level(self) -> int:
        """The highest level index."""
        return len(self.maps) - 1


def _build(column: str, values: Sequence[str], rows: list[list[str]], source: str) -> Hierarchy:
    """A hierarchy from one row of generalizations per value (``rows[i]`` for ``values[i]``)."""
    height = len(rows[0]) if rows else 1
    maps = [np.arange(len(values), dtype=np.int32)]
    labels = [list(values)]
    previous = np.arange(len(values), dtype=np.int32)
    for level in range(1, height):
        texts = [row[level] for row in rows]
        distinct: dict[str, int] = {}
        codes = np.fromiter(
            (distinct.setdefault(t, len(distinct)) for t in texts),
            dtype=np.int32,
            count=len(texts),
        )
        # Monotonic: values that share a generalization keep sharing it one level up.
        parent = np.full(int(previous.max(initial=-1)) + 1, -1, dtype=np.int64)
        parent[previous] = codes
        if np.any(parent[previous] != codes):
            bad = int(np.flatnonzero(parent[previous] != codes)[0])
            raise InputError(
                f"{source}: hierarchy of {column} is not monotonic: "
                f"{labels[level - 1][previous[bad]]!r} generalizes to more than one value at "
                f"level {level}"
            )
        maps.append(codes)
        labels.append(list(distinct))
        previous = codes
    return Hierarchy(column, maps, labels, source)


def read_arx_hierarchy(path: Path, column: str, values: Sequence[str]) -> Hierarchy:
    """Read an ARX hierarchy file for ``column`` whose data has the distinct ``values``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read hierarchy: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise InputError(f"{path}: hierarchy is not UTF-8 text") from None
    return parse_arx_hierarchy(text, column, values, str(path))


def parse_arx_hierarchy(text: str, column: str, values: Sequence[str], source: str) -> Hierarchy:
    """Parse ARX hierarchy text (``;``-separated, one line per value, one column per level)."""
    by_value: dict[str, list[str]] = {}
    width = 0
    for number, row in enumerate(csv.reader(text.splitlines(), delimiter=";"), start=1):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if width == 0:
            width = len(row)
        elif len(row) != width:
            raise InputError(
                f"{source}: malformed hierarchy line {number}: {len(row)} levels, "
                f"expected {width} like line 1"
            )
        if row[0] in by_value:
            if by_value[row[0]] != row:
                raise InputError(
                    f"{source}: malformed hierarchy line {number}: value {row[0]!r} is listed "
                    "twice with different generalizations"
                )
            continue
        by_value[row[0]] = row
    if not by_value:
        raise InputError(f"{source}: hierarchy for {column} is empty")
    missing = [v for v in values if v not in by_value]
    if missing:
        shown = ", ".join(repr(v) for v in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputError(
            f"{source}: hierarchy for {column} does not cover {shown}{more} "
            f"({len(missing)} of {len(values)} values in the data)"
        )
    return _build(column, values, [by_value[v] for v in values], source)


def _number(column: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise InputError(
            f"column {column}: {value!r} is not a number; an interval hierarchy needs numbers"
        ) from None


def interval_hierarchy(column: str, values: Sequence[str], widths: Sequence[float]) -> Hierarchy:
    """Bands ``[lo, hi[`` of the given widths per level (each a multiple of the last), then *."""
    if not widths or any(w <= 0 for w in widths):
        raise InputError(f"column {column}: interval widths must be positive numbers")
    for low, high in itertools.pairwise(widths):
        ratio = high / low
        if abs(ratio - round(ratio)) > 1e-9 or ratio < 1:
            raise InputError(
                f"column {column}: interval width {high:g} is not a multiple of {low:g}; "
                "widths must nest so that the hierarchy is monotonic"
            )
    rows = []
    for value in values:
        x = _number(column, value) if value != "" else math.nan
        row = [value]
        for width in widths:
            if math.isnan(x):
                row.append(TOP)
                continue
            low = math.floor(x / width) * width
            row.append(f"[{_fmt(low)}, {_fmt(low + width)}[")
        row.append(TOP)
        rows.append(row)
    return _build(column, values, rows, f"interval:{','.join(_fmt(w) for w in widths)}")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_DATE_LEVELS = ("month", "year", "5years", "decade", "century")


def date_hierarchy(column: str, values: Sequence[str], levels: Sequence[str]) -> Hierarchy:
    """ISO dates generalized to month, year, 5 years, decade or century, then ``*``."""
    unknown = [level for level in levels if level not in _DATE_LEVELS]
    if unknown or not levels:
        raise InputError(
            f"column {column}: unknown date level {', '.join(unknown) or '(none)'}; "
            f"use {', '.join(_DATE_LEVELS)}"
        )
    order = [_DATE_LEVELS.index(level) for level in levels]
    if order != sorted(set(order)):
        raise InputError(f"column {column}: date levels must go from fine to coarse")
    rows = []
    for value in values:
        match = _DATE.match(value.strip())
        if value.strip() and match is None:
            raise InputError(
                f"column {column}: {value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)"
            )
        generalized = [_date_at(match, level) if match else TOP for level in levels]
        rows.append([value, *generalized, TOP])
    return _build(column, values, rows, f"date:{','.join(levels)}")


def _date_at(match: re.Match[str], level: str) -> str:
    """A matched ISO date generalized to ``level``."""
    year = int(match.group(1))
    if level == "month":
        return f"{year:04d}-{match.group(2)}" if match.group(2) else f"{year:04d}"
    if level == "year":
        return f"{year:04d}"
    if level == "5years":
        start = year - year % 5
        return f"{start}-{start + 4}"
    if level == "decade":
        return f"{year // 10}*"
    return f"{year // 100}**"


def mask_hierarchy(column: str, values: Sequence[str], counts: Sequence[int]) -> Hierarchy:
    """Replace the last ``n`` characters with ``*`` for each ``n`` in ``counts``, then ``*``."""
    if not counts or any(c <= 0 for c in counts) or list(counts) != sorted(set(counts)):
        raise InputError(f"column {column}: mask counts must be increasing positive integers")
    rows = []
    for value in values:
        row = [value]
        for count in counts:
            keep = max(len(value) - count, 0)
            row.append(value[:keep] + TOP * (len(value) - keep) if value else TOP)
        row.append(TOP)
        rows.append(row)
    return _build(column, values, rows, f"mask:{','.join(map(str, counts))}")


def suppression_hierarchy(column: str, values: Sequence[str]) -> Hierarchy:
    """Two levels: the value, or ``*``."""
    return _build(column, values, [[v, TOP] for v in values], "suppress")


def hierarchy_from_spec(column: str, values: Sequence[str], spec: str) -> Hierarchy:
    """A hierarchy from ``--hierarchy`` text: a file, or a generator such as ``interval:5,10``."""
    kind, _, arguments = spec.partition(":")
    kind = kind.strip().lower()
    parts = [a.strip() for a in arguments.split(",") if a.strip()]
    if kind in ("suppress", "top") and not parts:
        return suppression_hierarchy(column, values)
    if kind == "interval" and parts:
        try:
            widths = [float(p) for p in parts]
        except ValueError:
            raise InputError(f"column {column}: bad interval widths {arguments!r}") from None
        return interval_hierarchy(column, values, widths)
    if kind == "date" and parts:
        return date_hierarchy(column, values, [p.lower() for p in parts])
    if kind == "mask" and parts:
        try:
            counts = [int(p) for p in parts]
        except ValueError:
            raise InputError(f"column {column}: bad mask counts {arguments!r}") from None
        return mask_hierarchy(column, values, counts)
    path = Path(spec)
    if not path.is_file():
        raise InputError(
            f"{spec}: no such hierarchy file (for {column}); give an ARX hierarchy CSV or "
            "interval:W1,W2.., date:month,year,decade, mask:1,2,3 or suppress"
        )
    return read_arx_hierarchy(path, column, values)


def to_arx_csv(hierarchy: Hierarchy) -> str:
    """The hierarchy in ARX's format: one ``;``-separated line per value, one column per level."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for code, value in enumerate(hierarchy.labels[0]):
        writer.writerow(
            [value]
            + [
                hierarchy.labels[level][int(hierarchy.maps[level][code])]
                for level in range(1, hierarchy.levels)
            ]
        )
    return out.getvalue()
