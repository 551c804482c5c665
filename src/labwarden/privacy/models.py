"""Privacy models per equivalence class: k-anonymity, l-diversity variants and t-closeness.

Everything is computed from ``(class, value, count)`` triples of a sensitive attribute, with
sorts and ``bincount``; there is no Python loop over classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labwarden.privacy.classes import count_keys
from labwarden.privacy.hierarchies import Hierarchy

_CHUNK_CELLS = 1 << 22


@dataclass(frozen=True, slots=True)
class SensitiveValues:
    """A sensitive attribute as ``(unit, value, count)`` triples over the rows or row groups."""

    name: str
    unit: np.ndarray
    value: np.ndarray
    count: np.ndarray
    cardinality: int
    labels: list[str]
    hierarchy: Hierarchy | None = None

    @property
    def distribution(self) -> np.ndarray:
        """The distribution of the attribute over the whole table (the t-closeness reference)."""
        totals = np.bincount(self.value, weights=self.count, minlength=self.cardinality)
        return totals / max(float(totals.sum()), 1.0)


@dataclass(frozen=True, slots=True)
class ClassValues:
    """Per (class, value) counts of a sensitive attribute, sorted by class."""

    cls: np.ndarray
    value: np.ndarray
    count: np.ndarray
    classes: int

    @property
    def totals(self) -> np.ndarray:
        """Rows per class."""
        return np.bincount(self.cls, weights=self.count, minlength=self.classes)


def class_values(sensitive: SensitiveValues, unit_class: np.ndarray, classes: int) -> ClassValues:
    """Aggregate the triples of ``sensitive`` into classes (``unit_class[unit]``; -1 drops)."""
    cls_of = unit_class[sensitive.unit]
    keep = cls_of >= 0
    key = cls_of[keep] * sensitive.cardinality + sensitive.value[keep]
    weights = sensitive.count[keep]
    # Row-level triples all count 1: an unweighted count is much faster.
    uniques, counts = count_keys(
        key, classes * sensitive.cardinality, None if np.all(weights == 1) else weights
    )
    return ClassValues(
        uniques // sensitive.cardinality, uniques % sensitive.cardinality, counts, classes
    )


def distinct_l(pairs: ClassValues) -> np.ndarray:
    """Distinct sensitive values per class."""
    return np.bincount(pairs.cls, minlength=pairs.classes)


def entropy_l(pairs: ClassValues) -> np.ndarray:
    """``exp`` of the entropy of the sensitive values per class (the entropy-l of the class)."""
    totals = pairs.totals
    p = pairs.count / totals[pairs.cls]
    entropy = -np.bincount(pairs.cls, weights=p * np.log(p), minlength=pairs.classes)
    return np.exp(entropy)


def _sorted_desc(pairs: ClassValues) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts sorted descending within class, their rank, and each class's first position."""
    order = np.lexsort((-pairs.count, pairs.cls))
    cls = pairs.cls[order]
    count = pairs.count[order]
    first = np.searchsorted(cls, np.arange(pairs.classes))
    rank = np.arange(cls.size) - first[cls]
    return cls, count, rank


def recursive_cl(pairs: ClassValues, c: float, l_value: int) -> np.ndarray:
    """Whether each class is recursive-(c,l)-diverse: r1 < c * (r_l + ... + r_m)."""
    cls, count, rank = _sorted_desc(pairs)
    r1 = np.zeros(pairs.classes)
    r1[cls[rank == 0]] = count[rank == 0]
    tail = np.bincount(
        cls, weights=np.where(rank >= l_value - 1, count, 0.0), minlength=pairs.classes
    )
    return r1 < c * tail


def recursive_l(pairs: ClassValues, c: float) -> np.ndarray:
    """The largest ``l`` for which each class is recursive-(c,l)-diverse (0 if none)."""
    cls, count, rank = _sorted_desc(pairs)
    totals = np.bincount(cls, weights=count, minlength=pairs.classes)
    before = np.cumsum(count) - count
    first_total = np.zeros(pairs.classes)
    starts = rank == 0
    first_total[cls[starts]] = before[starts]
    suffix = totals[cls] - (before - first_total[cls])
    r1 = np.zeros(pairs.classes)
    r1[cls[starts]] = count[starts]
    return np.bincount(
        cls, weights=(c * suffix > r1[cls]).astype(np.float64), minlength=pairs.classes
    ).astype(np.int64)


def t_equal(pairs: ClassValues, reference: np.ndarray) -> np.ndarray:
    """Earth mover's distance with equal ground distance (half the L1 distance) per class."""
    p = pairs.count / pairs.totals[pairs.cls]
    q = reference[pairs.value]
    partial = np.bincount(pairs.cls, weights=np.abs(p - q) - q, minlength=pairs.classes)
    return 0.5 * (partial + 1.0)


def _parents(hierarchy: Hierarchy) -> list[np.ndarray]:
    """For each level h >= 1, the parent (level h) of every node at level h - 1."""
    parents = []
    for level in range(1, hierarchy.levels):
        child = hierarchy.maps[level - 1]
        parent = np.zeros(int(child.max(initial=-1)) + 1, dtype=np.int64)
        parent[child] = hierarchy.maps[level]
        parents.append(parent)
    return parents


def t_hierarchical(pairs: ClassValues, reference: np.ndarray, hierarchy: Hierarchy) -> np.ndarray:
    """Earth mover's distance with the hierarchical ground distance of Li et al. per class."""
    height = hierarchy.max_level
    if height == 0:
        return t_equal(pairs, reference)
    parents = _parents(hierarchy)
    values = reference.size
    result = np.zeros(pairs.classes)
    totals = pairs.totals
    step = max(1, _CHUNK_CELLS // max(values, 1))
    bounds = np.searchsorted(pairs.cls, np.arange(0, pairs.classes + step, step))
    for index, start in enumerate(range(0, pairs.classes, step)):
        stop = min(start + step, pairs.classes)
        low, high = bounds[index], bounds[index + 1] if index + 1 < bounds.size else pairs.cls.size
        extra = np.tile(-reference, (stop - start, 1))
        rows = pairs.cls[low:high] - start
        extra[rows, pairs.value[low:high]] += pairs.count[low:high] / totals[pairs.cls[low:high]]
        cost = np.zeros(stop - start)
        for level, parent in enumerate(parents, start=1):
            order = np.argsort(parent, kind="stable")
            cuts = np.flatnonzero(np.r_[True, np.diff(parent[order]) != 0])
            grouped = extra[:, order]
            positive = np.add.reduceat(np.clip(grouped, 0, None), cuts, axis=1)
            negative = -np.add.reduceat(np.clip(grouped, None, 0), cuts, axis=1)
            cost += (level / height) * np.minimum(positive, negative).sum(axis=1)
            extra = positive - negative
        result[start:stop] = cost
    return result
