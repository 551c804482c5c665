"""HIPAA Safe Harbor (45 CFR 164.514(b)(2)): which of the 18 identifiers a table still holds.

Checks column content (and names where content cannot tell): names, e-mail, phone, SSN, URLs,
IP addresses, ZIP codes with more than three digits, dates more precise than a year, and ages
over 89.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

_SAMPLE = 20000

_CONTENT: list[tuple[str, str, re.Pattern[str], str]] = [
    (
        "e-mail addresses",
        "(F) electronic mail addresses",
        re.compile(r"^[\w.+-]+@[\w-]+\.[\w.-]+$"),
        "remove the column",
    ),
    (
        "social security numbers",
        "(G) social security numbers",
        re.compile(r"^\d{3}-\d{2}-\d{4}$"),
        "remove the column",
    ),
    (
        "telephone numbers",
        "(D) telephone numbers",
        re.compile(r"^\+?\(?\d{2,4}\)?[ -]\d{3,4}[ -]\d{3,4}$"),
        "remove the column",
    ),
    ("URLs", "(N) web URLs", re.compile(r"^https?://"), "remove the column"),
    (
        "IP addresses",
        "(O) IP addresses",
        re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"),
        "remove the column",
    ),
    (
        "dates more precise than the year",
        "(C) dates (except year) related to an individual",
        re.compile(r"^\d{4}-\d{2}(-\d{2})?"),
        "keep the year only (date:year hierarchy)",
    ),
]
_ZIP_NAME = re.compile(r"zip|postcode|postal", re.IGNORECASE)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_NAME_COLUMN = re.compile(r"^(first|last|full|sur|given|family)?_?name$|^invnam$", re.IGNORECASE)
_AGE_COLUMN = re.compile(r"^age(_?years)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SafeHarborIssue:
    """One Safe Harbor identifier found in one column."""

    column: str
    identifier: str
    evidence: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dictionary."""
        return {
            "column": self.column,
            "identifier": self.identifier,
            "evidence": self.evidence,
            "fix": self.fix,
        }


def _values(table: pa.Table, column: str) -> pa.Array:
    data = table.column(column).slice(0, _SAMPLE).drop_null()
    if data.num_chunks == 0:
        return pa.array([], pa.string())
    values = pc.utf8_trim_whitespace(pa.concat_arrays(data.chunks))
    return values.filter(pc.not_equal(values, ""))


def _hits(values: pa.Array, pattern: re.Pattern[str]) -> int:
    if len(values) == 0:
        return 0
    return int(pc.sum(pc.match_substring_regex(values, pattern.pattern)).as_py() or 0)


def check(table: pa.Table) -> list[SafeHarborIssue]:
    """The Safe Harbor identifiers in ``table`` (text columns), one issue per column and kind."""
    issues: list[SafeHarborIssue] = []
    for column in table.column_names:
        values = _values(table, column)
        if len(values) == 0:
            continue
        if _NAME_COLUMN.search(column):
            issues.append(SafeHarborIssue(column, "(A) names", "column name", "remove the column"))
        for label, identifier, pattern, fix in _CONTENT:
            hits = _hits(values, pattern)
            if hits and hits >= 0.5 * len(values):
                issues.append(
                    SafeHarborIssue(
                        column, identifier, f"{hits} of {len(values)} values are {label}", fix
                    )
                )
                break
        zips = _hits(values, _ZIP)
        if zips and (_ZIP_NAME.search(column) or zips == len(values)) and zips >= 0.5 * len(values):
            issues.append(
                SafeHarborIssue(
                    column,
                    "(B) geographic subdivisions smaller than a state",
                    f"{zips} of {len(values)} values are 5-digit ZIP codes",
                    "keep the first 3 digits (000 for areas under 20,000 people): mask:2 hierarchy",
                )
            )
        if _AGE_COLUMN.search(column):
            numbers = (
                pc.cast(values, pa.float64(), safe=False)
                if _hits(values, re.compile(r"^\d+(\.\d+)?$")) == len(values)
                else None
            )
            if numbers is not None:
                old = int(pc.sum(pc.greater(numbers, 89)).as_py() or 0)
                if old:
                    issues.append(
                        SafeHarborIssue(
                            column,
                            "(C) ages over 89",
                            f"{old} values above 89",
                            "aggregate ages 90 and over into one category",
                        )
                    )
    return issues
