"""Assess one table file: read the needed columns, suggest QIs when none are given, measure risk."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labwarden.core.errors import InputError
from labwarden.privacy import risk, safe_harbor, suggest
from labwarden.privacy.encoding import encode_table
from labwarden.privacy.hierarchies import hierarchy_from_spec
from labwarden.privacy.io import read_columns, read_table


@dataclass(slots=True)
class FileAssessment:
    """The risk of a file, the column roles suggested, and its Safe Harbor issues."""

    risk: risk.RiskAssessment
    suggestions: list[suggest.Suggestion] = field(default_factory=list)
    safe_harbor: list[safe_harbor.SafeHarborIssue] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        document = self.risk.to_dict()
        document["sensitive"] = self.sensitive
        document["suggestions"] = [s.to_dict() for s in self.suggestions]
        document["safe_harbor"] = [i.to_dict() for i in self.safe_harbor]
        return document


def population_size(rows: int, fraction: float | None, size: float | None) -> float | None:
    """The population size from ``--population-fraction`` or ``--population``."""
    if fraction is not None and size is not None:
        raise InputError("give either --population-fraction or --population, not both")
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise InputError(f"--population-fraction must be in (0, 1], not {fraction}")
        return rows / fraction
    if size is not None:
        if size < rows:
            raise InputError(f"--population {size:g} is smaller than the {rows} rows of the sample")
        return size
    return None


def assess_file(
    path: Path,
    quasi_identifiers: Sequence[str] | None = None,
    sensitive: Sequence[str] | None = None,
    *,
    threshold: float = risk.DEFAULT_THRESHOLD,
    population_fraction: float | None = None,
    population: float | None = None,
    hierarchies: Mapping[str, str] | None = None,
    c: float = 3.0,
    combinations: int = risk.DEFAULT_COMBINATIONS,
    check_safe_harbor: bool = True,
    subject: str | None = None,
    encoding: str = "utf-8",
) -> FileAssessment:
    """The full risk analysis of ``path``; QIs and sensitive columns are suggested if not given."""
    if not 0 < threshold <= 1:
        raise InputError(f"--threshold must be in (0, 1], not {threshold}")
    names = read_columns(path, encoding)
    suggestions: list[suggest.Suggestion] = []
    whole = check_safe_harbor or quasi_identifiers is None
    table = read_table(path, encoding=encoding) if whole else None
    if quasi_identifiers is None or sensitive is None:
        suggestions = (
            suggest.suggest(table) if table is not None else suggest.suggest_from_names(names)
        )
    qis = (
        list(quasi_identifiers)
        if quasi_identifiers is not None
        else suggest.of_role(suggestions, suggest.Role.QUASI)
    )
    if not qis:
        raise InputError(f"{path}: no quasi-identifiers given or recognized; pass --qi COL,...")
    chosen_sensitive = (
        list(sensitive)
        if sensitive is not None
        else [s for s in suggest.of_role(suggestions, suggest.Role.SENSITIVE) if s not in qis]
    )
    if subject is not None and (subject in qis or subject in chosen_sensitive):
        raise InputError(f"{subject}: the subject column cannot be a QI or sensitive column")
    overlap = set(qis) & set(chosen_sensitive)
    if overlap:
        raise InputError(f"{', '.join(sorted(overlap))}: a column cannot be both QI and sensitive")
    if table is None:
        table = read_table(
            path,
            columns=[*qis, *chosen_sensitive, *([subject] if subject else [])],
            encoding=encoding,
        )
    else:
        wanted = [*qis, *chosen_sensitive, *([subject] if subject else [])]
        missing = [c for c in wanted if c not in table.column_names]
        if missing:
            raise InputError(
                f"{path}: unknown column(s) {', '.join(missing)} (the file has: "
                f"{', '.join(table.column_names)})"
            )
    specs = dict(hierarchies or {})
    stray = [c for c in specs if c not in chosen_sensitive]
    if stray:
        raise InputError(
            f"--hierarchy in a risk analysis is for sensitive columns (hierarchical "
            f"t-closeness); {', '.join(stray)} is not one"
        )
    columns = encode_table(table, qis)
    sensitive_columns = encode_table(table, chosen_sensitive)
    attributes = [
        risk.sensitive_values(
            col,
            hierarchy_from_spec(col.name, col.values, specs[col.name])
            if col.name in specs
            else None,
        )
        for col in sensitive_columns
    ]
    result = risk.assess(
        columns,
        source=str(path),
        threshold=threshold,
        population_size=population_size(table.num_rows, population_fraction, population),
        sensitive=attributes,
        c=c,
        combinations=combinations,
        subjects=encode_table(table, [subject])[0] if subject else None,
    )
    issues = safe_harbor.check(table) if check_safe_harbor else []
    return FileAssessment(result, suggestions, issues, chosen_sensitive)
