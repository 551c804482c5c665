from __future__ import annotations

import numpy as np
import pytest

from labwarden.privacy import population
from labwarden.privacy.classes import equivalence_classes
from labwarden.privacy.encoding import encode_table
from labwarden.privacy.io import read_table
from tests.conftest import corpora_path


def _adult_histogram(columns: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    table = read_table(corpora_path("privacy", "arx", "adult.csv"))
    names = table.column_names[:columns] if columns else table.column_names
    encoded = encode_table(table, names)
    classes = equivalence_classes([e.codes for e in encoded], [e.cardinality for e in encoded])
    sizes, counts = classes.histogram()
    return sizes, counts, classes.records


@pytest.mark.corpora
def test_adult_matches_arx_population_model() -> None:
    sizes, counts, rows = _adult_histogram()
    result = population.estimate(sizes, counts, rows, rows / 0.1)
    assert result.dankar_model == "pitman"
    assert result.dankar == pytest.approx(0.27684993883653597, rel=1e-9)
    assert result.pitman == pytest.approx(0.27684993883653597, rel=1e-9)
    assert result.zayatz == pytest.approx(0.3207402393466189, rel=1e-9)


@pytest.mark.corpora
def test_dankar_uses_snb_or_zayatz_above_ten_percent() -> None:
    sizes, counts, rows = _adult_histogram(4)
    result = population.estimate(sizes, counts, rows, rows / 0.5)
    assert result.dankar_model in ("snb", "zayatz")
    assert result.dankar == pytest.approx(min(result.snb, result.zayatz))
    assert 0 < result.dankar < 1


def test_no_sample_uniques_means_no_population_uniques() -> None:
    result = population.estimate(np.array([2, 3]), np.array([5, 5]), 25, 250)
    assert result.dankar == 0.0
    assert result.pitman == 0.0


def test_estimates_are_fractions() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 400, size=2000)
    _, sizes_per_class = np.unique(codes, return_counts=True)
    sizes, counts = np.unique(sizes_per_class, return_counts=True)
    for fraction in (0.01, 0.05, 0.3, 0.8):
        result = population.estimate(sizes, counts, 2000, 2000 / fraction)
        for value in (result.zayatz, result.dankar):
            assert 0 <= value <= 1
