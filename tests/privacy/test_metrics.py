from __future__ import annotations

import numpy as np
import pytest

from labwarden.privacy.choices import Metric
from labwarden.privacy.hierarchies import parse_arx_hierarchy
from labwarden.privacy.metrics import discernability, level_costs


def test_level_costs_by_hand() -> None:
    hierarchy = parse_arx_hierarchy("a;x;*\nb;x;*\nc;y;*", "c", ["a", "b", "c"], "h")
    counts = np.array([2.0, 2.0, 4.0])
    entropy = level_costs(Metric.ENTROPY, counts, hierarchy)
    # Level 1: a and b (2 each) share x (4): 2*log2(4/2)*2 = 4 bits; c alone costs 0.
    # Level 2: all share * (8): 2*2 + 2*2 + 4*1 = 12 bits.
    assert entropy.tolist() == pytest.approx([0.0, 4.0, 12.0])
    loss = level_costs(Metric.LOSS, counts, hierarchy)
    # Level 1: rows of a and b are in a group of 2 leaves of 3: (2-1)/(3-1) = 0.5 for 4/8 rows.
    assert loss.tolist() == pytest.approx([0.0, 0.25, 1.0])
    assert level_costs(Metric.PRECISION, counts, hierarchy).tolist() == [0.0, 0.5, 1.0]
    assert level_costs(Metric.HEIGHT, counts, hierarchy).tolist() == [0, 1, 2]


def test_costs_grow_with_level() -> None:
    rng = np.random.default_rng(5)
    values = [str(v) for v in range(50)]
    rows = "\n".join(f"{v};{int(v) // 5};{int(v) // 25};*" for v in values)
    hierarchy = parse_arx_hierarchy(rows, "c", values, "h")
    counts = rng.integers(1, 100, 50).astype(float)
    for metric in Metric:
        costs = level_costs(metric, counts, hierarchy)
        assert np.all(np.diff(costs) >= 0), metric


def test_discernability_charges_suppressed_rows_the_table() -> None:
    assert discernability(np.array([2, 3]), 1, 6) == 4 + 9 + 6
