"""Equivalence classes: rows that agree on every quasi-identifier, counted vectorized."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_DENSE_LIMIT = 1 << 16
"""Below this many key combinations classes are counted with ``bincount`` instead of a sort."""


@dataclass(frozen=True, slots=True)
class Classes:
    """The partition of rows into equivalence classes.

    ``inverse[i]`` is the class of row ``i`` (rows with ``inverse == -1`` are excluded, e.g.
    suppressed), ``sizes[c]`` the number of rows in class ``c``.
    """

    inverse: np.ndarray
    sizes: np.ndarray

    @property
    def count(self) -> int:
        """Number of classes."""
        return int(self.sizes.size)

    @property
    def records(self) -> int:
        """Number of rows in some class."""
        return int(self.sizes.sum())

    def histogram(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct class sizes (ascending) and how many classes have each size."""
        sizes, counts = np.unique(self.sizes, return_counts=True)
        return sizes.astype(np.int64), counts.astype(np.int64)


def combine(codes: Sequence[np.ndarray], cardinalities: Sequence[int]) -> tuple[np.ndarray, int]:
    """One dense integer key per row for a tuple of code columns, and the number of keys.

    Columns are folded in a mixed radix; when the radix would overflow 63 bits the partial key is
    compacted with ``np.unique`` first, so any number of columns works.
    """
    n = codes[0].size if codes else 0
    key = np.zeros(n, dtype=np.int64)
    space = 1
    for column, cardinality in zip(codes, cardinalities, strict=True):
        radix = max(int(cardinality), 1)
        if space * radix >= (1 << 62):
            uniques, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64, copy=False)
            space = int(uniques.size)
        key = key * radix + column
        space *= radix
    return key, space


def group_keys(key: np.ndarray, space: int, weights: np.ndarray | None = None) -> Classes:
    """Classes from row keys in ``range(space)``; ``weights`` counts rows that stand for many."""
    if key.size == 0:
        return Classes(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    if space <= max(_DENSE_LIMIT, 4 * key.size):
        counts = np.bincount(key, weights=weights, minlength=space)
        present = np.flatnonzero(counts)
        remap = np.full(space, -1, dtype=np.int64)
        remap[present] = np.arange(present.size)
        sizes = counts[present].astype(np.int64)
        return Classes(remap[key], sizes)
    uniques, inverse = np.unique(key, return_inverse=True)
    sizes = np.bincount(inverse, weights=weights, minlength=uniques.size).astype(np.int64)
    return Classes(inverse.astype(np.int64, copy=False), sizes)


def count_keys(
    key: np.ndarray, space: int, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys in ``range(space)`` (ascending) and their (weighted) counts."""
    if key.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if space <= max(_DENSE_LIMIT, 4 * key.size):
        counts = np.bincount(key, weights=weights, minlength=space)
        present = np.flatnonzero(counts)
        return present.astype(np.int64), counts[present].astype(np.float64)
    if weights is None:
        uniques, counted = np.unique(key, return_counts=True)
        return uniques, counted.astype(np.float64)
    uniques, inverse = np.unique(key, return_inverse=True)
    return uniques, np.bincount(inverse, weights=weights, minlength=uniques.size)


def equivalence_classes(codes: Sequence[np.ndarray], cardinalities: Sequence[int]) -> Classes:
    """The equivalence classes of rows given their code columns."""
    key, space = combine(codes, cardinalities)
    return group_keys(key, space)
