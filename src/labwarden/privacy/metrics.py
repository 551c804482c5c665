"""Information loss of a generalization: non-uniform entropy, loss, precision, discernability.

The first three (and the height) depend only on the levels chosen, so they are tabulated per
column and level once; the lattice search adds them up per node. Non-uniform entropy follows
ARX's monotonic ``MetricMDNUEntropyPrecomputed`` (bits, summed over columns).
"""

from __future__ import annotations

import numpy as np

from labwarden.privacy.choices import Metric
from labwarden.privacy.hierarchies import Hierarchy


def value_counts(
    codes: np.ndarray, cardinality: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """Rows per value code."""
    return np.bincount(codes, weights=weights, minlength=cardinality).astype(np.float64)


def level_costs(metric: Metric, counts: np.ndarray, hierarchy: Hierarchy) -> np.ndarray:
    """The cost of generalizing one column to each level of ``hierarchy``.

    Entropy is in bits over all rows; loss and precision are means over rows (0 to 1).
    """
    rows = max(float(counts.sum()), 1.0)
    present = counts > 0
    costs = np.zeros(hierarchy.levels)
    for level, mapping in enumerate(hierarchy.maps):
        if metric is Metric.HEIGHT:
            costs[level] = level
        elif metric is Metric.PRECISION:
            costs[level] = level / hierarchy.max_level if hierarchy.max_level else 0.0
        elif metric is Metric.ENTROPY:
            generalized = np.bincount(mapping, weights=counts)
            a = counts[present]
            b = generalized[mapping[present]]
            costs[level] = float(np.sum(a * np.log2(b / a)))
        else:
            domain = int(present.sum())
            leaves = np.bincount(mapping[present])
            share = (leaves[mapping[present]] - 1) / max(domain - 1, 1)
            costs[level] = float(np.sum(counts[present] * share)) / rows
    return costs


def discernability(sizes: np.ndarray, suppressed: int, rows: int) -> float:
    """Sum of squared class sizes, each suppressed row costing the whole table."""
    return float(np.sum(sizes.astype(np.float64) ** 2)) + float(suppressed) * rows


def average_class_size(sizes: np.ndarray) -> float:
    """Average equivalence class size of the released rows."""
    return float(sizes.sum() / sizes.size) if sizes.size else 0.0
