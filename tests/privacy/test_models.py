from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.privacy import models
from labwarden.privacy.hierarchies import parse_arx_hierarchy
from labwarden.privacy.models import SensitiveValues

rows_strategy = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=120)


def _setup(rows: list[tuple[int, int]]) -> tuple[models.ClassValues, dict[int, Counter[int]]]:
    classes = sorted({c for c, _ in rows})
    index = {c: i for i, c in enumerate(classes)}
    unit_class = np.array([index[c] for c, _ in rows], dtype=np.int64)
    sensitive = SensitiveValues(
        "s",
        np.arange(len(rows)),
        np.array([v for _, v in rows]),
        np.ones(len(rows)),
        4,
        ["a", "b", "c", "d"],
    )
    pairs = models.class_values(sensitive, unit_class, len(classes))
    groups: dict[int, Counter[int]] = defaultdict(Counter)
    for c, v in rows:
        groups[index[c]][v] += 1
    return pairs, groups


@settings(max_examples=80, deadline=None)
@given(rows_strategy, st.floats(1.0, 5.0), st.integers(1, 4))
def test_l_diversity_matches_definitions(
    rows: list[tuple[int, int]], c: float, l_value: int
) -> None:
    pairs, groups = _setup(rows)
    distinct = models.distinct_l(pairs)
    entropy = models.entropy_l(pairs)
    recursive = models.recursive_cl(pairs, c, l_value)
    largest = models.recursive_l(pairs, c)
    for cls, counter in groups.items():
        total = sum(counter.values())
        assert distinct[cls] == len(counter)
        h = -sum(n / total * math.log(n / total) for n in counter.values())
        assert entropy[cls] == pytest.approx(math.exp(h))
        ranked = sorted(counter.values(), reverse=True)
        assert recursive[cls] == (ranked[0] < c * sum(ranked[l_value - 1 :]))
        best = max(
            (lv for lv in range(1, len(ranked) + 1) if ranked[0] < c * sum(ranked[lv - 1 :])),
            default=0,
        )
        assert largest[cls] == best
        assert 1 <= entropy[cls] <= distinct[cls] + 1e-9


@settings(max_examples=80, deadline=None)
@given(rows_strategy)
def test_equal_distance_is_half_l1(rows: list[tuple[int, int]]) -> None:
    pairs, groups = _setup(rows)
    total = Counter(v for _, v in rows)
    q = np.array([total[v] / len(rows) for v in range(4)])
    distance = models.t_equal(pairs, q)
    for cls, counter in groups.items():
        size = sum(counter.values())
        expected = 0.5 * sum(abs(counter[v] / size - q[v]) for v in range(4))
        assert distance[cls] == pytest.approx(expected)
        assert 0 <= distance[cls] <= 1 + 1e-12


def test_hierarchical_distance_example_from_li_et_al() -> None:
    # Two leaves under one parent, two under another; class holds only the first leaf.
    hierarchy = parse_arx_hierarchy("a;x;*\nb;x;*\nc;y;*\nd;y;*", "s", ["a", "b", "c", "d"], "h")
    q = np.full(4, 0.25)
    sensitive = SensitiveValues(
        "s", np.arange(1), np.array([0]), np.ones(1), 4, ["a", "b", "c", "d"], hierarchy
    )
    pairs = models.class_values(sensitive, np.zeros(1, dtype=np.int64), 1)
    # Moving 0.25 to the sibling costs 1/2 each; 0.5 across the root costs 1.
    assert models.t_hierarchical(pairs, q, hierarchy)[0] == pytest.approx(0.25 * 0.5 + 0.5)
    assert models.t_equal(pairs, q)[0] == pytest.approx(0.75)


@settings(max_examples=60, deadline=None)
@given(rows_strategy)
def test_hierarchical_distance_bounds(rows: list[tuple[int, int]]) -> None:
    hierarchy = parse_arx_hierarchy("a;x;*\nb;x;*\nc;y;*\nd;y;*", "s", ["a", "b", "c", "d"], "h")
    pairs, _ = _setup(rows)
    total = Counter(v for _, v in rows)
    q = np.array([total[v] / len(rows) for v in range(4)])
    hier = models.t_hierarchical(pairs, q, hierarchy)
    equal = models.t_equal(pairs, q)
    assert np.all(hier >= -1e-12)
    assert np.all(hier <= equal + 1e-12)
