"""Re-identification risk of a table: prosecutor, journalist and marketer risk, uniqueness.

Measures follow El Emam's guide as implemented by ARX: a record's prosecutor risk is one over
the size of its equivalence class; "records at risk" are those whose risk is strictly above the
threshold. Without a population table journalist risk equals prosecutor risk (as in ARX).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labwarden.privacy import choices, models, population
from labwarden.privacy.classes import (
    Classes,
    combine,
    count_keys,
    equivalence_classes,
)
from labwarden.privacy.encoding import EncodedColumn
from labwarden.privacy.models import SensitiveValues

DEFAULT_THRESHOLD = choices.DEFAULT_THRESHOLD
"""Highest acceptable risk commonly used for EMA Policy 0070 and Health Canada publication."""
DEFAULT_COMBINATIONS = choices.DEFAULT_COMBINATIONS


@dataclass(frozen=True, slots=True)
class RiskSummary:
    """Highest, average and lowest risk of the records, and the share above the threshold."""

    highest: float
    average: float
    lowest: float
    records_at_risk: float

    def to_dict(self) -> dict[str, float]:
        """A JSON-ready dictionary."""
        return {
            "highest": self.highest,
            "average": self.average,
            "lowest": self.lowest,
            "records_at_risk": self.records_at_risk,
        }


def summarize(sizes: np.ndarray, threshold: float, rows: np.ndarray | None = None) -> RiskSummary:
    """Prosecutor risk summary of classes of the given sizes.

    ``rows`` are the records per class when a class size counts people rather than records
    (longitudinal data: several records per subject); each record's risk is 1 / class size.
    """
    weights = sizes if rows is None else rows
    keep = sizes > 0
    sizes, weights = sizes[keep].astype(np.float64), weights[keep].astype(np.float64)
    if sizes.size == 0:
        return RiskSummary(0.0, 0.0, 0.0, 0.0)
    total = float(weights.sum())
    at_risk = float(weights[1.0 / sizes > threshold].sum()) / total
    average = float(np.sum(weights / sizes)) / total
    return RiskSummary(1.0 / float(sizes.min()), average, 1.0 / float(sizes.max()), at_risk)


def _smallest(values: np.ndarray) -> float:
    return float(values.min()) if values.size else 0.0


@dataclass(frozen=True, slots=True)
class Diversity:
    """l-diversity and t-closeness of one sensitive attribute over the classes."""

    attribute: str
    distinct_l: int
    entropy_l: float
    recursive_l: int
    c: float
    t_equal: float
    t_hierarchical: float | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "attribute": self.attribute,
            "distinct_l": self.distinct_l,
            "entropy_l": self.entropy_l,
            "recursive_l": self.recursive_l,
            "recursive_c": self.c,
            "t_closeness_equal": self.t_equal,
            "t_closeness_hierarchical": self.t_hierarchical,
        }


def diversity(attribute: SensitiveValues, classes: Classes, c: float = 3.0) -> Diversity:
    """The smallest l and the largest t over all classes (the table's l and t)."""
    pairs = models.class_values(attribute, classes.inverse, classes.count)
    reference = attribute.distribution
    hierarchical = (
        float(models.t_hierarchical(pairs, reference, attribute.hierarchy).max(initial=0.0))
        if attribute.hierarchy is not None
        else None
    )
    return Diversity(
        attribute.name,
        int(_smallest(models.distinct_l(pairs))),
        float(_smallest(models.entropy_l(pairs))),
        int(_smallest(models.recursive_l(pairs, c))),
        c,
        float(models.t_equal(pairs, reference).max(initial=0.0)),
        hierarchical,
    )


@dataclass(frozen=True, slots=True)
class AttributeRisk:
    """How well a combination of quasi-identifiers tells records apart."""

    columns: tuple[str, ...]
    distinction: float
    separation: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "columns": list(self.columns),
            "distinction": self.distinction,
            "separation": self.separation,
        }


def attribute_risks(
    columns: Sequence[EncodedColumn], limit: int = DEFAULT_COMBINATIONS
) -> tuple[list[AttributeRisk], int]:
    """Distinction and separation of QI combinations, smallest first, at most ``limit`` of them.

    Returns the results and the total number of combinations there are.
    """
    rows = columns[0].codes.size if columns else 0
    total = 2 ** len(columns) - 1
    if rows == 0:
        return [], total
    measure = _Measure(columns, rows)
    if total > limit:
        return _first_combinations(columns, limit, measure), total
    # Every combination: walk them depth first, extending the parent's key by one column.
    results: list[AttributeRisk] = []
    _walk(columns, (), None, 1, measure, results)
    order = {
        tuple(c.name for c in (columns[i] for i in combo)): n
        for n, combo in enumerate(
            itertools.chain.from_iterable(
                itertools.combinations(range(len(columns)), size)
                for size in range(1, len(columns) + 1)
            )
        )
    }
    results.sort(key=lambda r: order[r.columns])
    return results, total


@dataclass(frozen=True, slots=True)
class _Measure:
    """Distinction and separation of the key of one combination of columns."""

    columns: Sequence[EncodedColumn]
    rows: int

    def __call__(self, combo: tuple[int, ...], key: np.ndarray, space: int) -> AttributeRisk:
        _, sizes = count_keys(key, space)
        same = float(np.sum(sizes * (sizes - 1)))
        pairs = self.rows * (self.rows - 1)
        return AttributeRisk(
            tuple(self.columns[i].name for i in combo),
            sizes.size / self.rows,
            1.0 - same / pairs if pairs else 0.0,
        )


def _walk(
    columns: Sequence[EncodedColumn],
    prefix: tuple[int, ...],
    key: np.ndarray | None,
    space: int,
    measure: _Measure,
    results: list[AttributeRisk],
) -> None:
    """Measure every combination that extends ``prefix`` (whose key is ``key``)."""
    for index in range(prefix[-1] + 1 if prefix else 0, len(columns)):
        column = columns[index]
        radix = max(column.cardinality, 1)
        if key is None:
            child, child_space = column.codes.astype(np.int64), radix
        else:
            if space * radix >= 1 << 62:
                uniques, key = np.unique(key, return_inverse=True)
                space = int(uniques.size)
            child, child_space = key * radix + column.codes, space * radix
        combo = (*prefix, index)
        results.append(measure(combo, child, child_space))
        _walk(columns, combo, child, child_space, measure, results)


def _first_combinations(
    columns: Sequence[EncodedColumn], limit: int, measure: _Measure
) -> list[AttributeRisk]:
    """The first ``limit`` combinations, smallest first, each keyed from scratch."""
    results: list[AttributeRisk] = []
    for size in range(1, len(columns) + 1):
        for combo in itertools.combinations(range(len(columns)), size):
            if len(results) >= limit:
                return results
            key, space = combine(
                [columns[i].codes for i in combo], [columns[i].cardinality for i in combo]
            )
            results.append(measure(combo, key, space))
    return results


@dataclass(slots=True)
class RiskAssessment:
    """Everything ``labwarden privacy risk`` reports about one table."""

    source: str
    rows: int
    quasi_identifiers: list[str]
    threshold: float
    classes: int
    smallest_class: int
    largest_class: int
    average_class_size: float
    sample_uniqueness: float
    prosecutor: RiskSummary
    journalist: RiskSummary
    marketer: float
    population: population.PopulationUniqueness | None
    diversity: list[Diversity] = field(default_factory=list)
    attributes: list[AttributeRisk] = field(default_factory=list)
    combinations_total: int = 0
    class_sizes: np.ndarray | None = None
    subject_column: str | None = None

    @property
    def above_threshold(self) -> bool:
        """Whether the highest risk is above the threshold."""
        return self.prosecutor.highest > self.threshold

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "source": self.source,
            "rows": self.rows,
            "quasi_identifiers": self.quasi_identifiers,
            "subject_column": self.subject_column,
            "threshold": self.threshold,
            "above_threshold": self.above_threshold,
            "classes": self.classes,
            "k_anonymity": self.smallest_class,
            "largest_class": self.largest_class,
            "average_class_size": self.average_class_size,
            "sample_uniqueness": self.sample_uniqueness,
            "prosecutor": self.prosecutor.to_dict(),
            "journalist": self.journalist.to_dict(),
            "marketer": self.marketer,
            "population_uniqueness": self.population.to_dict() if self.population else None,
            "diversity": [d.to_dict() for d in self.diversity],
            "attributes": [a.to_dict() for a in self.attributes],
            "attribute_combinations": {
                "shown": len(self.attributes),
                "total": self.combinations_total,
            },
        }


def assess_classes(
    classes: Classes,
    quasi_identifiers: list[str],
    *,
    source: str = "",
    threshold: float = DEFAULT_THRESHOLD,
    population_size: float | None = None,
    sensitive: Sequence[SensitiveValues] = (),
    c: float = 3.0,
    people: np.ndarray | None = None,
    subject_column: str | None = None,
) -> RiskAssessment:
    """Risk measures of a partition into classes (rows with class -1 are left out).

    ``people`` (per class, aligned with ``classes.sizes``) counts distinct subjects when one
    subject has several rows; class sizes, uniqueness and the estimators then count people.
    """
    present = classes.sizes > 0
    rows_per_class = classes.sizes[present]
    sizes = people[present] if people is not None else rows_per_class
    rows = int(rows_per_class.sum())
    summary = summarize(sizes, threshold, rows_per_class)
    estimate = None
    sample = int(sizes.sum())
    if population_size is not None and sample:
        values, counts = np.unique(sizes, return_counts=True)
        estimate = population.estimate(values, counts, sample, max(population_size, sample))
    return RiskAssessment(
        source=source,
        rows=rows,
        quasi_identifiers=quasi_identifiers,
        threshold=threshold,
        classes=int(sizes.size),
        smallest_class=int(_smallest(sizes)),
        largest_class=int(sizes.max(initial=0)),
        average_class_size=float(sizes.mean()) if sizes.size else 0.0,
        sample_uniqueness=float(rows_per_class[sizes == 1].sum() / rows) if rows else 0.0,
        prosecutor=summary,
        journalist=summary,
        marketer=summary.average,
        population=estimate,
        diversity=[diversity(a, classes, c) for a in sensitive],
        class_sizes=sizes,
        subject_column=subject_column,
    )


def assess(
    columns: Sequence[EncodedColumn],
    *,
    source: str = "",
    threshold: float = DEFAULT_THRESHOLD,
    population_size: float | None = None,
    sensitive: Sequence[SensitiveValues] = (),
    c: float = 3.0,
    combinations: int = DEFAULT_COMBINATIONS,
    subjects: EncodedColumn | None = None,
) -> RiskAssessment:
    """The full risk analysis of rows given their encoded quasi-identifier columns.

    ``subjects`` identifies the person of each row when a person has several rows (SDTM
    findings domains): classes are then sized in people, not rows.
    """
    classes = equivalence_classes(
        [col.codes for col in columns], [col.cardinality for col in columns]
    )
    people = None
    if subjects is not None:
        space = classes.count * max(subjects.cardinality, 1)
        pairs, _ = count_keys(classes.inverse * subjects.cardinality + subjects.codes, space)
        people = np.bincount(pairs // max(subjects.cardinality, 1), minlength=classes.count)
    result = assess_classes(
        classes,
        [col.name for col in columns],
        source=source,
        threshold=threshold,
        population_size=population_size,
        sensitive=sensitive,
        c=c,
        people=people,
        subject_column=subjects.name if subjects is not None else None,
    )
    if combinations > 0:
        result.attributes, result.combinations_total = attribute_risks(columns, combinations)
    else:
        result.combinations_total = 2 ** len(columns) - 1
    return result


def sensitive_values(column: EncodedColumn, hierarchy: Any = None) -> SensitiveValues:
    """A sensitive attribute over rows (each row its own unit)."""
    rows = column.codes.size
    return SensitiveValues(
        column.name,
        np.arange(rows, dtype=np.int64),
        column.codes.astype(np.int64),
        np.ones(rows),
        max(column.cardinality, 1),
        column.values,
        hierarchy,
    )
