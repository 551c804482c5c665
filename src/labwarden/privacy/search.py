"""Optimal generalization: a lattice search over hierarchy levels with monotonicity pruning.

Like ARX's FLASH, the search relies on monotonicity: if a node satisfies the privacy model, so
does every more general node, and the information loss only grows with generalization. Unlike
FLASH, which walks paths and then compares every minimal anonymous node, the search is a branch
and bound on the loss: the lowest-loss passing node found so far bounds the candidates; a
candidate that fails removes every node below it, one that passes is greedily lowered and
becomes the new bound. The optimum is the same, with few checks in practice.

Entropy/recursive l-diversity and t-closeness are not monotonic once rows may be suppressed (a
merged class can fail although some of its parts passed); for them nodes are checked in order
of increasing loss, the first that passes being optimal, still pruning below every node that
fails k-anonymity. Each check works on the distinct quasi-identifier tuples, not on rows.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from labwarden.core.errors import InputError
from labwarden.privacy import models
from labwarden.privacy.classes import Classes, combine, count_keys, group_keys
from labwarden.privacy.criteria import Criteria
from labwarden.privacy.hierarchies import Hierarchy
from labwarden.privacy.models import SensitiveValues

log = logging.getLogger(__name__)

MAX_NODES = 4_000_000


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A node checked against the criteria."""

    levels: tuple[int, ...]
    classes: Classes
    ok: np.ndarray
    suppressed: int
    satisfied: bool
    anonymous: bool
    """Whether k-anonymity (and the risk limit) alone hold within the suppression limit; this
    part is monotonic even when the whole model is not."""


@dataclass(slots=True)
class Microdata:
    """The distinct quasi-identifier tuples of a table ("units") with their row counts."""

    codes: list[np.ndarray]
    weights: np.ndarray
    row_unit: np.ndarray
    hierarchies: list[Hierarchy]
    sensitive: list[SensitiveValues] = field(default_factory=list)
    subjects: SensitiveValues | None = None
    """Who each row belongs to, when subjects have several rows (k counts people)."""
    _cache: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> int:
        """Rows in the table."""
        return int(self.row_unit.size)

    def classes(self, levels: Sequence[int]) -> Classes:
        """Equivalence classes of the units when each column is generalized to ``levels``."""
        columns = []
        cards = []
        for column, (hierarchy, level) in enumerate(zip(self.hierarchies, levels, strict=True)):
            generalized = self._cache.get((column, level))
            if generalized is None:
                generalized = hierarchy.maps[level][self.codes[column]].astype(np.int64)
                self._cache[(column, level)] = generalized
            columns.append(generalized)
            cards.append(len(hierarchy.labels[level]))
        key, space = combine(columns, cards)
        return group_keys(key, space, weights=self.weights)

    def evaluate(self, levels: Sequence[int], criteria: Criteria) -> Evaluation:
        """Check ``levels`` against ``criteria``."""
        classes = self.classes(levels)
        budget = criteria.allowed_suppression(self.rows)
        people = None
        if self.subjects is not None:
            pairs = models.class_values(self.subjects, classes.inverse, classes.count)
            people = models.distinct_l(pairs)
        ok = criteria.class_ok(classes.sizes, classes.inverse, self.sensitive, budget, people)
        suppressed = int(classes.sizes[~ok].sum())
        large = (classes.sizes if people is None else people) >= criteria.effective_k
        anonymous = float(classes.sizes[~large].sum()) <= budget
        return Evaluation(tuple(levels), classes, ok, suppressed, suppressed <= budget, anonymous)


def microdata(
    codes: Sequence[np.ndarray],
    hierarchies: Sequence[Hierarchy],
    sensitive_codes: Sequence[tuple[str, np.ndarray, list[str], Hierarchy | None]] = (),
    subject_codes: tuple[str, np.ndarray, list[str]] | None = None,
) -> Microdata:
    """Group rows into units (distinct tuples) once; sensitive values become unit triples.

    ``subject_codes`` (name, codes, values) makes k-anonymity count distinct subjects.
    """
    cards = [len(h.labels[0]) for h in hierarchies]
    key, space = combine(list(codes), cards)
    base = group_keys(key, space)
    units = base.count
    representative = np.zeros(units, dtype=np.int64)
    representative[base.inverse] = np.arange(base.inverse.size)
    unit_codes = [np.asarray(c)[representative] for c in codes]

    def triples(
        name: str, values: np.ndarray, labels: list[str], hierarchy: Hierarchy | None
    ) -> SensitiveValues:
        card = max(len(labels), 1)
        uniques, counts = count_keys(base.inverse * card + values, units * card)
        return SensitiveValues(
            name, uniques // card, uniques % card, counts, card, labels, hierarchy
        )

    sensitive = [triples(n, v, lab, h) for n, v, lab, h in sensitive_codes]
    subjects = triples(*subject_codes, None) if subject_codes is not None else None
    return Microdata(
        unit_codes,
        base.sizes.astype(np.float64),
        base.inverse,
        list(hierarchies),
        sensitive,
        subjects,
    )


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The optimal node and how the search went."""

    best: Evaluation
    loss: float
    nodes: int
    checked: int
    pruned: int


def lattice(heights: Sequence[int]) -> np.ndarray:
    """Every combination of levels (one row per node), the all-zero node first."""
    total = math.prod(heights)
    if total > MAX_NODES:
        raise InputError(
            f"the generalization lattice has {total:,} nodes (more than {MAX_NODES:,}); use "
            "fewer quasi-identifiers or hierarchies with fewer levels"
        )
    grids = np.indices(tuple(heights), dtype=np.int16).reshape(len(heights), -1)
    return grids.T.copy()


def search(data: Microdata, criteria: Criteria, costs: Sequence[np.ndarray]) -> SearchResult:
    """The node with the least loss (``costs[column][level]`` summed) that meets ``criteria``."""
    heights = [h.levels for h in data.hierarchies]
    nodes = lattice(heights)
    loss = np.zeros(nodes.shape[0])
    for column, table in enumerate(costs):
        loss += table[nodes[:, column]]
    state = _Search(data, criteria, nodes, loss, heights)
    best = state.branch_and_bound() if criteria.monotonic else state.by_loss()
    evaluation = state.evaluations.get(best) or data.evaluate(state.levels(best), criteria)
    log.info("lattice of %d nodes: %d checked", nodes.shape[0], state.checked)
    return SearchResult(
        evaluation,
        float(loss[best]),
        int(nodes.shape[0]),
        state.checked,
        int(nodes.shape[0]) - state.checked,
    )


class _Search:
    """The state of one search: node statuses (1 passes, -1 fails, 0 unknown) and counters."""

    def __init__(
        self,
        data: Microdata,
        criteria: Criteria,
        nodes: np.ndarray,
        loss: np.ndarray,
        heights: Sequence[int],
    ) -> None:
        self.data = data
        self.criteria = criteria
        self.nodes = nodes
        self.loss = loss
        self.height = nodes.sum(axis=1, dtype=np.int64)
        self.strides = [math.prod(heights[i + 1 :]) for i in range(len(heights))]
        self.status = np.zeros(nodes.shape[0], dtype=np.int8)
        self.evaluations: dict[int, Evaluation] = {}
        self.checked = 0

    def levels(self, index: int) -> tuple[int, ...]:
        """The levels of node ``index``."""
        return tuple(int(v) for v in self.nodes[index])

    def _evaluate(self, index: int) -> Evaluation:
        self.checked += 1
        return self.data.evaluate(self.levels(index), self.criteria)

    def _fail_below(self, index: int) -> None:
        self.status[np.all(self.nodes <= self.nodes[index], axis=1)] = -1

    def test(self, index: int) -> bool:
        """Whether a node passes, marking every node above a pass and below a failure."""
        if self.status[index] != 0:
            return bool(self.status[index] == 1)
        evaluation = self._evaluate(index)
        if evaluation.satisfied:
            self.evaluations[index] = evaluation
            self.status[np.all(self.nodes >= self.nodes[index], axis=1)] = 1
        else:
            self._fail_below(index)
        return evaluation.satisfied

    def lower(self, index: int) -> int:
        """Walk down from a passing node while some direct predecessor passes."""
        while True:
            below = [
                index - self.strides[c]
                for c in range(self.nodes.shape[1])
                if self.nodes[index, c] > 0
            ]
            below.sort(key=lambda i: (self.loss[i], self.height[i]))
            for candidate in below:
                if self.test(candidate):
                    index = candidate
                    break
            else:
                return index

    def branch_and_bound(self) -> int:
        """Monotonic models: the best passing node bounds the candidates; failures prune."""
        top = self.nodes.shape[0] - 1
        if not self.test(top):
            raise _no_solution(self.criteria)
        best = self.lower(top)
        while True:
            bound = self.loss[best] - 1e-9 * abs(self.loss[best])
            candidates = np.flatnonzero((self.status == 0) & (self.loss < bound))
            if candidates.size == 0:
                return best
            order = np.lexsort((-self.loss[candidates], -self.height[candidates]))
            pick = int(candidates[order[0]])
            if self.test(pick):
                best = self.lower(pick)

    def by_loss(self) -> int:
        """Models that are not monotonic with suppression (entropy/recursive l, t-closeness).

        Nodes are checked in order of increasing loss, so the first that passes is optimal;
        k-anonymity alone is still monotonic, so a node failing it rules out all below it.
        """
        for index in np.lexsort((self.height, self.loss)):
            node = int(index)
            if self.status[node] == -1:
                continue
            evaluation = self._evaluate(node)
            if evaluation.satisfied:
                self.evaluations[node] = evaluation
                return node
            if not evaluation.anonymous:
                self._fail_below(node)
        raise _no_solution(self.criteria)


def _no_solution(criteria: Criteria) -> InputError:
    return InputError(
        f"no generalization meets {criteria.describe()}; allow more suppression or relax the model"
    )
