"""Score flagged lines against labelled regions: precision, recall, per family.

A positive region counts as found when any flagged line falls inside it. A flagged line inside
a decoy region, or on a line outside every region, is a false positive (once per region or
line). Families are scored on their own positives and decoys.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.secrets.tools import Hits, Run


@dataclass
class Score:
    """Counts for one tool on one labelled set."""

    tool: str
    cpu_seconds: float
    tp: int = 0
    fp: int = 0
    fn: int = 0
    family_tp: Counter[str] = field(default_factory=Counter)
    family_fp: Counter[str] = field(default_factory=Counter)
    family_fn: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    false: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        """TP / (TP + FP)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Region:
    """A labelled span of lines in one file."""

    file: str
    first: int
    last: int
    label: int
    family: str
    kind: str


def read_labels(path: Path) -> list[Region]:
    """The regions of a labels CSV (without a family column, each kind is its own family)."""
    with path.open(encoding="utf-8") as handle:
        return [
            Region(r["file"], int(r["first_line"]), int(r["last_line"]), int(r["label"]),
                   r.get("family") or r["kind"], r["kind"])
            for r in csv.DictReader(handle)
        ]  # fmt: skip


def score(run: Run, regions: list[Region]) -> Score:
    """Score one tool's run."""
    result = Score(run.tool, run.cpu_seconds)
    by_file: dict[str, list[Region]] = {}
    for region in regions:
        by_file.setdefault(region.file, []).append(region)
    found = _attribute(run.hits, by_file, result)
    for region in regions:
        if region.label != 1:
            continue
        if region in found:
            result.tp += 1
            result.family_tp[region.family] += 1
        else:
            result.fn += 1
            result.family_fn[region.family] += 1
            result.missed[
                f"{region.family}: {region.kind} ({Path(region.file).suffix or region.file})"
            ] += 1
    return result


def _attribute(hits: Hits, by_file: dict[str, list[Region]], result: Score) -> set[Region]:
    found: set[Region] = set()
    false: set[object] = set()
    for name, line in sorted(hits):
        region = next((g for g in by_file.get(name, []) if g.first <= line <= g.last), None)
        if region is None:
            if (name, line) not in false:
                false.add((name, line))
                result.fp += 1
                result.false["(ordinary line)"] += 1
        elif region.label == 1:
            found.add(region)
        elif region not in false:
            false.add(region)
            result.fp += 1
            result.family_fp[region.family] += 1
            result.false[f"{region.family}: {region.kind}"] += 1
    return found
