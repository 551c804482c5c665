from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labwarden.privacy import risk
from labwarden.privacy.criteria import Criteria
from labwarden.privacy.encoding import EncodedColumn, encode_table
from labwarden.privacy.hierarchies import read_arx_hierarchy
from labwarden.privacy.io import read_table
from labwarden.privacy.search import microdata
from tests.conftest import corpora_path


@pytest.mark.corpora
def test_adult_matches_arx_risk_figures() -> None:
    table = read_table(corpora_path("privacy", "arx", "adult.csv"))
    columns = encode_table(table, table.column_names)
    result = risk.assess(
        columns, threshold=0.2, population_size=table.num_rows / 0.1, combinations=20
    )
    assert result.classes == 19502
    assert result.prosecutor.average == pytest.approx(0.6465751607983555, rel=1e-12)
    assert result.prosecutor.records_at_risk == pytest.approx(0.7781314236456468, rel=1e-12)
    assert result.sample_uniqueness == pytest.approx(0.5142895033485844, rel=1e-12)
    assert result.population is not None
    assert result.population.dankar == pytest.approx(0.27684993883653597, rel=1e-9)
    assert len(result.attributes) == 20
    assert result.combinations_total == 511


@pytest.mark.corpora
def test_test_csv_generalized_matches_arx() -> None:
    folder = corpora_path("privacy", "arx")
    table = read_table(folder / "test.csv")
    columns = encode_table(table, table.column_names)
    hierarchies = [
        read_arx_hierarchy(folder / f"test_hierarchy_{c.name}.csv", c.name, c.values)
        for c in columns
    ]
    data = microdata([c.codes for c in columns], hierarchies)
    evaluation = data.evaluate((1, 1, 2), Criteria(k=2, max_suppression=1.0))
    summary = risk.summarize(evaluation.classes.sizes[evaluation.ok], 0.09)
    assert summary.average == pytest.approx(0.42857142857142855, rel=1e-12)
    assert summary.highest == 0.5


def _column(name: str, values: list[int]) -> EncodedColumn:
    codes = np.array(values, dtype=np.int32)
    return EncodedColumn(name, codes, [str(i) for i in range(int(codes.max()) + 1)])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=2, max_size=150),
    st.floats(0.01, 1.0),
)
def test_risk_invariants(rows: list[tuple[int, int]], threshold: float) -> None:
    a = _column("a", [r[0] for r in rows])
    b = _column("b", [r[1] for r in rows])
    result = risk.assess([a, b], threshold=threshold)
    p = result.prosecutor
    assert 0 < p.lowest <= p.average <= p.highest <= 1
    assert 0 <= p.records_at_risk <= 1
    assert p.highest == 1 / result.smallest_class
    assert (p.records_at_risk > 0) == (p.highest > threshold)
    assert result.sample_uniqueness <= p.average + 1e-12
    by_columns = {x.columns: x for x in result.attributes}
    both = by_columns[("a", "b")]
    for single in (by_columns[("a",)], by_columns[("b",)]):
        assert single.distinction <= both.distinction + 1e-12
        assert single.separation <= both.separation + 1e-12
    assert both.distinction == pytest.approx(result.classes / len(rows))


def test_subjects_with_several_rows_are_counted_once() -> None:
    # Three visits per subject; AGE/SEX repeat on every row of a subject.
    ages = [30, 30, 30, 40, 40, 40, 40, 40, 40]
    people = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    rows_only = risk.assess([_column("AGE", ages)], threshold=0.5)
    assert rows_only.smallest_class == 3
    assert rows_only.prosecutor.highest == pytest.approx(1 / 3)
    by_people = risk.assess(
        [_column("AGE", ages)], threshold=0.5, subjects=_column("USUBJID", people)
    )
    assert by_people.smallest_class == 1
    assert by_people.prosecutor.highest == 1.0
    assert by_people.prosecutor.records_at_risk == pytest.approx(3 / 9)
    assert by_people.sample_uniqueness == pytest.approx(3 / 9)
    assert by_people.prosecutor.average == pytest.approx((3 / 1 + 6 / 2) / 9)
    assert by_people.subject_column == "USUBJID"
