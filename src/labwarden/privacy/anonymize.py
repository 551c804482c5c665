"""Anonymize a table to a privacy model: read, encode, search the lattice, write the result."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from labwarden.core.errors import InputError
from labwarden.privacy import metrics, risk
from labwarden.privacy.choices import Metric
from labwarden.privacy.classes import Classes, count_keys
from labwarden.privacy.criteria import Criteria
from labwarden.privacy.encoding import EncodedColumn, encode_table
from labwarden.privacy.hierarchies import TOP, Hierarchy, hierarchy_from_spec, suppression_hierarchy
from labwarden.privacy.io import as_text, read_table, write_table
from labwarden.privacy.search import microdata, search

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Anonymization:
    """The outcome: the chosen levels, what was suppressed, loss and risk before and after."""

    source: str
    criteria: Criteria
    metric: Metric
    quasi_identifiers: list[str]
    hierarchies: list[Hierarchy]
    levels: tuple[int, ...]
    suppressed: int
    rows: int
    threshold: float
    initial: risk.RiskAssessment
    residual: risk.RiskAssessment
    loss: dict[str, float]
    lattice_nodes: int
    checked: int
    seconds: float
    table: pa.Table | None = None
    output: str | None = None
    dropped: list[str] = field(default_factory=list)

    def generalization(self) -> list[dict[str, Any]]:
        """Per quasi-identifier: the hierarchy, the level chosen and an example value."""
        rows = []
        for column, hierarchy, level in zip(
            self.quasi_identifiers, self.hierarchies, self.levels, strict=True
        ):
            rows.append(
                {
                    "column": column,
                    "hierarchy": hierarchy.source,
                    "level": level,
                    "max_level": hierarchy.max_level,
                    "example": hierarchy.labels[level][0] if hierarchy.labels[level] else "",
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dictionary."""
        return {
            "source": self.source,
            "output": self.output,
            "criteria": self.criteria.describe(),
            "metric": self.metric.value,
            "threshold": self.threshold,
            "rows": self.rows,
            "suppressed": self.suppressed,
            "suppressed_fraction": self.suppressed / self.rows if self.rows else 0.0,
            "levels": list(self.levels),
            "generalization": self.generalization(),
            "dropped_columns": self.dropped,
            "information_loss": self.loss,
            "initial_risk": _risk_brief(self.initial),
            "residual_risk": _risk_brief(self.residual),
            "search": {
                "lattice_nodes": self.lattice_nodes,
                "checked": self.checked,
                "seconds": self.seconds,
            },
        }


def _risk_brief(assessment: risk.RiskAssessment) -> dict[str, Any]:
    return {
        "rows": assessment.rows,
        "classes": assessment.classes,
        "k_anonymity": assessment.smallest_class,
        "subject_column": assessment.subject_column,
        "sample_uniqueness": assessment.sample_uniqueness,
        "prosecutor": assessment.prosecutor.to_dict(),
        "above_threshold": assessment.above_threshold,
        "diversity": [d.to_dict() for d in assessment.diversity],
    }


def build_hierarchies(
    columns: Sequence[EncodedColumn], specs: Mapping[str, str]
) -> list[Hierarchy]:
    """A hierarchy per column from ``specs`` (file or generator); suppression-only otherwise."""
    return [
        hierarchy_from_spec(c.name, c.values, specs[c.name])
        if c.name in specs
        else suppression_hierarchy(c.name, c.values)
        for c in columns
    ]


def anonymize(
    path: Path,
    quasi_identifiers: list[str],
    criteria: Criteria,
    *,
    hierarchies: Mapping[str, str] | None = None,
    sensitive: Sequence[str] = (),
    metric: Metric = Metric.ENTROPY,
    threshold: float = risk.DEFAULT_THRESHOLD,
    drop: Sequence[str] = (),
    output: Path | None = None,
    subject: str | None = None,
    encoding: str = "utf-8",
) -> Anonymization:
    """Find the least-loss generalization of ``path`` meeting ``criteria``; write ``output``.

    With ``subject`` (a column naming the person of each row) k-anonymity and the risk limit
    count distinct people per class, for tables with several rows per subject.
    """
    started = time.perf_counter()
    specs = dict(hierarchies or {})
    _check_names(path, quasi_identifiers, sensitive, specs)
    if criteria.needs_sensitive and not sensitive:
        raise InputError("l-diversity and t-closeness need --sensitive COL")
    raw = read_table(path, text=False, encoding=encoding)
    table = raw
    wanted = [*quasi_identifiers, *sensitive, *drop, *([subject] if subject else [])]
    unknown = [c for c in wanted if c not in table.column_names]
    if unknown:
        raise InputError(
            f"{path}: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(the file has: {', '.join(table.column_names)})"
        )
    kept_ids = set(drop) & {*quasi_identifiers, *sensitive}
    if kept_ids:
        raise InputError(f"{', '.join(sorted(kept_ids))}: cannot both drop and use a column")
    if subject is not None and subject in {*quasi_identifiers, *sensitive}:
        raise InputError(f"{subject}: the subject column cannot be a QI or sensitive column")
    needed = list(dict.fromkeys([*quasi_identifiers, *sensitive, *([subject] if subject else [])]))
    table = as_text(raw.select(needed))
    subjects = encode_table(table, [subject])[0] if subject else None
    columns = encode_table(table, quasi_identifiers)
    chosen = build_hierarchies(columns, specs)
    sensitive_columns = encode_table(table, list(sensitive))
    sensitive_hierarchies = [
        hierarchy_from_spec(c.name, c.values, specs[c.name]) if c.name in specs else None
        for c in sensitive_columns
    ]
    data = microdata(
        [c.codes for c in columns],
        chosen,
        [
            (c.name, c.codes.astype(np.int64), c.values, h)
            for c, h in zip(sensitive_columns, sensitive_hierarchies, strict=True)
        ],
        (subjects.name, subjects.codes.astype(np.int64), subjects.values) if subjects else None,
    )
    counts = [metrics.value_counts(c.codes, c.cardinality) for c in columns]
    costs = [metrics.level_costs(metric, n, h) for n, h in zip(counts, chosen, strict=True)]
    result = search(data, criteria, costs)
    best = result.best
    row_class = np.where(best.ok[best.classes.inverse], best.classes.inverse, -1)[data.row_unit]
    sensitive_rows = [
        risk.sensitive_values(c, h)
        for c, h in zip(sensitive_columns, sensitive_hierarchies, strict=True)
    ]
    initial = risk.assess(
        columns,
        source=str(path),
        threshold=threshold,
        sensitive=sensitive_rows,
        c=criteria.c,
        combinations=0,
        subjects=subjects,
    )
    released = _compact(row_class, best.classes.count)
    residual = risk.assess_classes(
        released,
        quasi_identifiers,
        source=str(path),
        threshold=threshold,
        sensitive=sensitive_rows,
        c=criteria.c,
        people=_people(released, subjects) if subjects is not None else None,
        subject_column=subject,
    )
    loss = _loss_report(best.levels, counts, chosen, best.suppressed, released.sizes, data.rows)
    anonymized = apply(raw, columns, chosen, best.levels, row_class < 0, list(drop))
    outcome = Anonymization(
        source=str(path),
        criteria=criteria,
        metric=metric,
        quasi_identifiers=quasi_identifiers,
        hierarchies=chosen,
        levels=best.levels,
        suppressed=best.suppressed,
        rows=data.rows,
        threshold=threshold,
        initial=initial,
        residual=residual,
        loss=loss,
        lattice_nodes=result.nodes,
        checked=result.checked,
        seconds=time.perf_counter() - started,
        table=anonymized,
        dropped=list(drop),
    )
    if output is not None:
        write_table(anonymized, output)
        outcome.output = str(output)
    return outcome


def _people(classes: Classes, subjects: EncodedColumn) -> np.ndarray:
    """Distinct subjects per class (rows outside every class are ignored)."""
    inside = classes.inverse >= 0
    card = max(subjects.cardinality, 1)
    pairs, _ = count_keys(
        classes.inverse[inside] * card + subjects.codes[inside], classes.count * card
    )
    return np.bincount(pairs // card, minlength=classes.count)


def _compact(row_class: np.ndarray, classes: int) -> Classes:
    """Released rows' classes numbered without gaps (suppressed classes removed)."""
    sizes = np.bincount(row_class[row_class >= 0], minlength=classes)
    present = sizes > 0
    remap = np.where(present, np.cumsum(present) - 1, -1)
    inverse = np.where(row_class >= 0, remap[np.maximum(row_class, 0)], -1)
    return Classes(inverse, sizes[present])


def _check_names(
    path: Path, qis: Sequence[str], sensitive: Sequence[str], specs: Mapping[str, str]
) -> None:
    if not qis:
        raise InputError("give at least one quasi-identifier with --qi")
    both = set(qis) & set(sensitive)
    if both:
        raise InputError(f"{', '.join(sorted(both))}: a column cannot be both --qi and --sensitive")
    stray = [c for c in specs if c not in qis and c not in sensitive]
    if stray:
        raise InputError(
            f"--hierarchy given for {', '.join(stray)}, which is neither a --qi nor a --sensitive "
            f"column of {path}"
        )


def _loss_report(
    levels: Sequence[int],
    counts: Sequence[np.ndarray],
    hierarchies: Sequence[Hierarchy],
    suppressed: int,
    sizes: np.ndarray,
    rows: int,
) -> dict[str, float]:
    def total(metric: Metric) -> float:
        return float(
            sum(
                metrics.level_costs(metric, n, h)[lv]
                for n, h, lv in zip(counts, hierarchies, levels, strict=True)
            )
        )

    columns = max(len(levels), 1)
    kept = (rows - suppressed) / rows if rows else 0.0
    share = suppressed / rows if rows else 0.0
    loss = total(Metric.LOSS) / columns
    precision = total(Metric.PRECISION) / columns
    return {
        "non_uniform_entropy": total(Metric.ENTROPY),
        "loss": loss,
        "loss_with_suppression": loss * kept + share,
        "precision": precision,
        "precision_with_suppression": precision * kept + share,
        "discernability": metrics.discernability(sizes[sizes > 0], suppressed, rows),
        "average_class_size": metrics.average_class_size(sizes[sizes > 0]),
        "height": total(Metric.HEIGHT),
    }


def apply(
    table: pa.Table,
    columns: Sequence[EncodedColumn],
    hierarchies: Sequence[Hierarchy],
    levels: Sequence[int],
    suppressed: np.ndarray,
    drop: Sequence[str] = (),
) -> pa.Table:
    """``table`` with quasi-identifiers generalized, suppressed rows starred, ``drop`` removed."""
    replaced = {}
    for column, hierarchy, level in zip(columns, hierarchies, levels, strict=True):
        labels = hierarchy.labels[level]
        indices = hierarchy.maps[level][column.codes].astype(np.int32)
        indices = np.where(suppressed, len(labels), indices)
        dictionary = pa.array([*labels, TOP], pa.string())
        replaced[column.name] = pa.DictionaryArray.from_arrays(
            pa.array(indices, pa.int32()), dictionary
        ).cast(pa.string())
    arrays = []
    names = []
    for name in table.column_names:
        if name in drop:
            continue
        names.append(name)
        arrays.append(replaced.get(name, table.column(name)))
    return pa.table(arrays, names=names)


def percent(text: str) -> float:
    """``5%`` or ``0.05`` as a fraction; raises :class:`InputError` on anything else."""
    value = text.strip()
    try:
        number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise InputError(f"{text!r} is not a percentage (like 5% or 0.05)") from None
    if not (0 <= number <= 1) or math.isnan(number):
        raise InputError(f"{text!r} must be between 0% and 100%")
    return number
