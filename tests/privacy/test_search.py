from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.privacy.choices import Diversity, Metric
from labwarden.privacy.criteria import Criteria
from labwarden.privacy.encoding import encode_table
from labwarden.privacy.hierarchies import interval_hierarchy, read_arx_hierarchy
from labwarden.privacy.io import read_table
from labwarden.privacy.metrics import level_costs, value_counts
from labwarden.privacy.search import microdata, search
from tests.conftest import corpora_path


@pytest.mark.corpora
def test_adult_five_anonymity_matches_arx_optimum() -> None:
    folder = corpora_path("privacy", "arx")
    table = read_table(folder / "adult.csv")
    columns = encode_table(table, table.column_names)
    hierarchies = [
        read_arx_hierarchy(folder / f"adult_hierarchy_{c.name}.csv", c.name, c.values)
        for c in columns
    ]
    data = microdata([c.codes for c in columns], hierarchies)
    costs = [
        level_costs(Metric.ENTROPY, value_counts(c.codes, c.cardinality), h)
        for c, h in zip(columns, hierarchies, strict=True)
    ]
    result = search(data, Criteria(k=5, max_suppression=0.04), costs)
    assert result.best.levels == (1, 0, 1, 1, 3, 2, 2, 0, 1)
    assert result.loss == pytest.approx(255559.85455731067, rel=1e-12)
    assert result.best.suppressed <= 0.04 * table.num_rows
    assert result.checked < result.nodes


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(2, 6),
    st.sampled_from([0.0, 0.05, 0.2]),
    st.sampled_from([None, 2]),
    st.sampled_from(list(Metric)),
    st.sampled_from(list(Diversity)),
    st.sampled_from([None, 0.2, 0.35]),
)
def test_search_finds_the_exhaustive_optimum(
    seed: int,
    k: int,
    suppression: float,
    l_value: int | None,
    metric: Metric,
    diversity: Diversity,
    t: float | None,
) -> None:
    rng = np.random.default_rng(seed)
    rows = 60
    raw = [rng.integers(0, 40, rows), rng.integers(0, 16, rows), rng.integers(0, 8, rows)]
    widths = [[5, 10, 20], [2, 4], [2]]
    hierarchies = []
    codes = []
    for column, (values, width) in enumerate(zip(raw, widths, strict=True)):
        labels, inverse = np.unique(values, return_inverse=True)
        hierarchies.append(interval_hierarchy(f"c{column}", [str(v) for v in labels], width))
        codes.append(inverse.astype(np.int32))
    secret = rng.integers(0, 3, rows)
    data = microdata(codes, hierarchies, [("s", secret, ["x", "y", "z"], None)])
    criteria = Criteria(
        k=k, l_value=l_value, diversity=diversity, c=2.0, t=t, max_suppression=suppression
    )
    costs = [
        level_costs(metric, value_counts(c, h.levels and len(h.labels[0])), h)
        for c, h in zip(codes, hierarchies, strict=True)
    ]
    best = min(
        (sum(costs[i][lv] for i, lv in enumerate(node)), node)
        for node in itertools.product(*(range(h.levels) for h in hierarchies))
        if data.evaluate(node, criteria).satisfied
    )
    result = search(data, criteria, costs)
    assert result.loss == pytest.approx(best[0])
    assert result.best.satisfied
