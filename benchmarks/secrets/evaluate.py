"""Precision and recall of labwarden and its peers on the first development set (``dataset.py``).

Run: ``.venv/bin/python -m benchmarks.secrets.evaluate`` (builds the set first). The peers run
from their own venv (see :mod:`benchmarks.secrets.tools`). This set was written with the rules
and tuned on: it shows coverage, not an unbiased estimate (``compare`` has the held-out sets).
"""

from __future__ import annotations

from benchmarks.secrets.dataset import ROOT, build
from benchmarks.secrets.score import Score, read_labels, score
from benchmarks.secrets.tools import available


def report(title: str, scores: list[Score]) -> list[str]:
    """A table of the scores and what each tool missed and flagged wrongly."""
    lines = [
        title,
        "",
        "| tool | precision | recall | F1 | TP | FP | FN |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.tool} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | {s.fn} |"
        for s in scores
    ]
    for s in scores:
        missed = ", ".join(f"{k} {n}" for k, n in s.missed.most_common()) or "none"
        false = ", ".join(f"{k} {n}" for k, n in s.false.most_common()) or "none"
        lines += ["", f"{s.tool} misses: {missed}", f"{s.tool} false positives: {false}"]
    return lines


def main() -> None:
    """Build the set, run every available tool, print the report."""
    regions = read_labels(build())
    scores = [score(tool(ROOT), regions) for tool in available()]
    positives = sum(r.label for r in regions)
    title = (
        f"Development set: {positives} secrets and {len(regions) - positives} hard negatives in "
        f"{len({r.file for r in regions})} files, built by `benchmarks/secrets/dataset.py`."
    )
    print("\n".join(report(title, scores)))


if __name__ == "__main__":
    main()
