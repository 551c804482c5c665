"""Which original rows a leaked table holds, and whose marked copy it was taken from.

Rows are compared on the columns the two tables share, in canonical form (see
:mod:`~labwarden.trace.fingerprint.normalize`), through a 64-bit key per row: the sum of a keyed
hash of each cell, so that the key of a row without one column is one subtraction away. A leaked
row is *contained* when its key is an original row's, *near* when it equals one in all shared
columns but one (a mark, or an edit).

For each recipient, the marks of their copy (recomputed from the key) that survive the leak's
transformations give a set of row keys, and so do their canary rows; a leaked row with such a
key is a *hit*. An innocent recipient's key is independent of the leak, so the chance that a
given leaked row is a hit for them is computable from the original table alone: the rows one
cell away from it, times the chance that a random key marks that cell with that value, plus the
chance that a random canary row equals it. A hit on a row nobody else could produce is strong
evidence; a hit on a common row is weak. The score weighs each hit by ``-log`` of that chance;
its false-match probability is a Chernoff bound of the score under independent hits with those
chances, times the number of recipients (Bonferroni). Below ``alpha`` the recipient is named,
otherwise the answer is "unknown".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labwarden.trace.fingerprint.canary_rows import canary_rows
from labwarden.trace.fingerprint.frame import F64, U64, Frame, hash_values
from labwarden.trace.fingerprint.marks import MarkSpec, plan, spec_of
from labwarden.trace.fingerprint.normalize import Pair, pairs_of

DEFAULT_ALPHA = 1e-6
_WEIGHT_CAP = 40.0
_T_GRID = np.geomspace(1e-2, 4.0, 80)


@dataclass(slots=True)
class Keyed:
    """Row keys of a table over the shared columns, and each column's cell hashes."""

    keys: U64
    cells: list[U64]


def _salt(index: int) -> bytes:
    return f"lw-col-{index}".encode()


def keyed(frame: Frame, pairs: list[Pair], side: str) -> Keyed:
    """Row keys of ``frame`` (``side`` is ``leaked`` or ``original``)."""
    cells: list[U64] = []
    total = np.zeros(frame.rows, dtype=np.uint64)
    for position, item in enumerate(pairs):
        column = frame.columns[item.leaked if side == "leaked" else item.original]
        hashed = hash_values([item.canon(v) for v in column.values], _salt(position))
        row_hashes = hashed[column.codes]
        cells.append(row_hashes)
        total += row_hashes
    return Keyed(total, cells)


def cell_key(pairs: list[Pair], position: int, text: str) -> np.uint64:
    """The hash of one cell of shared column ``position``."""
    return np.uint64(hash_values([pairs[position].canon(text)], _salt(position))[0])


def _counter(keys: U64) -> tuple[U64, np.ndarray[Any, np.dtype[np.int64]]]:
    unique, counts = np.unique(keys, return_counts=True)
    return unique, counts.astype(np.int64)


def _count(table: tuple[U64, np.ndarray[Any, np.dtype[np.int64]]], keys: U64) -> F64:
    unique, counts = table
    if not len(unique):
        return np.zeros(len(keys))
    at = np.clip(np.searchsorted(unique, keys), 0, len(unique) - 1)
    return np.where(unique[at] == keys, counts[at], 0).astype(np.float64)


@dataclass(slots=True)
class Containment:
    """How much of the original a leak holds."""

    rows: int
    exact: int
    near: int
    original_rows: int
    columns: list[tuple[str, str, str]]
    expected_by_chance: float = 0.0
    """Rows an unrelated table with the original's column frequencies would match (exactly
    or nearly)."""
    expected_exact: float = 0.0
    """The same, exactly."""

    @property
    def significant(self) -> bool:
        """Whether the rows matched are far above what chance matches (few informative
        columns, such as one column of small numbers, match nearly anything)."""

        def above(seen: int, chance: float) -> bool:
            return seen > 2.0 * chance + 5.0 * math.sqrt(chance)

        return above(self.exact, self.expected_exact) or above(
            self.exact + self.near, self.expected_by_chance
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "leaked_rows": self.rows,
            "rows_exact": self.exact,
            "rows_near": self.near,
            "rows_expected_by_chance": round(self.expected_by_chance, 3),
            "fraction_of_leak": (self.exact + self.near) / max(1, self.rows),
            "fraction_of_original": min(1.0, (self.exact + self.near) / max(1, self.original_rows)),
            "columns": [
                {"leaked": a, "original": b, "transformation": c} for a, b, c in self.columns
            ],
        }


@dataclass(slots=True)
class Comparison:
    """A leaked table against one original: keys, containment and chance-hit probabilities."""

    original: Frame
    leaked: Frame
    pairs: list[Pair]
    ours: Keyed
    theirs: Keyed
    containment: Containment
    distinct: U64 = field(default_factory=lambda: np.zeros(0, np.uint64))
    chance: F64 = field(default_factory=lambda: np.zeros(0))
    weights: F64 = field(default_factory=lambda: np.zeros(0))


def chance_matches(ours: Keyed, theirs: Keyed, rows: int) -> tuple[float, float]:
    """The leaked rows expected to match an original row exactly, and exactly or in all
    columns but one, if the columns were independent draws from the original's frequencies."""
    size = max(1, rows)
    logs = np.stack(
        [
            np.log(np.maximum(_count(_counter(mine), cells) / size, 1e-300))
            for mine, cells in zip(ours.cells, theirs.cells, strict=True)
        ]
    )
    total = logs.sum(axis=0)
    exact = np.minimum(1.0, size * np.exp(total))
    chance = exact
    if len(logs) > 1:
        near = np.zeros(len(total))
        for row in logs:
            near += size * np.exp(total - row)
        chance = np.maximum(exact, np.minimum(1.0, near))
    return float(exact.sum()), float(chance.sum())


def compare(leaked: Frame, original: Frame) -> Comparison | None:
    """Compare a leak with an original; ``None`` when they share no column."""
    pairs = pairs_of(leaked, original)
    if not pairs:
        return None
    ours, theirs = keyed(original, pairs, "original"), keyed(leaked, pairs, "leaked")
    exact = np.isin(theirs.keys, ours.keys)
    near = np.zeros(leaked.rows, dtype=bool)
    if len(pairs) > 1:
        for position in range(len(pairs)):
            without = theirs.keys - theirs.cells[position]
            near |= np.isin(without, ours.keys - ours.cells[position])
    near &= ~exact
    columns = [
        (leaked.columns[p.leaked].name, original.columns[p.original].name, p.describe())
        for p in pairs
    ]
    containment = Containment(
        leaked.rows,
        int(exact.sum()),
        int(near.sum()),
        original.rows,
        columns,
    )
    containment.expected_exact, containment.expected_by_chance = chance_matches(
        ours, theirs, original.rows
    )
    return Comparison(original, leaked, pairs, ours, theirs, containment)


def chance_of_hit(comparison: Comparison, spec: MarkSpec, rate: float, canaries: int) -> None:
    """For each distinct leaked row, the chance that a random key's copy holds it as a marked
    row or a canary row (stored on ``comparison``)."""
    ours, theirs, pairs = comparison.ours, comparison.theirs, comparison.pairs
    distinct, first = np.unique(theirs.keys, return_index=True)
    whole = _counter(ours.keys)
    same = _count(whole, distinct)
    log_miss = np.zeros(len(distinct))
    log_canary = np.zeros(len(distinct))
    rows = max(1, comparison.original.rows)
    for position, item in enumerate(pairs):
        cells = theirs.cells[position][first]
        if item.original in spec.markable and len(pairs) > 1:
            per_cell = rate * spec.probability(item.original) / spec.width(item.original)
            around = _count(_counter(ours.keys - ours.cells[position]), distinct - cells) - same
            log_miss += np.maximum(around, 0.0) * math.log1p(-per_cell)
        frequency = _count(_counter(ours.cells[position]), cells)
        log_canary += np.log(np.maximum(frequency, 1.0) / (rows + 1))
    marked = -np.expm1(log_miss)
    comparison.distinct = distinct
    comparison.chance = np.minimum(1.0, marked + canaries * np.exp(log_canary))
    carried = rate * sum(spec.probability(p.original) for p in pairs)
    comparison.weights = weights_of(comparison.chance, carried)


def weights_of(chance: F64, carried: float) -> F64:
    """The weight of a hit on each row: the log-likelihood ratio of a hit when the copy is the
    recipient's (the row carries one of their marks with probability ``carried``, or is a
    chance hit) against a chance hit."""
    return np.minimum(_WEIGHT_CAP, np.log1p(carried / np.maximum(chance, 1e-300)))


@dataclass(slots=True)
class Evidence:
    """One recipient's marks in a leak."""

    recipient: str
    hits: int
    canary_hits: int
    expected_by_chance: float
    score: float
    bound: float
    false_match: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "recipient": self.recipient,
            "hits": self.hits,
            "canary_row_hits": self.canary_hits,
            "expected_by_chance": round(self.expected_by_chance, 3),
            "score": round(self.score, 3),
            "false_match_probability": self.false_match,
            "confidence": 1.0 - self.false_match,
        }


def recipient_keys(
    comparison: Comparison, spec: MarkSpec, key: bytes, rate: float, canaries: int
) -> tuple[U64, U64]:
    """The row keys of a recipient's visible marked rows and of their canary rows."""
    ours, pairs = comparison.ours, comparison.pairs
    position_of = {p.original: i for i, p in enumerate(pairs)}
    marks = plan(comparison.original, spec, key, rate)
    rows: list[int] = []
    positions: list[int] = []
    hashes: list[np.uint64] = []
    for row, column, old, new in zip(
        marks.rows.tolist(), marks.columns.tolist(), marks.old, marks.new, strict=True
    ):
        position = position_of.get(column)
        if position is None or pairs[position].canon(old) == pairs[position].canon(new):
            continue
        rows.append(row)
        positions.append(position)
        hashes.append(cell_key(pairs, position, new))
    marked = np.zeros(0, dtype=np.uint64)
    if rows:
        at = np.asarray(rows, dtype=np.int64)
        cells = np.stack(ours.cells)
        marked = ours.keys[at] - cells[np.asarray(positions), at] + np.asarray(hashes, np.uint64)
    extra = [
        np.add.reduce(
            np.asarray(
                [cell_key(pairs, i, cells_[p.original]) for i, p in enumerate(pairs)], np.uint64
            ),
            dtype=np.uint64,
        )
        for cells_ in canary_rows(comparison.original, key, canaries)
    ]
    return marked, np.asarray(extra, dtype=np.uint64)


def chernoff(score: float, chance: F64, weights: F64) -> float:
    """An upper bound of P(weighted chance hits >= score) under independent hits."""
    if score <= 0:
        return 1.0
    useful = chance < 1.0
    p, w = chance[useful], weights[useful]
    best = 0.0
    for t in _T_GRID:
        exponent = -t * score + float(np.log1p(p * np.expm1(t * w)).sum())
        best = min(best, exponent)
    return math.exp(best)


def evidence(
    comparison: Comparison, recipient: str, key: bytes, rate: float, bound: float, canaries: int
) -> Evidence:
    """The evidence that the leak comes from ``recipient``'s copy."""
    spec = spec_of(comparison.original, bound)
    if not len(comparison.chance):
        chance_of_hit(comparison, spec, rate, canaries)
    marked, extra = recipient_keys(comparison, spec, key, rate, canaries)
    distinct, chance = comparison.distinct, comparison.chance
    mark_hit = np.isin(distinct, marked)
    canary_hit = np.isin(distinct, extra)
    hit = mark_hit | canary_hit
    weights = comparison.weights
    score = float(weights[hit].sum())
    return Evidence(
        recipient,
        int(mark_hit.sum()),
        int(canary_hit.sum()),
        float(chance.sum()),
        score,
        chernoff(score, chance, weights),
    )


@dataclass(slots=True)
class Attribution:
    """The verdict over every recipient of one table."""

    verdict: str
    recipients: list[Evidence]
    alpha: float

    @property
    def named(self) -> list[Evidence]:
        """The recipients whose false-match probability is below ``alpha``."""
        return [e for e in self.recipients if e.false_match <= self.alpha]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        named = self.named
        return {
            "verdict": self.verdict,
            "recipient": named[0].recipient if len(named) == 1 else None,
            "colluders": [e.recipient for e in named] if len(named) > 1 else [],
            "alpha": self.alpha,
            "candidates": [e.to_dict() for e in self.recipients],
        }


def attribute(found: list[Evidence], alpha: float = DEFAULT_ALPHA) -> Attribution:
    """Rank recipients and decide: one named, several (collusion or several leaks), or none."""
    for item in found:
        item.false_match = min(1.0, item.bound * max(1, len(found)))
    ranked = sorted(found, key=lambda e: (e.false_match, -e.score, e.recipient))
    named = [e for e in ranked if e.false_match <= alpha]
    verdict = "attributed" if len(named) == 1 else "collusion" if named else "unknown"
    return Attribution(verdict, ranked, alpha)
