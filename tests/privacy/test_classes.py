from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.privacy.classes import combine, equivalence_classes


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 2)), min_size=1, max_size=200
    )
)
def test_classes_match_counting_tuples(rows: list[tuple[int, int, int]]) -> None:
    columns = [np.array([r[i] for r in rows], dtype=np.int32) for i in range(3)]
    classes = equivalence_classes(columns, [4, 6, 3])
    expected = Counter(rows)
    assert classes.count == len(expected)
    assert classes.records == len(rows)
    for index, row in enumerate(rows):
        assert classes.sizes[classes.inverse[index]] == expected[row]
    sizes, counts = classes.histogram()
    assert int((sizes * counts).sum()) == len(rows)


def test_many_wide_columns_do_not_overflow() -> None:
    rng = np.random.default_rng(1)
    columns = [rng.integers(0, 2**20, size=1000).astype(np.int64) for _ in range(8)]
    columns[1] = columns[0]
    key, _ = combine(columns, [2**20] * 8)
    assert np.unique(key).size == len({tuple(c[i] for c in columns) for i in range(1000)})
    classes = equivalence_classes(columns, [2**20] * 8)
    assert classes.records == 1000


def test_sort_path_for_sparse_keys() -> None:
    rng = np.random.default_rng(2)
    codes = [rng.integers(0, 50_000, size=300) for _ in range(3)]
    classes = equivalence_classes(codes, [50_000] * 3)
    assert classes.count == len({(a, b, c) for a, b, c in zip(*codes, strict=True)})
